#!/usr/bin/env bash
# Test vectors for the algorithms real-world signers use (issue #14 item 6):
# ECDSA P-521, ECDSA with SHA-224 / SHA-512 / SHA3-*, Ed25519 and Ed448 (RFC 8410, RFC 8419),
# RSA PKCS#1 v1.5 with SHA-224 / SHA3-*, RSASSA-PSS with other salt lengths and an MGF1 hash
# other than the message hash, and a 1024-bit RSA signer (refused by policy).
#
# Run from any directory:  bash test-vectors/algs/generate.sh
# Needs OpenSSL 3.x. Certificates chain to test-vectors/pki/root-ca.pem: two CAs whose keys
# are new algorithms (Ed25519, P-521) are issued by the test root, so that certificate
# signatures use the algorithms too. Serials are fixed; dates, keys and signatures are fresh.
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKI="$OUT/../pki"
OPENSSL="${OPENSSL:-openssl}"
# OpenSSL 3.0's x509 has no -not_before: certificates start when generated.
DAYS=9000
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
log() { printf '[algs/generate.sh] %s\n' "$*" >&2; }

cat >"$WORK/ext.cnf" <<'CNF'
[ ca ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = critical, CA:true, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
[ signer ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = emailProtection
CNF

genkey() { # name type
  local key="$OUT/$1.key.pem"
  case "$2" in
    ed25519|ed448) "$OPENSSL" genpkey -algorithm "$2" -out "$key" ;;
    p256|p384|p521) "$OPENSSL" genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:P-${2#p}" \
                      -pkeyopt ec_param_enc:named_curve -out "$key" ;;
    rsa2048) "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null ;;
    *) log "unknown key type $2"; exit 1 ;;
  esac
}

# issue NAME KEYTYPE ISSUER-CERT ISSUER-KEY EXT SERIAL CN [x509 signing options...]
issue() {
  local name="$1" type="$2" icert="$3" ikey="$4" ext="$5" serial="$6" cn="$7"
  shift 7
  log "issuing $name ($type) by $(basename "$icert" .pem) $*"
  genkey "$name" "$type"
  "$OPENSSL" req -new -key "$OUT/$name.key.pem" -subj "/C=BR/O=sigform Test/CN=$cn" \
    -out "$WORK/$name.csr"
  "$OPENSSL" x509 -req -in "$WORK/$name.csr" -CA "$icert" -CAkey "$ikey" \
    -set_serial "0x7369676661${serial}" -days "$DAYS" \
    -extfile "$WORK/ext.cnf" -extensions "$ext" "$@" -out "$OUT/$name.pem"
}

ROOT="$PKI/root-ca.pem"
ROOTKEY="$PKI/root-ca.key.pem"
INT="$PKI/intermediate-ca.pem"
INTKEY="$PKI/intermediate-ca.key.pem"

# CAs with new-algorithm keys, issued by the test root (RSA).
issue ca-ed25519 ed25519 "$ROOT" "$ROOTKEY" ca 0001 "sigform Test Ed25519 CA" -sha256
issue ca-p521    p521    "$ROOT" "$ROOTKEY" ca 0002 "sigform Test P-521 CA" -sha256

# Signers. The certificate signature algorithms: Ed25519, ecdsa-with-SHA512 and
# ecdsa-with-SHA3-256 (P-521 CA), RSASSA-PSS with SHA-384 / MGF1-SHA-512 / salt 20.
issue signer-ed25519 ed25519 "$OUT/ca-ed25519.pem" "$OUT/ca-ed25519.key.pem" signer 1001 "Dora Ed25519"
issue signer-p521    p521    "$OUT/ca-p521.pem" "$OUT/ca-p521.key.pem" signer 1002 "Erin P521" -sha512
issue signer-p256    p256    "$OUT/ca-p521.pem" "$OUT/ca-p521.key.pem" signer 1003 "Fay P256 SHA3" -sha3-256
issue signer-rsa     rsa2048 "$INT" "$INTKEY" signer 1004 "Gus RSA-PSS" -sha384 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 -sigopt rsa_mgf1_md:sha512
issue signer-ed448   ed448   "$INT" "$INTKEY" signer 1005 "Hal Ed448" -sha256

