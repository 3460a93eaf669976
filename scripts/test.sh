#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine (as root):
# installs what it needs, starts a throwaway PostgreSQL, builds the test
# guest image (cached), then runs unit, HTTP, store and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test
source scripts/lib/postgres.sh
start_test_postgres
trap stop_test_postgres EXIT

npm run lint
npm run format:check
npm run typecheck

export FIRELAB_TEST_IMAGE_CACHE=${FIRELAB_TEST_IMAGE_CACHE:-/var/cache/firelab-test/images}
node dist/cli/main.js image build --profile test --cache-dir "$FIRELAB_TEST_IMAGE_CACHE"

npm run test:unit
npm run test:e2e
