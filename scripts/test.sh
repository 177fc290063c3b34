#!/usr/bin/env bash
# Installs everything (scripts/install.sh) and runs the whole test suite: typecheck, lint,
# format check, unit tests (incl. the Store contract on a real 3-member etcd) and e2e tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run check
