#!/usr/bin/env bash
# The demo, from a fresh Debian 12 machine (as root): installs what it
# needs, then runs `firelab demo` (pass --json for the JSON report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/cli/main.js demo "$@"
