# cityops front door. `make demo` and `make test` work on a fresh Debian 12 machine.
JOBS ?= $(shell nproc)
CONFIG ?= examples/tamky/cityops.toml
LISTEN ?= 127.0.0.1:8080
DATA ?= data/tamky

.PHONY: all deps build build-debug web test test-release demo bench fuzz clean

all: build

deps:
	@tools/deps.sh

build: deps web
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

# The web dashboard (TypeScript + Vite) into web/dist, which cityops serves at / and /public.
web: deps
	cd web && npm run build

# Every test (unit, integration, browser, fuzz-corpus replay) under AddressSanitizer + UndefinedBehaviorSanitizer.
test: build-debug web
	cd build/debug && ctest --output-on-failure -j $(JOBS) --timeout 600

test-release: build
	cd build/release && ctest --output-on-failure -j $(JOBS) --timeout 600

# The Tam Kỳ demo with live simulated data on http://$(LISTEN)
demo: build
	build/release/cityops serve --config $(CONFIG) --listen $(LISTEN) --data $(DATA) --demo

# End-to-end table against VictoriaMetrics, then the codec and ingest-path micro-benchmarks, then the traffic analytics.
bench: build
	bench/run.sh
	build/release/bench/tsdb_codec_bench --benchmark_min_time=0.2
	build/release/bench/ingest_path_bench
	build/release/bench/traffic_bench

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build
