#!/usr/bin/env bash
# Tests of the examples, run against their binaries built out of tree from the installed sio
# package (scripts/test builds them into build/examples/<name>/):
#   tests/examples/run.sh build/examples [test files...]
# Needs node >= 20, npm and redis-server (the seed-cluster test starts its own on a free port).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: $0 <examples build dir> [test files...]" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
shift
export SIO_EXAMPLE_CHAT="$build/chat/chat"
export SIO_EXAMPLE_SEED_CLUSTER="$build/seed-cluster/seed-cluster"
for binary in "$SIO_EXAMPLE_CHAT" "$SIO_EXAMPLE_SEED_CLUSTER"; do
  if [ ! -x "$binary" ]; then
    echo "run.sh: $binary is missing: build the examples first" >&2
    exit 1
  fi
done
for tool in node npm redis-server; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: $tool is not installed; the examples tests cannot run" >&2
    exit 1
  fi
done

# npm ci from the committed lockfile, only when it changed since the last install.
stamp="$here/node_modules/.sio-lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "run.sh: npm ci in $here" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$here"/*.test.mjs)
fi
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
