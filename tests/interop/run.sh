#!/usr/bin/env bash
# Interop tests with the official Socket.IO / Engine.IO clients against a server.
#   tests/interop/run.sh build/release/sio-server
#   tests/interop/run.sh "node /abs/path/bench/node/server.mjs"
# Extra arguments after the server are passed to node --test (e.g. a single test file).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 <server-binary | \"command args\"> [test files...]" >&2
  exit 2
fi
if ! command -v node >/dev/null 2>&1; then
  echo "run.sh: node is not installed; the interop tests cannot run (install Node.js >= 20)" >&2
  exit 1
fi

server="$1"
shift
# A bare path to an executable: make it absolute so the tests can run from any directory.
if [ -e "$server" ] && [[ "$server" != *" "* ]]; then
  server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
  if [ ! -x "$server" ]; then
    echo "run.sh: $server is not executable" >&2
    exit 1
  fi
fi
export SIO_SERVER="$server"

if [ ! -d "$here/node_modules/socket.io-client" ]; then
  echo "run.sh: installing test dependencies (npm ci in $here)" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$here"/*.test.mjs)
fi
rm -rf "$here/logs"
echo "run.sh: SIO_SERVER=$SIO_SERVER, ${#files[@]} test files" >&2
exec node --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
