#!/usr/bin/env bash
# The demo, from a fresh Debian 12 machine (as root): installs what it
# needs, then runs `firelab demo` (pass --json for the JSON report).
set -euo pipefail
cd "$(dirname "$0")/.."
# Setup talks on stderr so that `--json` output stays pure JSON.
bash scripts/setup.sh >&2
exec node dist/cli/main.js demo "$@"
