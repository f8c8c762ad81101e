#!/usr/bin/env bash
# Makes the signed files whose verification reports tests/report_pin.rs pins (the reports are
# written by `SIGFORM_UPDATE_PINS=1 cargo test --test report_pin`). The files are committed: run
# this only to add cases; then review and commit the new pins.
# Needs: a built `sigform` (target/debug or SIGFORM_BIN), openssl, and pyHanko in .venv-interop.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pki="$root/test-vectors/pki"
docs="$root/test-vectors/docs"
bin="${SIGFORM_BIN:-$root/target/debug/sigform}"
venv="${SIGFORM_VENV:-$root/.venv-interop}"
cd "$here"
rm -f ./*.p7s ./*.pdf ./*.zip ./*.json ./*.p7m

key() { echo --key "$pki/$1.key.pem" --cert "$pki/$1.pem" --chain "$pki/chain.pem"; }

# CAdES: detached, attached, algorithms, policy, co- and counter-signature, two kinds of failure.
"$bin" sign cades "$docs/sample.txt" -o cades-detached-rsa.p7s $(key signer-rsa2048)
"$bin" sign cades "$docs/sample.txt" -o cades-attached-p256.p7s --attached $(key signer-p256)
"$bin" sign cades "$docs/sample.txt" -o cades-detached-p384.p7s $(key signer-p384)
"$bin" sign cades "$docs/sample.txt" -o cades-pss.p7s $(key signer-rsa3072) --algorithm rsa-pss-sha256
"$bin" sign cades "$docs/sample.txt" -o cades-icp-policy.p7s $(key icp-pf) \
  --policy-oid 2.16.76.1.7.1.1.2.3 --policy-hash "$(printf '%064d' 0)" --commitment 1.2.840.113549.1.9.16.6.1
"$bin" sign cades "$docs/sample.txt" -o cades-cosigned.p7s $(key icp-pj) --cosign cades-detached-rsa.p7s
"$bin" sign cades "$docs/sample.txt" -o cades-countersigned.p7s $(key signer-p256) \
  --countersign cades-detached-rsa.p7s --target 1
"$bin" sign cades "$docs/sample.txt" -o cades-expired.p7s $(key signer-expired)
"$bin" sign cades "$docs/sample.txt" -o cades-revoked.p7s $(key signer-revoked)
"$bin" sign cades "$docs/sample.txt" -o cades-other-root.p7s --key "$pki/other-signer-rsa2048.key.pem" \
  --cert "$pki/other-signer-rsa2048.pem"
# A signature byte flipped (the last byte of the file is inside the signature value).
cp cades-attached-p256.p7s cades-attached-tampered.p7s
python3 - cades-attached-tampered.p7s <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-3] ^= 0x01; open(p, 'wb').write(bytes(b))
PY
# openssl's own signatures: detached and attached.
openssl cms -sign -binary -in "$docs/sample.txt" -signer "$pki/signer-rsa2048.pem" \
  -inkey "$pki/signer-rsa2048.key.pem" -certfile "$pki/chain.pem" -outform DER -out openssl-detached.p7s
openssl cms -sign -binary -nodetach -in "$docs/sample.txt" -signer "$pki/signer-p256.pem" \
  -inkey "$pki/signer-p256.key.pem" -certfile "$pki/chain.pem" -outform DER -out openssl-attached.p7s

# PAdES: invisible, visible, certified, two signers, adbe, and an appended change (failure).
pdf="$docs/sample-2pages.pdf"
"$bin" sign pades "$pdf" -o pades-invisible.pdf $(key signer-rsa2048)
"$bin" sign pades "$pdf" -o pades-visible.pdf $(key icp-pf) --visible 1:50,50,250,120 --reason Aprovado
"$bin" sign pades "$pdf" -o pades-certified.pdf $(key signer-p256) --certify form-filling
"$bin" sign pades pades-certified.pdf -o pades-two-signers.pdf $(key signer-rsa2048) --field Sig2
"$bin" sign pades "$pdf" -o pades-adbe.pdf $(key signer-rsa2048) --subfilter adbe
cp pades-invisible.pdf pades-appended.pdf
python3 - pades-appended.pdf <<'PY'
# Re-defines the first page with /Rotate 90 in an incremental update: a change no rule allows.
import re, sys
p = sys.argv[1]; b = open(p, 'rb').read()
start = int(re.findall(rb'startxref\s+(\d+)', b)[-1])
size = int(re.findall(rb'/Size\s+(\d+)', b)[-1])
root = re.findall(rb'/Root\s+(\d+ \d+ R)', b)[-1]
m = re.search(rb'(\d+) 0 obj\s*<<(/Type\s*/Page\b.*?)>>\s*endobj', b, re.S)
num, body = int(m.group(1)), m.group(2)
off = len(b)
obj = b'%d 0 obj\n<<%s/Rotate 90>>\nendobj\n' % (num, body)
xref = b'xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n' % (num, off)
trailer = b'trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size, root, start, off + len(obj))
open(p, 'wb').write(b + obj + xref + trailer)
PY
"$venv/bin/pyhanko" sign addsig --field PyHankoSig --use-pades pemder --key "$pki/signer-rsa2048.key.pem" \
  --cert "$pki/signer-rsa2048.pem" --chain "$pki/chain.pem" --no-pass "$pdf" pyhanko-signed.pdf

# Packages: what `sigform demo` builds (zip and JSON, CAdES and PAdES).
demo="$(mktemp -d)"
"$bin" demo "$demo" >/dev/null
for f in "$demo"/*.zip "$demo"/*.json; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in manifest*.json) continue ;; esac
  cp "$f" "package-$(basename "$f")"
done
cp "$demo/root.pem" demo-root.pem
rm -rf "$demo"
echo "generate.sh: signed files written in $here"
