#pragma once
// `cityops replay FILE.csv --data DIR [--config FILE] [--speed N] [--json]`: pushes historical readings through the
// same path as live data (validate -> store -> rules -> alerts), in-process on the data directory's database, with
// the clock following the data's time. This is how operators test rules against past events, and how the tests
// check rule timing.
//
// The CSV: a header naming the columns time, entity, metric, value and optionally quality (any order), then one
// reading per line. time is RFC 3339 (any offset) or epoch milliseconds; quality is good (default when empty),
// suspect or bad. Fields may be double-quoted; blank lines are skipped. Lines are expected in time order; one out
// of order is stored and evaluated as it is (evaluators ignore readings older than the newest they saw, as live).
// Every entity must exist (created through the API, or declared in --config, which seeds them first).
//
// How it runs:
//  - A ManualClock follows the data: it is set to each reading's time (it never goes back: an out-of-order reading
//    leaves it where it is). Alert times are therefore data times.
//  - Readings are ingested in batches of 1000 lines (one line at a time with --speed), each batch committed with
//    Store::ingestSync; then the rule engine (without its thread) evaluates them in order. Before each reading the
//    engine ticks at every whole second of data time since the previous tick, so stale rules and `for` durations
//    fire in data time exactly as the server's once-a-second tick would (a gap of G seconds costs G cheap ticks).
//  - Rules: those in the database, after --config's [[rule]] entries were written there (as `cityops serve` does at
//    start; its [[entity]] entries are seeded first). Alerts open at the start resume as in the server, so a replay
//    continues them instead of duplicating them.
//  - --speed N: N seconds of data take one second of wall time (readings are then ingested one by one).
//  - A bad line stops the replay with exit code 2 and "FILE:LINE: problem" on stderr, after the lines before it
//    were ingested and evaluated (their number is reported; nothing after the bad line is).
//  - The end: the alerts raised or changed during the replay, as a table of their transitions on stdout, or with
//    --json exactly {"alerts": [...]} (each alert as GET /api/v1/alerts/{id} shows it, with its history). A progress
//    bar goes to stderr when stderr is a terminal.
//
// Stop the server on that data directory first: the store keeps in-memory state (series heads, the ingest log) that
// two processes writing the same database would not share; the data directory's lock refuses a second store.
#include <cstddef>
#include <string>

namespace cityops::app {

struct ReplayArgs {
  std::string file;
  std::string dataDir;
  std::string configFile;  // "": none
  double speed = 0;        // 0: as fast as possible; else seconds of data per second of wall time
  bool json = false;
  size_t batchLines = 1000;  // lines per ingest batch (1 with speed)
};

/// Returns the process exit code: 0 done, 2 bad input (arguments, configuration, a CSV line), 1 anything else.
int runReplay(const ReplayArgs& args);

}  // namespace cityops::app
