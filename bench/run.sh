#!/usr/bin/env bash
# End-to-end benchmark: cityops vs VictoriaMetrics on the same data, same run.
# Run by `make bench` (which configures build/release first). See bench/README.md.
#
# Environment knobs (all optional):
#   BENCH_TARGETS="cityops victoria"  which servers to measure
#   BENCH_SINGLE_SECONDS=5            duration of each single-POST run
#   BENCH_RESTARTS=5                  restarts for the startup / RSS measure
#   BENCH_TMPDIR=/tmp                 where the servers' data dirs go
#   BENCH_KEEP=1                      keep the data dirs after the run
#   BENCH_SKIP_BUILD=1                do not call cmake --build
#   BENCH_RULES=0                     skip the rules and alerts figures (rules_bench, the alerts scenario)
#   BENCH_RULES_REPS=3                repetitions of rules_bench
#   BENCH_ALERT_TRIGGERS=200          timed threshold crossings of the alerts scenario
#   BENCH_ALERT_BG_RULES=10000        never-crossed rules on the background sensors during the alerts scenario
#   CITYOPS_BUILD_DIR, CITYOPS_BIN, CITYOPS_LOAD, RULES_BENCH, VM_BIN   override paths
#
# cityops runs with authentication: its first admin gets a random password of this run (CITYOPS_ADMIN_PASSWORD,
# also read by cityops_load, which logs in and sends the token with every request), and a config that turns the
# request rate limits off ([security] rate_limit = 0, anonymous_rate_limit = 0).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CITYOPS_BUILD_DIR:-$ROOT/build/release}
CITYOPS=${CITYOPS_BIN:-$BUILD/cityops}
LOAD=${CITYOPS_LOAD:-$BUILD/bench/load/cityops_load}
RULES_BENCH=${RULES_BENCH:-$BUILD/bench/rules_bench}
TARGETS=${BENCH_TARGETS:-cityops victoria}
SENSORS=10000
MINUTES=100
BATCH=5000
CONNS=2
SINGLE_SECONDS=${BENCH_SINGLE_SECONDS:-5}
RESTARTS=${BENCH_RESTARTS:-5}
OBS=$((SENSORS * MINUTES))
ADMIN_PASSWORD=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOGDIR=${BENCH_LOG_DIR:-$BUILD/bench-logs}
STEP_TIMEOUT=300 # seconds, per cityops_load invocation
RULES=${BENCH_RULES:-1}
RULES_REPS=${BENCH_RULES_REPS:-3}
ALERT_TRIGGERS=${BENCH_ALERT_TRIGGERS:-200}
ALERT_BG_RULES=${BENCH_ALERT_BG_RULES:-10000}
ALERT_BG_RATE=10000

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
now_ms() { date +%s%3N; }
has_target() { [[ " $TARGETS " == *" $1 "* ]]; }

