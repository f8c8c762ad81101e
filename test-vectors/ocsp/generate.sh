#!/usr/bin/env bash
# Generates the OCSP responses of this directory from the test PKI (../pki) with `openssl ocsp`.
# Re-runnable: every *.der here is replaced. See README.md for what each file is.
#
# `openssl ocsp` sets thisUpdate = producedAt = now; -ndays 9000 puts nextUpdate ~24.6 years
# later, so tests validating at a fixed time before nextUpdate see fresh responses.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pki="$here/../pki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -f ./*.der

serial() { openssl x509 -in "$pki/$1.pem" -noout -serial | cut -d= -f2; }
subject() { openssl x509 -in "$pki/$1.pem" -noout -subject -nameopt compat | sed 's/^subject=//'; }

# index.txt of the intermediate CA: every certificate it issued; signer-revoked revoked
# 2025-06-01 00:00:00Z, keyCompromise (as in intermediate-ca.crl.pem).
: >"$work/index.txt"
for c in signer-rsa2048 signer-rsa3072 signer-p256 signer-p384 icp-pf icp-pj icp-pf-badcpf \
         tsa ocsp signer-expired signer-notyet signer-revoked signer-rsa1024 signer-badku \
         signer-codesign; do
  exp="$(openssl x509 -in "$pki/$c.pem" -noout -enddate | cut -d= -f2)"
  expz="$(date -u -d "$exp" +%Y%m%d%H%M%SZ)"
  if [ "$c" = signer-revoked ]; then
    printf 'R\t%s\t%s\t%s\tunknown\t%s\n' "$expz" "250601000000Z,keyCompromise" "$(serial "$c")" "$(subject "$c")" >>"$work/index.txt"
  else
    printf 'V\t%s\t\t%s\tunknown\t%s\n' "$expz" "$(serial "$c")" "$(subject "$c")" >>"$work/index.txt"
  fi
done

# respond CERT OUT RESPONDER-CERT RESPONDER-KEY [extra request options]
respond() {
  local cert="$1" out="$2" rcert="$3" rkey="$4"
  shift 4
  openssl ocsp -issuer "$pki/intermediate-ca.pem" "$@" -cert "$pki/$cert.pem" -no_nonce \
    -reqout "$work/req.der" >/dev/null
  openssl ocsp -index "$work/index.txt" -CA "$pki/intermediate-ca.pem" \
    -rsigner "$pki/$rcert.pem" -rkey "$pki/$rkey.key.pem" -ndays 9000 \
    -reqin "$work/req.der" -respout "$here/$out" >/dev/null 2>&1
}

# delegated responder (ocsp.pem: id-kp-OCSPSigning, id-pkix-ocsp-nocheck, issued by the intermediate)
respond signer-rsa2048 signer-rsa2048.good.ocsp.der ocsp ocsp
respond signer-revoked signer-revoked.revoked.ocsp.der ocsp ocsp
respond signer-p256 signer-p256.good-sha256.ocsp.der ocsp ocsp -sha256
# another certificate's CertID (serves as "no response for this certificate")
respond signer-rsa3072 signer-rsa3072.good.ocsp.der ocsp ocsp
# signed directly by the issuing CA
respond signer-rsa2048 signer-rsa2048.good-by-ca.ocsp.der intermediate-ca intermediate-ca
respond signer-revoked signer-revoked.revoked-by-ca.ocsp.der intermediate-ca intermediate-ca
# signed by a certificate of the same CA that is not an OCSP responder (must be refused)
respond signer-rsa2048 signer-rsa2048.unauthorized.ocsp.der signer-rsa3072 signer-rsa3072

# self-check
for f in *.der; do
  openssl ocsp -respin "$f" -resp_text -noverify >/dev/null
done
check() { # FILE CERT EXPECTED-STATUS [DIGEST-OPTION]
  local out
  out="$(openssl ocsp -respin "$here/$1" -issuer "$pki/intermediate-ca.pem" ${4:-} -cert "$pki/$2.pem" \
    -CAfile "$pki/chain.pem" 2>&1 || true)"
  grep -q "$2.pem: $3" <<<"$out" || { echo "self-check failed for $1: $out" >&2; exit 1; }
  grep -q "Response verify OK" <<<"$out" || { echo "signature check failed for $1: $out" >&2; exit 1; }
}
check signer-rsa2048.good.ocsp.der signer-rsa2048 good
check signer-revoked.revoked.ocsp.der signer-revoked revoked
check signer-p256.good-sha256.ocsp.der signer-p256 good -sha256
check signer-rsa2048.good-by-ca.ocsp.der signer-rsa2048 good
check signer-revoked.revoked-by-ca.ocsp.der signer-revoked revoked
echo "OCSP responses written to $here"