cat "$OUT/ca-ed25519.pem" >"$OUT/chain-ed25519.pem"
cat "$OUT/ca-p521.pem" >"$OUT/chain-p521.pem"
cat "$INT" >"$OUT/chain-int.pem"

printf 'sigform algorithm test content: the quick brown fox jumps over the lazy dog.\n' \
  >"$OUT/content.txt"

# sign NAME SIGNER CHAIN [cms options...]: NAME.p7s (detached) and NAME.p7m (attached), DER.
sign() {
  local name="$1" signer="$2" chain="$3"
  shift 3
  log "signing $name ($signer $*)"
  "$OPENSSL" cms -sign -in "$OUT/content.txt" -signer "$OUT/$signer.pem" \
    -inkey "$OUT/$signer.key.pem" -certfile "$chain" -binary -outform DER -nosmimecap "$@" \
    -out "$OUT/$name.p7s"
  "$OPENSSL" cms -sign -in "$OUT/content.txt" -signer "$OUT/$signer.pem" \
    -inkey "$OUT/$signer.key.pem" -certfile "$chain" -binary -outform DER -nosmimecap -nodetach "$@" \
    -out "$OUT/$name.p7m"
}

# OpenSSL 3.0 cannot sign CMS with EdDSA ("invalid digest"): ed25519.p7s / .p7m come from
# pyHanko (Python cryptography) below, and OpenSSL verifies them.
# OpenSSL 3.0 cannot sign CMS with Ed448 ("invalid digest"): only the Ed448 certificate is made.
sign p521-sha512        signer-p521    "$OUT/chain-p521.pem" -md sha512
sign p521-sha224        signer-p521    "$OUT/chain-p521.pem" -md sha224
sign p256-sha512        signer-p256    "$OUT/chain-p521.pem" -md sha512
sign p256-sha224        signer-p256    "$OUT/chain-p521.pem" -md sha224
# OpenSSL 3.0 CMS refuses ECDSA with SHA-3 ("unsupported signature algorithm"): pyHanko
# makes p256-sha3-256 below.
sign rsa-sha224         signer-rsa     "$OUT/chain-int.pem" -md sha224
sign rsa-sha3-256       signer-rsa     "$OUT/chain-int.pem" -md sha3-256
sign rsa-sha3-512       signer-rsa     "$OUT/chain-int.pem" -md sha3-512
pss() { # name md salt mgf1
  sign "$1" signer-rsa "$OUT/chain-int.pem" -md "$2" -keyopt rsa_padding_mode:pss \
    -keyopt "rsa_pss_saltlen:$3" -keyopt "rsa_mgf1_md:$4"
}
pss pss-sha256-mgf512-salt0   sha256   0   sha512
pss pss-sha256-mgf256-salt20  sha256   20  sha256
pss pss-sha512-mgf256-salt64  sha512   64  sha256
pss pss-sha256-salt-max       sha256   max sha256
pss pss-sha1-defaults         sha1     20  sha1
# A 1024-bit RSA signer from the shared test PKI (policy: INDETERMINATE, key size reported).
log "signing rsa1024"
"$OPENSSL" cms -sign -in "$OUT/content.txt" -signer "$PKI/signer-rsa1024.pem" \
  -inkey "$PKI/signer-rsa1024.key.pem" -certfile "$INT" -binary -outform DER -nosmimecap \
  -md sha256 -out "$OUT/rsa1024.p7s"

PY="${SIGFORM_VENV:-/work/main/.venv-interop}/bin/python"
log "signing ed25519 with pyHanko ($PY)"
"$PY" - "$OUT" <<'PYEOF'
import asyncio, sys
from pyhanko.sign import signers
from asn1crypto import cms
out = sys.argv[1]
signer = signers.SimpleSigner.load(
    f"{out}/signer-ed25519.key.pem", f"{out}/signer-ed25519.pem",
    ca_chain_files=(f"{out}/chain-ed25519.pem",))
data = open(f"{out}/content.txt", "rb").read()
for detached, ext in ((True, "p7s"), (False, "p7m")):
    ci = asyncio.run(signer.async_sign_general_data(data, "sha512", detached=detached))
    open(f"{out}/ed25519.{ext}", "wb").write(ci.dump())