# ------------------------------------------------------------------ cleanup
PIDS=()
WORK=""
POLICY_CREATED=0
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "cleanup: stopping pid $pid"
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 100); do proc_alive "$pid" || break; sleep 0.1; done
      proc_alive "$pid" && kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [[ $POLICY_CREATED == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  if [[ -n $WORK && -d $WORK && ${BENCH_KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# running and not a zombie
proc_alive() {
  local st
  st=$(sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z ]]
}

forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p != "$1" ]] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# ------------------------------------------------------------------ prerequisites
SUDO=""
[[ $(id -u) != 0 ]] && SUDO=sudo

ensure_vm() {
  if [[ -n ${VM_BIN:-} ]]; then return; fi
  if ! dpkg -s victoria-metrics >/dev/null 2>&1; then
    log "installing victoria-metrics (apt-get), without letting it start a service"
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      POLICY_CREATED=1
    fi
    $SUDO apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq victoria-metrics >&2 ||
      die "apt-get install victoria-metrics failed"
    if [[ $POLICY_CREATED == 1 ]]; then $SUDO rm -f /usr/sbin/policy-rc.d; POLICY_CREATED=0; fi
  fi
  VM_BIN=$(dpkg -L victoria-metrics | grep -E '/bin/victoria-metrics$' | head -n1)
  [[ -x $VM_BIN ]] || die "victoria-metrics binary not found in the package"
}

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD (cmake --preset release)"
    (cd "$ROOT" && cmake --preset release >&2) || die "configure failed"
  fi
  build_targets=(cityops_load)
  has_target cityops && build_targets+=(cityops)
  has_target cityops && [[ $RULES == 1 ]] && build_targets+=(rules_bench)
  log "building ${build_targets[*]}"
  cmake --build "$BUILD" --target "${build_targets[@]}" -j "$(nproc)" >&2 || die "build failed"
fi
[[ -x $LOAD ]] || die "load generator not found: $LOAD"
if has_target cityops; then [[ -x $CITYOPS ]] || die "cityops binary not found: $CITYOPS"; fi
if has_target cityops && [[ $RULES == 1 ]]; then [[ -x $RULES_BENCH ]] || die "rules_bench not found: $RULES_BENCH"; fi
if has_target victoria; then ensure_vm; fi

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/cityops-bench.XXXXXX")
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
log "logs: $LOGDIR   data: $WORK"
# cityops: no request rate limits (the load tool is one user sending tens of thousands of requests a second).
CITYOPS_CONFIG=$WORK/cityops-bench.toml
printf '# bench/run.sh: no request rate limits\n[security]\nrate_limit = 0\nanonymous_rate_limit = 0\n' >"$CITYOPS_CONFIG"

# Same data for both targets: the 100 minutes ending at the last 10-minute
# boundary, and the year ending at the last UTC midnight.
END_MS=$(( $(now_ms) / 600000 * 600000 ))
YEAR_END_MS=$(( $(now_ms) / 86400000 * 86400000 ))
COMMON=(--sensors "$SENSORS" --minutes "$MINUTES" --batch "$BATCH" --end-ms "$END_MS" --year-end-ms "$YEAR_END_MS")

# ------------------------------------------------------------------ results
declare -A R=()   # R[target.key] = value
declare -A FAILED=() # FAILED[target.step] = 1
NOTES=()

# load TARGET STEP [args...]: run cityops_load, keep its output, record RESULTs
load() {
  local t=$1 step=$2; shift 2
  local out=$LOGDIR/$t-$step.out
  log "$t: $step"
  CITYOPS_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    timeout "$STEP_TIMEOUT" "$LOAD" --target "$t" --url "$URL" "$@" >"$out" 2>"$LOGDIR/$t-$step.err"
  local rc=$?
  local key val
  while read -r _ key val _; do R[$t.$step.$key]=$val; done < <(grep '^RESULT ' "$out")
  if [[ $rc != 0 ]]; then
    FAILED[$t.$step]=1
    log "$t: $step FAILED (exit $rc); see $out"
    grep -E '^(ERROR|CHECK .* FAIL)' "$out" | head -n 5 | sed 's/^/    /' >&2
  fi
  while read -r line; do NOTES+=("$t $step: $line"); done < <(grep -E '^(ERROR|CHECK .* FAIL)' "$out" | head -n 3)
  return $rc
}

# start_server TARGET DIR TAG -> sets SPID, URL, STARTUP_MS, RSS_KB; returns non-zero if not ready
start_server() {
  local t=$1 dir=$2 tag=$3 port t0 ready
  port=$("$LOAD" free-port) || die "no free port"
  URL=http://127.0.0.1:$port
  mkdir -p "$dir"
  t0=$(now_ms)
  if [[ $t == cityops ]]; then
    CITYOPS_ADMIN_PASSWORD=$ADMIN_PASSWORD \
      "$CITYOPS" serve --config "$CITYOPS_CONFIG" --listen "127.0.0.1:$port" --data "$dir" \
      >>"$LOGDIR/cityops-server.log" 2>&1 &
    SPID=$!
  else
    "$VM_BIN" -httpListenAddr "127.0.0.1:$port" -storageDataPath "$dir" -retentionPeriod 100y \
      -loggerLevel WARN >>"$LOGDIR/victoria-server.log" 2>&1 &
    SPID=$!
  fi
  PIDS+=("$SPID")
  local path=/readyz
  [[ $t == victoria ]] && path=/health
  ready=$("$LOAD" --url "$URL" wait --path "$path" --timeout 60 --pid "$SPID" | tee -a "$LOGDIR/wait.out" |
    awk '$2=="ready_at_ms"{print $3}')
  if [[ -z $ready ]] || ! proc_alive "$SPID"; then
    log "$t ($tag): not ready on $URL; see $LOGDIR/$t-server.log"
    stop_server "$SPID"
    return 1
  fi
  STARTUP_MS=$((ready - t0))
  RSS_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$SPID/status")
  log "$t ($tag): pid $SPID ready on $URL in $STARTUP_MS ms, RSS $((RSS_KB / 1024)) MiB"
}

# stop_server PID: SIGTERM, wait for exit (60 s, then SIGKILL); sets STOP_MS
stop_server() {
  local pid=$1 t0 rc
  t0=$(now_ms)
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 1200); do proc_alive "$pid" || break; sleep 0.05; done
  if proc_alive "$pid"; then
    log "pid $pid ignored SIGTERM for 60 s; killing"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  rc=$?
  forget_pid "$pid"
  if [[ $rc != 0 ]]; then
    log "pid $pid exited with status $rc"
    NOTES+=("server pid $pid exited with status $rc after SIGTERM")
  fi
  STOP_MS=$(($(now_ms) - t0))
  return 0
}

median() { sort -n | awk '{a[NR]=$1} END{if(NR==0){print ""}else if(NR%2){print a[(NR+1)/2]}else{print (a[NR/2]+a[NR/2+1])/2}}'; }

# ------------------------------------------------------------------ one target
bench_target() {
  local t=$1 dir=$WORK/$t-data stop_ms

  # A: fresh store -> ingest, query, latest; disk after a graceful stop
  start_server "$t" "$dir" fresh || { NOTES+=("$t: server did not become ready"); FAILED[$t.start]=1; return; }
  R[$t.first_start_ms]=$STARTUP_MS
  load "$t" ingest ingest "${COMMON[@]}" --conns "$CONNS"
  load "$t" query query "${COMMON[@]}"
  load "$t" latest latest "${COMMON[@]}"
  R[$t.disk_live_bytes]=$(du -sb "$dir" | cut -f1)
  stop_server "$SPID"
  stop_ms=$STOP_MS
  R[$t.stop_ms]=$stop_ms
  R[$t.disk_bytes]=$(du -sb "$dir" | cut -f1)
  [[ $t == cityops ]] && R[$t.disk_files]=$(cd "$dir" && find . -maxdepth 1 -type f -printf '%f=%s ' 2>/dev/null)
  log "$t: stopped in $stop_ms ms; on disk ${R[$t.disk_bytes]} bytes (live ${R[$t.disk_live_bytes]})"

  # B: restarts on that store -> startup time and RSS right after ready
  local starts=() rss=() i
  for i in $(seq 1 "$RESTARTS"); do
    if start_server "$t" "$dir" "restart $i"; then
      starts+=("$STARTUP_MS")
      rss+=("$RSS_KB")
      stop_server "$SPID"
    else
      NOTES+=("$t: restart $i did not become ready")
      FAILED[$t.restart$i]=1
    fi
  done
  R[$t.startup_ms]=$(printf '%s\n' "${starts[@]}" | grep . | median)
  R[$t.rss_kb]=$(printf '%s\n' "${rss[@]}" | grep . | median)
  R[$t.startup_all]="${starts[*]}"

  # C: single POSTs and the year query on the same store
  start_server "$t" "$dir" "single+year" || {
    NOTES+=("$t: server did not become ready for single/year"); FAILED[$t.start3]=1; return; }
  load "$t" single2 single "${COMMON[@]}" --conns 2 --duration "$SINGLE_SECONDS"
  load "$t" single32 single "${COMMON[@]}" --conns 32 --duration "$SINGLE_SECONDS"
  load "$t" year year "${COMMON[@]}" --conns "$CONNS"
  if [[ $t == cityops && $RULES == 1 ]]; then
    # Alert latency: one rule on a dedicated gauge, ALERT_BG_RATE obs/s on the sensors (with ALERT_BG_RULES rules).
    load "$t" alerts alerts "${COMMON[@]}" --no-create --triggers "$ALERT_TRIGGERS" --bg-rate "$ALERT_BG_RATE" \
      --bg-rules "$ALERT_BG_RULES"
  fi
  stop_server "$SPID"
  [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$dir"

  if [[ $t == victoria ]]; then
    # For reference: the same ingest on a fresh store, calling /internal/force_flush after the last ack.
    local fdir=$WORK/victoria-flush
    if start_server victoria "$fdir" "force_flush variant"; then
      load victoria ingest_flush ingest "${COMMON[@]}" --conns "$CONNS" --vm-flush
      stop_server "$SPID"
    fi
    rm -rf "$fdir"
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN{exit !(l > n / 2)}'; then
  log "warning: load average $LOAD_BEFORE on $(nproc) cores; other work on this machine will skew the figures"
fi
T_START=$(now_ms)
for t in $TARGETS; do
  case $t in
    cityops | victoria) bench_target "$t" ;;
    *) die "unknown target $t" ;;
  esac
done
# Rule overhead on the ingest path (no server, no HTTP): bench/rules_bench.cpp, in the run's temp dir.
if has_target cityops && [[ $RULES == 1 ]]; then
  log "rules: rules_bench ($RULES_REPS repetitions)"
  timeout 900 "$RULES_BENCH" --reps "$RULES_REPS" --tmp "$WORK" >"$LOGDIR/rules-bench.out" 2>"$LOGDIR/rules-bench.err"
  rc=$?
  while read -r _ key val _; do R[rules.bench.$key]=$val; done < <(grep '^RESULT ' "$LOGDIR/rules-bench.out")
  if [[ $rc != 0 ]]; then
    FAILED[rules.bench]=1
    log "rules: rules_bench FAILED (exit $rc); see $LOGDIR/rules-bench.out"
    NOTES+=("rules_bench exited with status $rc")
  fi
fi
T_TOTAL=$(( ($(now_ms) - T_START) / 1000 ))
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ table
# fmt_int 1234567 -> 1 234 567
fmt_int() { awk -v v="$1" 'BEGIN{ if (v=="") {print "n/a"; exit} v=sprintf("%.0f", v); s=""; n=length(v);
  for (i=1;i<=n;i++){ s=s substr(v,i,1); if ((n-i)%3==0 && i<n) s=s " " } print s }'; }
fmt_ms() { awk -v v="$1" 'BEGIN{ if (v=="" || v=="nan") {print "n/a"; exit}
  if (v<1) printf "%.3f\n", v; else if (v<10) printf "%.2f\n", v; else if (v<100) printf "%.1f\n", v; else printf "%.0f\n", v }'; }
fmt_mb() { awk -v v="$1" -v d="$2" 'BEGIN{ if (v=="") {print "n/a"; exit} printf "%.1f\n", v/d }'; }

val() { # val TARGET STEP KEY -> value or "" if the step failed or is missing
  local v=${R[$1.$2.$3]:-}
  echo "$v"
}
cell() { # cell TARGET STEP KEY FORMAT
  local t=$1 step=$2 key=$3 f=$4 v
  has_target "$t" || { echo "-"; return; }
  v=$(val "$t" "$step" "$key")
  local s
  s=$($f "$v")
  [[ -n ${FAILED[$t.$step]:-} && -n $v ]] && s="$s (!)"
  [[ -n ${FAILED[$t.$step]:-} && -z $v ]] && s="ERR"
  echo "$s"
}
disk_cell() {
  local t=$1
  has_target "$t" || { echo "-"; return; }
  local b=${R[$t.disk_bytes]:-} live=${R[$t.disk_live_bytes]:-}
  [[ -z $b ]] && { echo "n/a"; return; }
  local per_m=$((OBS / 1000000))
  [[ $per_m -lt 1 ]] && per_m=1
  if [[ $t == cityops ]]; then echo "$(fmt_mb "$b" $((per_m * 1000000))) (live $(fmt_mb "$live" $((per_m * 1000000))))"
  else fmt_mb "$b" $((per_m * 1000000)); fi
}
plain_cell() { # plain_cell TARGET KEY FORMAT
  has_target "$1" || { echo "-"; return; }
  $3 "${R[$1.$2]:-}"
}
rss_mb() { [[ -z $1 ]] && { echo n/a; return; }; awk -v v="$1" 'BEGIN{printf "%.1f\n", v/1024}'; }

ROWS=()
row() { ROWS+=("$1|$2|$3|$4"); }
row "batched ingest obs/s (ack)" "$(cell cityops ingest ingest_ack_obs_per_s fmt_int)" "$(cell victoria ingest ingest_ack_obs_per_s fmt_int)" ">= 1 000 000"
row "batched ingest obs/s (searchable)" "$(cell cityops ingest ingest_searchable_obs_per_s fmt_int)" "$(cell victoria ingest ingest_searchable_obs_per_s fmt_int)" ">= 1 000 000"
row "single POST req/s (C=2)" "$(cell cityops single2 single_req_per_s fmt_int)" "$(cell victoria single2 single_req_per_s fmt_int)" ">= 20 000"
row "single POST req/s (C=32)" "$(cell cityops single32 single_req_per_s fmt_int)" "$(cell victoria single32 single_req_per_s fmt_int)" ">= 20 000"
row "query 100 min @10m p50 ms" "$(cell cityops query query_p50_ms fmt_ms)" "$(cell victoria query query_p50_ms fmt_ms)" ""
row "query 100 min @10m p99 ms" "$(cell cityops query query_p99_ms fmt_ms)" "$(cell victoria query query_p99_ms fmt_ms)" "<= 0.5"
row "latest of 10 000 ms (median)" "$(cell cityops latest latest_median_ms fmt_ms)" "$(cell victoria latest latest_median_ms fmt_ms)" "<= 10"
row "1-year daily aggregate ms (median)" "$(cell cityops year year_median_ms fmt_ms)" "$(cell victoria year year_median_ms fmt_ms)" "<= 5"
row "MB on disk per million obs" "$(disk_cell cityops)" "$(disk_cell victoria)" "<= 10"
row "startup ms (median of $RESTARTS)" "$(plain_cell cityops startup_ms fmt_int)" "$(plain_cell victoria startup_ms fmt_int)" "<= 1000"
row "RSS MB after ready" "$(plain_cell cityops rss_kb rss_mb)" "$(plain_cell victoria rss_kb rss_mb)" "<= 150"

print_table() {
  local w1=7 w2=7 w3=15 w4=6 r a b c d
  for r in "${ROWS[@]}"; do
    IFS='|' read -r a b c d <<<"$r"
    ((${#a} > w1)) && w1=${#a}; ((${#b} > w2)) && w2=${#b}
    ((${#c} > w3)) && w3=${#c}; ((${#d} > w4)) && w4=${#d}
  done
  dashes() { printf -- '-%.0s' $(seq 1 "$1"); }
  printf "| %-${w1}s | %${w2}s | %${w3}s | %-${w4}s |\n" measure cityops VictoriaMetrics target
  printf "|%s|%s:|%s:|%s|\n" "$(dashes $((w1 + 2)))" "$(dashes $((w2 + 1)))" "$(dashes $((w3 + 1)))" "$(dashes $((w4 + 2)))"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r a b c d <<<"$r"
    printf "| %-${w1}s | %${w2}s | %${w3}s | %-${w4}s |\n" "$a" "$b" "$c" "$d"
  done
}

# which cityops figures meet their targets
meets() { # meets VALUE OP LIMIT -> prints yes/no/""
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN{ if (v=="" || v=="nan") {print ""; exit}
    ok = (op==">=") ? (v+0 >= l+0) : (v+0 <= l+0); print ok ? "yes" : "no" }'
}
SCORE=()
if has_target cityops; then
  score() { local name=$1 v=$2 op=$3 lim=$4 m; m=$(meets "$v" "$op" "$lim"); SCORE+=("$name:${m:-n/a}"); }
  score "ingest ack" "$(val cityops ingest ingest_ack_obs_per_s)" ">=" 1000000
  score "ingest searchable" "$(val cityops ingest ingest_searchable_obs_per_s)" ">=" 1000000
  score "single C=2" "$(val cityops single2 single_req_per_s)" ">=" 20000
  score "single C=32" "$(val cityops single32 single_req_per_s)" ">=" 20000
  score "query p99" "$(val cityops query query_p99_ms)" "<=" 0.5
  score "latest" "$(val cityops latest latest_median_ms)" "<=" 10
  score "year" "$(val cityops year year_median_ms)" "<=" 5
  d=${R[cityops.disk_bytes]:-}; score "disk" "$([[ -n $d ]] && awk -v b="$d" -v o="$OBS" 'BEGIN{print b/o}')" "<=" 10
  score "startup" "${R[cityops.startup_ms]:-}" "<=" 1000
  score "RSS" "$([[ -n ${R[cityops.rss_kb]:-} ]] && echo $((R[cityops.rss_kb] / 1024)))" "<=" 150
  if [[ $RULES == 1 ]]; then
    score "rule overhead at 100 000 obs/s" "${R[rules.bench.rules_paced_overhead_pct]:-}" "<=" 20
    score "alert latency p99" "$(val cityops alerts alerts_after_send_p99_ms)" "<=" 5
  fi
fi

# ------------------------------------------------------------------ rules and alerts table (cityops only)
fmt_pct() { awk -v v="$1" 'BEGIN{ if (v=="" || v=="nan") {print "n/a"; exit} printf "%+.1f %%\n", v }'; }
fmt_s() { awk -v v="$1" 'BEGIN{ if (v=="" || v=="nan") {print "n/a"; exit} printf "%.3f\n", v }'; }
rb() { echo "${R[rules.bench.$1]:-}"; }
RROWS=()
rrow() { RROWS+=("$1|$2|$3"); }
if has_target cityops && [[ $RULES == 1 ]]; then
  bang=""; [[ -n ${FAILED[rules.bench]:-} ]] && bang=" (!)"
  rrow "store ingest obs/s, no rules" "$(fmt_int "$(rb rules_none_obs_per_s)")$bang" ""
  rrow "... rules evaluated inline after each batch" \
    "$(fmt_int "$(rb rules_sync_obs_per_s)") ($(fmt_pct "$(rb rules_sync_overhead_pct)"))$bang" ""
  rrow "... engine as the store's sink (server), acked" \
    "$(fmt_int "$(rb rules_sink_ack_obs_per_s)") ($(fmt_pct "$(rb rules_sink_ack_overhead_pct)"))$bang" ""
  rrow "... engine as the store's sink, all evaluated" \
    "$(fmt_int "$(rb rules_sink_drained_obs_per_s)") ($(fmt_pct "$(rb rules_sink_overhead_pct)"))$bang" ""
  rrow "evaluate only, readings/s" "$(fmt_int "$(rb rules_evaluate_readings_per_s)")$bang" ""
  rrow "alert commits (832 transitions), ms" "$(fmt_ms "$(rb rules_alert_commit_ms)")$bang" ""
  rrow "ingest ms per batch at 100 000 obs/s: none / rules" \
    "$(fmt_ms "$(rb rules_paced_none_batch_mean_ms)") / $(fmt_ms "$(rb rules_paced_sink_batch_mean_ms)") ($(fmt_pct "$(rb rules_paced_overhead_pct)"))$bang" "overhead <= 20 %"
  rrow "CPU s/s at 100 000 obs/s: none / rules" \
    "$(fmt_s "$(rb rules_paced_none_cpu_s_per_s)") / $(fmt_s "$(rb rules_paced_sink_cpu_s_per_s)")$bang" ""
  rrow "alert latency after the 200, p50 / p99 ms" \
    "$(cell cityops alerts alerts_after_ack_p50_ms fmt_ms) / $(cell cityops alerts alerts_after_ack_p99_ms fmt_ms)" ""
  rrow "alert latency after the send, p50 / p99 ms" \
    "$(cell cityops alerts alerts_after_send_p50_ms fmt_ms) / $(cell cityops alerts alerts_after_send_p99_ms fmt_ms)" "p99 <= 5"
fi
print_rules_table() {
  local w1=7 w2=7 w3=6 r a b c
  for r in "${RROWS[@]}"; do
    IFS='|' read -r a b c <<<"$r"
    ((${#a} > w1)) && w1=${#a}; ((${#b} > w2)) && w2=${#b}; ((${#c} > w3)) && w3=${#c}
  done
  dashes() { printf -- '-%.0s' $(seq 1 "$1"); }
  printf "| %-${w1}s | %${w2}s | %-${w3}s |\n" "rules and alerts" cityops target
  printf "|%s|%s:|%s|\n" "$(dashes $((w1 + 2)))" "$(dashes $((w2 + 1)))" "$(dashes $((w3 + 2)))"
  for r in "${RROWS[@]}"; do
    IFS='|' read -r a b c <<<"$r"
    printf "| %-${w1}s | %${w2}s | %-${w3}s |\n" "$a" "$b" "$c"
  done
}

echo
echo "cityops vs VictoriaMetrics $(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null) — $SENSORS sensors x $MINUTES min = $OBS obs, batches of $BATCH over $CONNS connections"
echo "$(nproc) cores; load average before $LOAD_BEFORE, after $LOAD_AFTER; run took ${T_TOTAL} s"
echo
print_table
echo
if ((${#RROWS[@]} > 0)); then
  echo "Rules and alerts: $(rb rules_rules) threshold rules (3 levels) over $(rb rules_entities) entities, $(fmt_int "$(rb rules_obs)") obs in" \
    "batches of $BATCH through Store::ingestSync, medians of $(rb rules_reps) (bench/rules_bench); alert latency on the server above:" \
    "$ALERT_TRIGGERS crossings, $ALERT_BG_RATE obs/s background on $SENSORS sensors with $(val cityops alerts alerts_bg_rules) rules"
  echo
  print_rules_table
  echo
fi
if has_target cityops; then
  met=0 missed=() na=()
  for s in "${SCORE[@]}"; do
    case ${s##*:} in yes) met=$((met + 1)) ;; no) missed+=("${s%:*}") ;; *) na+=("${s%:*}") ;; esac
  done
  echo "cityops meets $met of ${#SCORE[@]} targets${missed[*]:+; misses: $(IFS=,; echo "${missed[*]}")}${na[*]:+; not measured: $(IFS=,; echo "${na[*]}")}"
fi
echo "notes:"
if has_target victoria; then
  echo "  VictoriaMetrics ingest: Prometheus text via /api/v1/import/prometheus (2x faster than JSON lines here); 'searchable' = until"
  echo "    sum(count_over_time(...)) sees all $OBS samples with no force_flush: $(fmt_ms "$(val victoria ingest ingest_searchable_after_ack_ms)") ms after the last ack."
  echo "    With /internal/force_flush after the last ack (fresh store): $(fmt_int "$(val victoria ingest_flush ingest_searchable_obs_per_s)") obs/s searchable," \
    "$(fmt_ms "$(val victoria ingest_flush ingest_searchable_after_ack_ms)") ms after the ack ($(fmt_int "$(val victoria ingest_flush ingest_ack_obs_per_s)") obs/s ack)."
  echo "  VictoriaMetrics queries use nocache=1; the year query with its rollup result cache: $(fmt_ms "$(val victoria year year_cached_median_ms)") ms median."
fi
for t in $TARGETS; do
  [[ -n ${R[$t.disk_files]:-} ]] && echo "  $t: data dir after the graceful stop (bytes): ${R[$t.disk_files]}"
  [[ -n ${R[$t.startup_all]:-} ]] && echo "  $t: startups ${R[$t.startup_all]} ms; first start on an empty dir ${R[$t.first_start_ms]:-?} ms; graceful stop after ingest ${R[$t.stop_ms]:-?} ms"
  echo "  $t: single p50/p99 ms: C=2 $(fmt_ms "$(val "$t" single2 single_p50_ms)")/$(fmt_ms "$(val "$t" single2 single_p99_ms)")," \
    "C=32 $(fmt_ms "$(val "$t" single32 single_p50_ms)")/$(fmt_ms "$(val "$t" single32 single_p99_ms)"); query max $(fmt_ms "$(val "$t" query query_max_ms)") ms"
  grep -h '^CHECK' "$LOGDIR/$t"-*.out 2>/dev/null | awk -v t="$t" '{printf "  %s: check %s %s\n", t, $2, $3}'
done
if ((${#RROWS[@]} > 0)); then
  echo "  rules: $(fmt_int "$(rb rules_verdict_changes)") verdict changes per run ($(rb rules_changes_per_million_readings) per million readings), each an alert" \
    "transition in SQLite; one engine tick over every state $(fmt_ms "$(rb rules_tick_ms)") ms; 'overhead' = ingest time with rules / without - 1" \
    "(paired runs, alternating order)"
  echo "  alerts: the commit lies between the send and the 200, so the two latency rows bound commit -> frame from below and above;" \
    "frames before the 200: $(val cityops alerts alerts_frame_before_ack) of $(val cityops alerts alerts_received); max after the send" \
    "$(fmt_ms "$(val cityops alerts alerts_after_send_max_ms)") ms; background achieved $(fmt_int "$(val cityops alerts alerts_bg_obs_per_s)") obs/s," \
    "p99 $(fmt_ms "$(val cityops alerts alerts_bg_post_p99_ms)") ms per request"
  grep -h '^CHECK' "$LOGDIR/rules-bench.out" 2>/dev/null | awk '{printf "  rules: check %s %s\n", $2, $3}'
fi
for n in "${NOTES[@]}"; do echo "  ! $n"; done
echo "  logs: $LOGDIR"

# exit non-zero when a step failed, so `make bench` shows it
((${#FAILED[@]} == 0))
