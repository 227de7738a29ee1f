#!/usr/bin/env bash
# Cluster tests (docs/contract.md §6): instances of sio-server and of the Node reference over private
# redis-server instances, plus @socket.io/redis-emitter publishers.
#   tests/cluster/run.sh build/release/sio-server            # pairs cpp:cpp, cpp:node, node:cpp
#   SIO_SERVER="node $PWD/bench/node/server.mjs" tests/cluster/run.sh   # all-Node validation
#   SIO_CLUSTER_KINDS=node:node tests/cluster/run.sh <binary> [test files...]
# SIO_CLUSTER_KINDS: comma-separated pairs "a:b" of kinds cpp ($SIO_SERVER) and node (the Node
# reference); default "cpp:cpp,cpp:node,node:cpp", or "node:node" when SIO_SERVER is the Node
# reference. Extra arguments after the server are passed to node --test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

server="${SIO_SERVER:-}"
if [ $# -gt 0 ] && [[ "$1" != *.test.mjs ]]; then
  [ -n "$1" ] && server="$1"
  shift
fi
if [ -z "$server" ]; then
  echo "usage: $0 <server-binary | \"command args\"> [test files...]   (or set SIO_SERVER)" >&2
  exit 2
fi
for tool in node npm redis-server; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: $tool is not installed; the cluster tests cannot run" >&2
    exit 1
  fi
done
# A bare path to an executable: make it absolute so the tests can run from any directory.
if [ -e "$server" ] && [[ "$server" != *" "* ]]; then
  server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
  if [ ! -x "$server" ]; then
    echo "run.sh: $server is not executable" >&2
    exit 1
  fi
fi
export SIO_SERVER="$server"
export SIO_TEST_LOG_DIR="$here/logs"

# Dependencies: this tier, the interop helpers it imports, and the Node reference server.
for dir in "$here" "$root/tests/interop" "$root/bench/node"; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "run.sh: installing dependencies (npm ci in $dir)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$here"/*.test.mjs)
fi
rm -rf "$here/logs"
echo "run.sh: SIO_SERVER=$SIO_SERVER SIO_CLUSTER_KINDS=${SIO_CLUSTER_KINDS:-<default>}, ${#files[@]} test files" >&2
exec node --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
