#pragma once
// The coordinator (parent process): forks the workers, waits for their connections, triggers
// the scenario (REST emits for fanout/push, "measure" for echo, a hold for connect), samples
// the server processes (/proc/<pid>/stat and status) around each phase, merges the workers'
// histograms and prints the JSON report on stdout. Progress goes to stderr.

#include <boost/json/object.hpp>

#include "options.hpp"

namespace sio::bench {

/** Runs the whole benchmark; returns the exit code (0 unless the run itself could not happen). */
int run_coordinator(const Options& opts);

}  // namespace sio::bench
