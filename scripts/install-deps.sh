#!/usr/bin/env bash
# Installs the external tools sigform's tests use as judges. Idempotent: run it as often as you like.
# apt: openssl, poppler-utils (pdfsig, pdftotext, pdftoppm), qpdf, softhsm2, opensc (pkcs11-tool),
#      libnss3-tools (certutil), time and bc (scripts/compare.sh), ghostscript (only to
#      regenerate the sample PDF), postgresql (the portal's multi-instance test starts its own
#      server in a temporary directory; the packaged cluster is not used), chromium and
#      chromium-driver (the portal's browser test).
# pip: pyHanko and its CLI, and certomancer (a TSA, OCSP responder and CRL server for the tests,
#      tests/common/certomancer.rs), in a venv at .venv-interop (override with SIGFORM_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(openssl poppler-utils qpdf softhsm2 opensc libnss3-tools time bc postgresql chromium chromium-driver)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

venv="${SIGFORM_VENV:-$PWD/.venv-interop}"
if [ ! -x "$venv/bin/pyhanko" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q pyhanko pyhanko-cli pyhanko-certvalidator
fi
if [ ! -x "$venv/bin/certomancer" ]; then
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'certomancer[web-api]'
fi
echo "install-deps: tools ready (venv: $venv)"
