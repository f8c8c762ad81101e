#!/usr/bin/env bash
# The test command (README): every unit, integration and interop test. Interop tests drive
# openssl, pdfsig, qpdf, pyHanko and SoftHSM2; with SIGFORM_INTEROP=1 (the default here) a
# missing tool is a failure, not a skip. Run scripts/install-deps.sh once first.
set -euo pipefail
cd "$(dirname "$0")/.."
export SIGFORM_INTEROP="${SIGFORM_INTEROP:-1}"
cargo test --all-features "$@"
# The portal (workspace member portal/): the whole flow through its HTTP API.
cargo test -p sigform-portal --all-features