# ECDSA with SHA3-256 (OpenSSL 3.0 CMS refuses it).
signer = signers.SimpleSigner.load(
    f"{out}/signer-p256.key.pem", f"{out}/signer-p256.pem",
    ca_chain_files=(f"{out}/chain-p521.pem",))
for detached, ext in ((True, "p7s"), (False, "p7m")):
    ci = asyncio.run(signer.async_sign_general_data(data, "sha3_256", detached=detached))
    open(f"{out}/p256-sha3-256.{ext}", "wb").write(ci.dump())
PYEOF

# Ed25519 without signed attributes (RFC 8419 §3.1: the signature covers the content itself),
# attached and detached, built with asn1crypto and pyca/cryptography.
log "signing ed25519-noattr (no signed attributes)"
"$PY" - "$OUT" <<'PYEOF'
import sys
from asn1crypto import cms, pem, x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
out = sys.argv[1]
cert = lambda p: x509.Certificate.load(pem.unarmor(open(p, 'rb').read())[2])
leaf, ca = cert(f"{out}/signer-ed25519.pem"), cert(f"{out}/ca-ed25519.pem")
key = load_pem_private_key(open(f"{out}/signer-ed25519.key.pem", 'rb').read(), None)
data = open(f"{out}/content.txt", 'rb').read()
for detached, ext in ((True, "p7s"), (False, "p7m")):
    si = cms.SignerInfo({
        'version': 'v1',
        'sid': cms.SignerIdentifier({'issuer_and_serial_number': cms.IssuerAndSerialNumber(
            {'issuer': leaf.issuer, 'serial_number': leaf.serial_number})}),
        'digest_algorithm': {'algorithm': 'sha512'},
        'signature_algorithm': {'algorithm': 'ed25519'},
        'signature': key.sign(data),
    })
    sd = cms.SignedData({
        'version': 'v1',
        'digest_algorithms': [{'algorithm': 'sha512'}],
        'encap_content_info': {'content_type': 'data', 'content': None if detached else data},
        'certificates': [leaf, ca],
        'signer_infos': [si],
    })
    ci = cms.ContentInfo({'content_type': 'signed_data', 'content': sd})
    open(f"{out}/ed25519-noattr.{ext}", "wb").write(ci.dump())
PYEOF

# PAdES with the new algorithms, by pyHanko.
PYHANKO="${SIGFORM_VENV:-/work/main/.venv-interop}/bin/pyhanko"
pades() { # name signer chain [addsig options]
  log "PAdES $1 with pyHanko"
  "$PYHANKO" sign addsig --field Sig1 "${@:4}" pemder --key "$OUT/$2.key.pem" --cert "$OUT/$2.pem" \
    --chain "$3" --no-pass "$OUT/../docs/sample-2pages.pdf" "$OUT/$1.pdf"
}
pades pades-ed25519 signer-ed25519 "$OUT/chain-ed25519.pem"
pades pades-p521    signer-p521    "$OUT/chain-p521.pem"
pades pades-rsa-pss signer-rsa     "$OUT/chain-int.pem" --prefer-pss

# Every file must verify with OpenSSL against the test root. OpenSSL 3.0 verifies no CMS
# EdDSA signature and no certificate signed with ECDSA-SHA3 (the P-256 signer's): for those the
# signature alone is checked (-noverify), or nothing (Ed25519; pyHanko judges it in the tests).
for f in "$OUT"/*.p7s "$OUT"/*.p7m; do
  case "$f" in *.p7s) extra=(-content "$OUT/content.txt") ;; *) extra=() ;; esac
  case "$(basename "$f")" in
    ed25519*) log "$(basename "$f"): not checked (OpenSSL 3.0 has no CMS EdDSA)"; continue ;;
    p256-*) extra+=(-noverify) ;;
  esac
  "$OPENSSL" cms -verify -binary -inform DER -in "$f" "${extra[@]}" -CAfile "$ROOT" \
    -purpose any -out /dev/null 2>"$WORK/verify.log" \
    || { log "OpenSSL does not verify $(basename "$f")"; cat "$WORK/verify.log" >&2; exit 1; }
done
log "done"
