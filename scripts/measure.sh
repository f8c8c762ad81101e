#!/usr/bin/env bash
# Side-by-side figures for the closing notes: time and peak RSS of sigform against openssl
# (1 GiB detached CAdES, streamed) and pyHanko (PAdES on a ~120 MB PDF with ~60k objects).
# Needs a release build (cargo build --release) and scripts/install-deps.sh. Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
S=target/release/sigform
G=target/release/examples/gen_pdf
P=test-vectors/pki
W=${SIGFORM_MEASURE_DIR:-$(mktemp -d)}
PYHANKO=${SIGFORM_VENV:-$PWD/.venv-interop}/bin/pyhanko
[ -x "$S" ] && [ -x "$G" ] || cargo build --release --bin sigform --example gen_pdf

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >/dev/null 2>"$W/err.txt" || { echo "$label: FAILED"; cat "$W/err.txt"; return; }
  read -r secs kb < "$W/time.txt"
  printf '| %-44s | %8.2f s | %8.1f MiB |\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)"
}

echo "| run | time | peak RSS |"
echo "| --- | --- | --- |"
head -c $((1024*1024*1024)) /dev/urandom > "$W/big.bin"
measure "sigform sign cades 1 GiB detached" $S sign cades "$W/big.bin" -o "$W/big.p7s" --key $P/signer-rsa2048.key.pem --cert $P/signer-rsa2048.pem --chain $P/chain.pem
measure "openssl cms -sign -binary -stream 1 GiB" openssl cms -sign -binary -stream -in "$W/big.bin" -signer $P/signer-rsa2048.pem -inkey $P/signer-rsa2048.key.pem -certfile $P/chain.pem -outform DER -out "$W/big-openssl.p7s"
measure "sigform verify 1 GiB detached" $S verify "$W/big.p7s" --content "$W/big.bin" --trust $P/root-ca.pem
measure "openssl cms -verify 1 GiB detached" openssl cms -verify -binary -inform DER -in "$W/big.p7s" -content "$W/big.bin" -CAfile $P/root-ca.pem -purpose any -out /dev/null
rm -f "$W/big.bin"

$G "$W/big.pdf" 120 20000
ls -l "$W/big.pdf" | awk '{printf "PDF: %.1f MB\n", $5/1048576}' >&2
measure "sigform sign pades 120 MB / 60k objects" $S sign pades "$W/big.pdf" -o "$W/big-signed.pdf" --key $P/signer-rsa2048.key.pem --cert $P/signer-rsa2048.pem --chain $P/chain.pem
if [ -x "$PYHANKO" ]; then
  measure "pyhanko sign addsig 120 MB / 60k objects" "$PYHANKO" sign addsig --field Sig1 --use-pades pemder --key $P/signer-rsa2048.key.pem --cert $P/signer-rsa2048.pem --chain $P/chain.pem --no-pass "$W/big.pdf" "$W/big-pyhanko.pdf"
fi
rm -rf "$W"
