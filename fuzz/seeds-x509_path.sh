#!/usr/bin/env bash
# Writes seeds for the x509_path target into corpus/x509_path: chains of the test PKI as
# concatenated DER (leaf first), with and without CRLs / OCSP responses, and the cycle graph.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
v="$here/../test-vectors"
out="$here/corpus/x509_path"
mkdir -p "$out"
der() { openssl x509 -in "$1" -outform DER; }
for leaf in "$v"/pki/signer-*.pem "$v"/pki/icp-*.pem "$v"/pki/tsa.pem "$v"/pki/ocsp.pem; do
  case "$leaf" in *.key.pem | *.enc*.pem | *.sec1.pem | *.pkcs1.pem) continue ;; esac
  name="$(basename "$leaf" .pem)"
  { der "$leaf"; der "$v/pki/intermediate-ca.pem"; der "$v/pki/root-ca.pem"; } >"$out/$name"
  { der "$leaf"; der "$v/pki/intermediate-ca.pem"; cat "$v/pki/intermediate-ca.crl.der"; } >"$out/$name.crl"
done
{ der "$v/pki/other-signer-rsa2048.pem"; der "$v/pki/other-root-ca.pem"; } >"$out/other"
for f in "$v"/ocsp/*.der; do
  { der "$v/pki/signer-rsa2048.pem"; der "$v/pki/intermediate-ca.pem"; cat "$f"; } >"$out/ocsp-$(basename "$f" .der)"
done
{ der "$v/x509/cycle-leaf.pem"; der "$v/x509/cycle-a-by-b.pem"; der "$v/x509/cycle-b-by-a.pem"; der "$v/x509/cycle-b-by-root.pem"; } >"$out/cycle"
{ der "$v/pki/signer-rsa2048.pem"; der "$v/pki/intermediate-ca.pem"; cat "$v/x509/root-revokes-intermediate.crl.der"; } >"$out/revoked-ca"
ls "$out" | wc -l
