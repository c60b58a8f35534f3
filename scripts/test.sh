#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: brings up Deno, a real Docker engine,
# the offline test image and Chromium when missing, bundles the islands, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/test_env.sh
source scripts/test_env.sh
"$DENO" task build >/dev/null
exec "$DENO" task test "$@"
