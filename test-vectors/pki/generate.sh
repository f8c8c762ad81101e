#!/usr/bin/env bash
# Test PKI generator for sigform.
#
# Regenerates every certificate, key, CRL and PKCS#12 file in this directory.
# Run from any working directory:   bash test-vectors/pki/generate.sh
#
# `bash test-vectors/pki/generate.sh --only NAME` issues NAME alone (a new key and
# certificate, from the CA already in this directory) and leaves every other file as it is:
# for adding one certificate without changing the keys the committed test vectors use.
#
# Requirements: OpenSSL 3.x with the legacy provider available (for the
# "-legacy" PKCS#12 files), python3 (only used to self-check CPF/CNPJ digits).
#
# All certificate dates, serial numbers, subjects, CRL times and the
# revocation time are fixed, so the certificate *contents* are stable apart
# from the freshly generated keys (and hence signatures / key identifiers)
# and the random salts/IVs of encrypted keys and PKCS#12 files.
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OPENSSL="${OPENSSL:-openssl}"
PASS="sigform"
ONLY=""
if [ "${1:-}" = "--only" ]; then ONLY="${2:?--only NAME}"; fi

GOOD_START="20240101000000Z"
GOOD_END="20501231235959Z"
EXPIRED_START="20200101000000Z"
EXPIRED_END="20211231235959Z"
NOTYET_START="20490101000000Z"
NOTYET_END="20501231235959Z"
# Revocation of signer-revoked (keyCompromise).
REVOKE_DATE_UTC="250601000000Z"        # 2025-06-01 00:00:00 UTC (UTCTime, as in index.txt)
# CRL times (fixed, so tests do not depend on when the generator ran).
CRL_LAST="20250602000000Z"             # thisUpdate 2025-06-02 00:00:00 UTC
CRL_NEXT="20501231235959Z"             # nextUpdate 2050-12-31 23:59:59 UTC

# ICP-Brasil identifiers (check digits verified below).
ICP_PF_BIRTH="15031980"                # 15/03/1980
ICP_PF_CPF="52998224725"               # 529.982.247-25 (valid)
ICP_PF_CPF_BAD="52998224726"           # wrong second check digit
ICP_NIS="00000000000"                  # 11 zeros
ICP_PF_RG="000000123456789"            # 15 chars
ICP_PF_RG_ISSUER="SSPSP     "          # 10 chars: issuer (SSP) + UF (SP), space padded
ICP_CEI="000000000000"                 # 12 zeros
ICP_TITULO="0000000000000000000"       # 19 zeros
ICP_PJ_CNPJ="11222333000181"           # 11.222.333/0001-81 (valid)
ICP_PJ_RESP_NAME="Maria Aparecida"
ICP_PJ_RESP_BIRTH="22071975"           # 22/07/1975
ICP_PJ_RESP_CPF="11144477735"          # 111.444.777-35 (valid)
ICP_PJ_RESP_RG="000000987654321"
ICP_PJ_RESP_RG_ISSUER="SSPRJ     "

# Fixed, distinct 16-byte positive serial numbers ("sigf" prefix).
SERIAL_PREFIX="736967660000000000000000"
declare -A SERIAL=(
  [root-ca]=00000001
  [intermediate-ca]=00000002
  [signer-rsa2048]=00001001
  [signer-rsa3072]=00001002
  [signer-p256]=00001003
  [signer-p384]=00001004
  [icp-pf]=00002001
  [icp-pj]=00002002
  [icp-pf-badcpf]=00002003
  [tsa]=00003001
  [ocsp]=00003002
  [tsa-rsa1024]=00003003
  [signer-expired]=00004001
  [signer-notyet]=00004002
  [signer-revoked]=00004003
  [signer-rsa1024]=00004004
  [signer-badku]=00004005
  [signer-codesign]=00004006
  [other-root-ca]=00009001
  [other-signer-rsa2048]=00009002
)

log() { printf '[generate.sh] %s\n' "$*" >&2; }

# --- self-check CPF / CNPJ check digits ------------------------------------
python3 - "$ICP_PF_CPF" "$ICP_PJ_RESP_CPF" "$ICP_PF_CPF_BAD" "$ICP_PJ_CNPJ" <<'PY'
import sys
def cpf_ok(c):
    if len(c) != 11 or not c.isdigit() or len(set(c)) == 1:
        return False
    d = [int(x) for x in c]
    a = sum(d[i] * (10 - i) for i in range(9)) * 10 % 11 % 10
    b = sum(d[i] * (11 - i) for i in range(10)) * 10 % 11 % 10
    return d[9] == a and d[10] == b
def cnpj_ok(c):
    if len(c) != 14 or not c.isdigit():
        return False
    d = [int(x) for x in c]
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    w2 = [6] + w1
    r = sum(x * w for x, w in zip(d, w1)) % 11
    a = 0 if r < 2 else 11 - r
    r = sum(x * w for x, w in zip(d, w2)) % 11
    b = 0 if r < 2 else 11 - r
    return d[12] == a and d[13] == b
pf, resp, bad, cnpj = sys.argv[1:]
assert cpf_ok(pf), pf
assert cpf_ok(resp), resp
assert not cpf_ok(bad), bad
assert cnpj_ok(cnpj), cnpj
PY

# --- clean previous outputs ------------------------------------------------
[ -n "$ONLY" ] || log "cleaning $OUT"
[ -n "$ONLY" ] || find "$OUT" -maxdepth 1 -type f \( -name '*.pem' -o -name '*.der' -o -name '*.p12' \) -delete

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# hex-encode an ASCII string (used for OCTET STRING otherName values, so that
# trailing spaces survive the OpenSSL config parser)
hexof() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# ICP-Brasil "dados pessoais" layout: birth(8) + CPF(11) + NIS(11) + RG(15) + issuer/UF(10) = 55
icp_person() {
  local v="$1$2$3$4$5"
  if [ "${#v}" -ne 55 ]; then log "bad ICP person field length ${#v}: '$v'"; exit 1; fi
  hexof "$v"
}

export ICP_PF_OID1_HEX ICP_PF_BAD_OID1_HEX ICP_CEI_HEX ICP_TITULO_HEX
export ICP_PJ_CNPJ_HEX ICP_PJ_RESP_NAME_HEX ICP_PJ_OID4_HEX
ICP_PF_OID1_HEX="$(icp_person "$ICP_PF_BIRTH" "$ICP_PF_CPF" "$ICP_NIS" "$ICP_PF_RG" "$ICP_PF_RG_ISSUER")"
ICP_PF_BAD_OID1_HEX="$(icp_person "$ICP_PF_BIRTH" "$ICP_PF_CPF_BAD" "$ICP_NIS" "$ICP_PF_RG" "$ICP_PF_RG_ISSUER")"
ICP_CEI_HEX="$(hexof "$ICP_CEI")"
ICP_TITULO_HEX="$(hexof "$ICP_TITULO")"
ICP_PJ_CNPJ_HEX="$(hexof "$ICP_PJ_CNPJ")"
ICP_PJ_RESP_NAME_HEX="$(hexof "$ICP_PJ_RESP_NAME")"
ICP_PJ_OID4_HEX="$(icp_person "$ICP_PJ_RESP_BIRTH" "$ICP_PJ_RESP_CPF" "$ICP_NIS" "$ICP_PJ_RESP_RG" "$ICP_PJ_RESP_RG_ISSUER")"

export SAN_EMAIL="unused@example.com"

# --- OpenSSL configuration ---------------------------------------------------
CNF="$WORK/openssl.cnf"
cat >"$CNF" <<'EOF'

[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no
[ req_dn ]
CN = placeholder

[ CA_root ]
dir             = $ENV::WORK/root
database        = $dir/index.txt
serial          = $dir/serial
crlnumber       = $dir/crlnumber
new_certs_dir   = $dir/newcerts
certificate     = $ENV::OUT/root-ca.pem
private_key     = $ENV::OUT/root-ca.key.pem
default_md      = sha256
default_crl_days = 8000
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
name_opt        = ca_default
cert_opt        = ca_default
string_mask     = utf8only
crl_extensions  = crl_ext

[ CA_int ]
dir             = $ENV::WORK/int
database        = $dir/index.txt
serial          = $dir/serial
crlnumber       = $dir/crlnumber
new_certs_dir   = $dir/newcerts
certificate     = $ENV::OUT/intermediate-ca.pem
private_key     = $ENV::OUT/intermediate-ca.key.pem
default_md      = sha256
default_crl_days = 8000
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
name_opt        = ca_default
cert_opt        = ca_default
string_mask     = utf8only
crl_extensions  = crl_ext

[ CA_other ]
dir             = $ENV::WORK/other
database        = $dir/index.txt
serial          = $dir/serial
crlnumber       = $dir/crlnumber
new_certs_dir   = $dir/newcerts
certificate     = $ENV::OUT/other-root-ca.pem
private_key     = $ENV::OUT/other-root-ca.key.pem
default_md      = sha256
default_crl_days = 8000
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
name_opt        = ca_default
cert_opt        = ca_default
string_mask     = utf8only
crl_extensions  = crl_ext

[ policy_any ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
emailAddress           = optional

[ crl_ext ]
authorityKeyIdentifier = keyid:always

# --- certificate profiles ---
[ v3_root ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign

[ v3_intermediate ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = critical, CA:true, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign

[ v3_signer ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = emailProtection
subjectAltName         = email:$ENV::SAN_EMAIL

[ v3_badku ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, keyEncipherment
extendedKeyUsage       = emailProtection
subjectAltName         = email:$ENV::SAN_EMAIL

[ v3_codesign ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = codeSigning
subjectAltName         = email:$ENV::SAN_EMAIL

[ v3_tsa ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = critical, timeStamping

[ v3_ocsp ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = OCSPSigning
noCheck                = ignored

[ v3_icp_pf ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation, keyEncipherment
extendedKeyUsage       = clientAuth, emailProtection
subjectAltName         = @san_icp_pf

[ san_icp_pf ]
email.0     = joao.silva@example.com
otherName.0 = 2.16.76.1.3.1;FORMAT:HEX,OCTETSTRING:$ENV::ICP_PF_OID1_HEX
otherName.1 = 2.16.76.1.3.6;FORMAT:HEX,OCTETSTRING:$ENV::ICP_CEI_HEX
otherName.2 = 2.16.76.1.3.5;FORMAT:HEX,OCTETSTRING:$ENV::ICP_TITULO_HEX

[ v3_icp_pf_bad ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation, keyEncipherment
extendedKeyUsage       = clientAuth, emailProtection
subjectAltName         = @san_icp_pf_bad

[ san_icp_pf_bad ]
email.0     = joao.silva@example.com
otherName.0 = 2.16.76.1.3.1;FORMAT:HEX,OCTETSTRING:$ENV::ICP_PF_BAD_OID1_HEX
otherName.1 = 2.16.76.1.3.6;FORMAT:HEX,OCTETSTRING:$ENV::ICP_CEI_HEX
otherName.2 = 2.16.76.1.3.5;FORMAT:HEX,OCTETSTRING:$ENV::ICP_TITULO_HEX

[ v3_icp_pj ]
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
basicConstraints       = CA:false
keyUsage               = critical, digitalSignature, nonRepudiation, keyEncipherment
extendedKeyUsage       = clientAuth, emailProtection
subjectAltName         = @san_icp_pj

[ san_icp_pj ]
email.0     = contato@example.com
otherName.0 = 2.16.76.1.3.4;FORMAT:HEX,OCTETSTRING:$ENV::ICP_PJ_OID4_HEX
otherName.1 = 2.16.76.1.3.2;FORMAT:HEX,OCTETSTRING:$ENV::ICP_PJ_RESP_NAME_HEX
otherName.2 = 2.16.76.1.3.3;FORMAT:HEX,OCTETSTRING:$ENV::ICP_PJ_CNPJ_HEX
otherName.3 = 2.16.76.1.3.7;FORMAT:HEX,OCTETSTRING:$ENV::ICP_CEI_HEX
EOF

export WORK OUT
export OPENSSL_CONF="$CNF"

for ca in root int other; do
  mkdir -p "$WORK/$ca/newcerts"
  : >"$WORK/$ca/index.txt"
  echo "unique_subject = no" >"$WORK/$ca/index.txt.attr"
  echo 01 >"$WORK/$ca/crlnumber"
done

# --- helpers ---------------------------------------------------------------
genkey() { # name type
  local name="$1" type="$2" key="$OUT/$1.key.pem"
  case "$type" in
    rsa1024|rsa2048|rsa3072|rsa4096)
      "$OPENSSL" genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${type#rsa}" -out "$key" 2>/dev/null ;;
    p256)
      "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$key" ;;
    p384)
      "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$key" ;;
    *) log "unknown key type $type"; exit 1 ;;
  esac
}

# issue NAME KEYTYPE CA(root|int|other|self-root|self-other) EXT SUBJ START END [EMAIL]
issue() {
  local name="$1" type="$2" ca="$3" ext="$4" subj="$5" start="$6" end="$7" email="${8:-unused@example.com}"
  local csr="$WORK/$name.csr" cadir section
  if [ -n "$ONLY" ] && [ "$name" != "$ONLY" ]; then return; fi
  log "issuing $name ($type, $ext, $start..$end)"
  genkey "$name" "$type"
  "$OPENSSL" req -new -utf8 -key "$OUT/$name.key.pem" -subj "$subj" -out "$csr"
  local extra=()
  case "$ca" in
    root)       section=CA_root;  cadir=root ;;
    int)        section=CA_int;   cadir=int ;;
    other)      section=CA_other; cadir=other ;;
    self-root)  section=CA_root;  cadir=root;  extra=(-selfsign -keyfile "$OUT/$name.key.pem") ;;
    self-other) section=CA_other; cadir=other; extra=(-selfsign -keyfile "$OUT/$name.key.pem") ;;
    *) log "unknown ca $ca"; exit 1 ;;
  esac
  echo "${SERIAL_PREFIX}${SERIAL[$name]}" >"$WORK/$cadir/serial"
  SAN_EMAIL="$email" "$OPENSSL" ca -batch -notext -utf8 -preserveDN \
    -config "$CNF" -name "$section" -extensions "$ext" \
    -startdate "$start" -enddate "$end" \
    "${extra[@]}" -in "$csr" -out "$OUT/$name.pem" 2>"$WORK/$name.ca.log" \
    || { cat "$WORK/$name.ca.log" >&2; exit 1; }
}

# --- CAs -------------------------------------------------------------------
issue root-ca         rsa4096 self-root v3_root \
  "/C=BR/O=sigform/CN=sigform Test Root CA" "$GOOD_START" "$GOOD_END"
issue intermediate-ca rsa3072 root      v3_intermediate \
  "/C=BR/O=sigform/CN=sigform Test Intermediate CA" "$GOOD_START" "$GOOD_END"
[ -n "$ONLY" ] || cat "$OUT/intermediate-ca.pem" "$OUT/root-ca.pem" >"$OUT/chain.pem"

# --- end-entity signers ----------------------------------------------------
issue signer-rsa2048 rsa2048 int v3_signer "/C=BR/O=sigform Test/CN=Alice RSA2048" "$GOOD_START" "$GOOD_END" alice@example.com
issue signer-rsa3072 rsa3072 int v3_signer "/C=BR/O=sigform Test/CN=Bob RSA3072"   "$GOOD_START" "$GOOD_END" bob@example.com
issue signer-p256    p256    int v3_signer "/C=BR/O=sigform Test/CN=Carol P256"    "$GOOD_START" "$GOOD_END" carol@example.com
issue signer-p384    p384    int v3_signer "/C=BR/O=sigform Test/CN=Dave P384"     "$GOOD_START" "$GOOD_END" dave@example.com

# --- ICP-Brasil style ------------------------------------------------------
issue icp-pf        rsa2048 int v3_icp_pf \
  "/C=BR/O=ICP-Brasil/OU=Pessoa Fisica A1/CN=João da Silva:${ICP_PF_CPF}" "$GOOD_START" "$GOOD_END"
issue icp-pf-badcpf rsa2048 int v3_icp_pf_bad \
  "/C=BR/O=ICP-Brasil/OU=Pessoa Fisica A1/CN=João da Silva:${ICP_PF_CPF_BAD}" "$GOOD_START" "$GOOD_END"
issue icp-pj        rsa2048 int v3_icp_pj \
  "/C=BR/O=ICP-Brasil/OU=Pessoa Juridica A1/CN=EMPRESA EXEMPLO LTDA:${ICP_PJ_CNPJ}" "$GOOD_START" "$GOOD_END"

# --- TSA and OCSP ----------------------------------------------------------
issue tsa  rsa2048 int v3_tsa  "/CN=sigform Test TSA"            "$GOOD_START" "$GOOD_END"
issue ocsp rsa2048 int v3_ocsp "/CN=sigform Test OCSP Responder" "$GOOD_START" "$GOOD_END"
# A TSA with a key too short today (past signature validation of timestamp tokens).
issue tsa-rsa1024 rsa1024 int v3_tsa "/CN=sigform Test TSA RSA1024" "$GOOD_START" "$GOOD_END"

# --- validity / revocation negatives ---------------------------------------
issue signer-expired  p256    int v3_signer "/C=BR/O=sigform Test/CN=Test Expired P256" "$EXPIRED_START" "$EXPIRED_END" expired@example.com
issue signer-notyet   p256    int v3_signer "/C=BR/O=sigform Test/CN=Test NotYet P256"  "$NOTYET_START"  "$NOTYET_END"  notyet@example.com
issue signer-revoked  rsa2048 int v3_signer "/C=BR/O=sigform Test/CN=Test Revoked RSA2048" "$GOOD_START" "$GOOD_END" revoked@example.com

# --- policy negatives ------------------------------------------------------
issue signer-rsa1024  rsa1024 int v3_signer   "/C=BR/O=sigform Test/CN=Test RSA1024"  "$GOOD_START" "$GOOD_END" rsa1024@example.com
issue signer-badku    rsa2048 int v3_badku    "/C=BR/O=sigform Test/CN=Test BadKU"    "$GOOD_START" "$GOOD_END" badku@example.com
issue signer-codesign rsa2048 int v3_codesign "/C=BR/O=sigform Test/CN=Test CodeSign" "$GOOD_START" "$GOOD_END" codesign@example.com

# --- separate untrusted hierarchy ------------------------------------------
issue other-root-ca        rsa3072 self-other v3_root \
  "/C=BR/O=sigform Other/CN=sigform Other Untrusted Root CA" "$GOOD_START" "$GOOD_END"
issue other-signer-rsa2048 rsa2048 other v3_signer \
  "/C=BR/O=sigform Other/CN=Eve RSA2048" "$GOOD_START" "$GOOD_END" eve@example.com

# --- one certificate only (--only NAME) -------------------------------------
if [ -n "$ONLY" ]; then
  [ -f "$OUT/$ONLY.pem" ] || { log "unknown name $ONLY"; exit 1; }
  "$OPENSSL" verify -CAfile "$OUT/root-ca.pem" -untrusted "$OUT/intermediate-ca.pem" "$OUT/$ONLY.pem" >/dev/null \
    || { log "FAIL: $ONLY does not verify"; exit 1; }
  chmod 0644 "$OUT/$ONLY.pem" "$OUT/$ONLY.key.pem"
  log "done: $ONLY.pem and $ONLY.key.pem in $OUT"
  exit 0
fi

# --- revocation + CRLs -----------------------------------------------------
log "revoking signer-revoked (keyCompromise)"
"$OPENSSL" ca -batch -config "$CNF" -name CA_int -revoke "$OUT/signer-revoked.pem" \
  -crl_reason keyCompromise 2>"$WORK/revoke.log" || { cat "$WORK/revoke.log" >&2; exit 1; }
# openssl ca always records "now" as the revocation time; pin it to the fixed
# date by rewriting the revocation field (3rd column) of the CA database.
awk -F'\t' -v OFS='\t' -v d="$REVOKE_DATE_UTC" \
  '$1=="R" { split($3, a, ","); $3 = d (a[2] != "" ? "," a[2] : "") } { print }' \
  "$WORK/int/index.txt" >"$WORK/int/index.txt.new"
mv "$WORK/int/index.txt.new" "$WORK/int/index.txt"
grep -q "	${REVOKE_DATE_UTC},keyCompromise	" "$WORK/int/index.txt" \
  || { log "failed to pin revocation date"; cat "$WORK/int/index.txt" >&2; exit 1; }

log "generating CRLs"
"$OPENSSL" ca -batch -config "$CNF" -name CA_int -gencrl \
  -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
  -out "$OUT/intermediate-ca.crl.pem" 2>"$WORK/crl.log" || { cat "$WORK/crl.log" >&2; exit 1; }
"$OPENSSL" crl -in "$OUT/intermediate-ca.crl.pem" -outform DER -out "$OUT/intermediate-ca.crl.der"
"$OPENSSL" ca -batch -config "$CNF" -name CA_root -gencrl \
  -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
  -out "$OUT/root-ca.crl.pem" 2>"$WORK/crl.log" || { cat "$WORK/crl.log" >&2; exit 1; }

# --- key format variants ---------------------------------------------------
log "writing key format variants"
"$OPENSSL" pkey -in "$OUT/signer-rsa2048.key.pem" -traditional -out "$OUT/signer-rsa2048.pkcs1.pem"
"$OPENSSL" pkcs8 -topk8 -nocrypt -in "$OUT/signer-rsa2048.key.pem" -outform DER -out "$OUT/signer-rsa2048.key.der"
"$OPENSSL" pkcs8 -topk8 -in "$OUT/signer-rsa2048.key.pem" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out "$OUT/signer-rsa2048.enc.key.pem"
"$OPENSSL" pkcs8 -topk8 -in "$OUT/signer-rsa2048.key.pem" -v2 des3 -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out "$OUT/signer-rsa2048.enc-3des.key.pem"
"$OPENSSL" x509 -in "$OUT/signer-rsa2048.pem" -outform DER -out "$OUT/signer-rsa2048.cert.der"
"$OPENSSL" ec -in "$OUT/signer-p256.key.pem" -out "$OUT/signer-p256.sec1.pem" 2>/dev/null
"$OPENSSL" ec -in "$OUT/signer-p256.key.pem" -outform DER -out "$OUT/signer-p256.sec1.der" 2>/dev/null
"$OPENSSL" pkcs8 -topk8 -in "$OUT/signer-p256.key.pem" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out "$OUT/signer-p256.enc.key.pem"

# --- PKCS#12 ---------------------------------------------------------------
log "writing PKCS#12 files"
p12() { # name friendly-name out [extra args...]
  local name="$1" fname="$2" out="$3"; shift 3
  "$OPENSSL" pkcs12 -export -inkey "$OUT/$name.key.pem" -in "$OUT/$name.pem" \
    -certfile "$OUT/chain.pem" -name "$fname" -passout "pass:$PASS" "$@" -out "$OUT/$out"
}
p12 signer-rsa2048 "Alice RSA2048"             signer-rsa2048.p12
p12 signer-rsa2048 "Alice RSA2048"             signer-rsa2048-legacy.p12 -legacy
p12 signer-p256    "Carol P256"                signer-p256.p12
p12 icp-pf         "João da Silva:${ICP_PF_CPF}" icp-pf.p12
p12 icp-pf         "João da Silva:${ICP_PF_CPF}" icp-pf-legacy.p12 -legacy

# --- self-verification -------------------------------------------------------
log "verifying"
fail=0
for c in intermediate-ca signer-rsa2048 signer-rsa3072 signer-p256 signer-p384 icp-pf icp-pf-badcpf icp-pj \
         tsa tsa-rsa1024 ocsp signer-revoked signer-rsa1024 signer-badku signer-codesign; do
  if ! "$OPENSSL" verify -CAfile "$OUT/root-ca.pem" -untrusted "$OUT/intermediate-ca.pem" \
       "$OUT/$c.pem" >/dev/null 2>&1; then
    log "FAIL: $c does not verify"; fail=1
  fi
done
"$OPENSSL" verify -CAfile "$OUT/root-ca.pem" "$OUT/root-ca.pem" >/dev/null
"$OPENSSL" verify -CAfile "$OUT/other-root-ca.pem" "$OUT/other-signer-rsa2048.pem" >/dev/null
for c in signer-expired signer-notyet other-signer-rsa2048; do
  if "$OPENSSL" verify -CAfile "$OUT/root-ca.pem" -untrusted "$OUT/intermediate-ca.pem" \
       "$OUT/$c.pem" >/dev/null 2>&1; then
    log "FAIL: $c unexpectedly verifies"; fail=1
  fi
done
if "$OPENSSL" verify -crl_check -CAfile "$OUT/root-ca.pem" -untrusted "$OUT/intermediate-ca.pem" \
     -CRLfile "$OUT/intermediate-ca.crl.pem" "$OUT/signer-revoked.pem" >/dev/null 2>&1; then
  log "FAIL: signer-revoked not reported revoked"; fail=1
fi
"$OPENSSL" verify -crl_check -CAfile "$OUT/root-ca.pem" -untrusted "$OUT/intermediate-ca.pem" \
  -CRLfile "$OUT/intermediate-ca.crl.pem" "$OUT/signer-rsa2048.pem" >/dev/null
for f in signer-rsa2048.p12 signer-p256.p12 icp-pf.p12; do
  "$OPENSSL" pkcs12 -in "$OUT/$f" -info -noout -passin "pass:$PASS" 2>/dev/null
done
for f in signer-rsa2048-legacy.p12 icp-pf-legacy.p12; do
  "$OPENSSL" pkcs12 -in "$OUT/$f" -info -noout -legacy -passin "pass:$PASS" 2>/dev/null
done
check_head() { # file expected-first-line
  if [ "$(head -n1 "$OUT/$1")" != "$2" ]; then log "FAIL: $1 does not start with '$2'"; fail=1; fi
}
check_head signer-rsa2048.key.pem          "-----BEGIN PRIVATE KEY-----"
check_head signer-p256.key.pem             "-----BEGIN PRIVATE KEY-----"
check_head signer-rsa2048.pkcs1.pem        "-----BEGIN RSA PRIVATE KEY-----"
check_head signer-p256.sec1.pem            "-----BEGIN EC PRIVATE KEY-----"
check_head signer-rsa2048.enc.key.pem      "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check_head signer-rsa2048.enc-3des.key.pem "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check_head signer-p256.enc.key.pem         "-----BEGIN ENCRYPTED PRIVATE KEY-----"
# PKCS#8 DER: SEQUENCE { INTEGER 0, SEQUENCE { rsaEncryption ... } ... }
"$OPENSSL" asn1parse -inform DER -in "$OUT/signer-rsa2048.key.der" | sed -n 4p | grep -q rsaEncryption \
  || { log "FAIL: signer-rsa2048.key.der is not PKCS#8"; fail=1; }
# SEC1 DER: SEQUENCE { INTEGER 1, OCTET STRING, [0] prime256v1, [1] ... }
"$OPENSSL" asn1parse -inform DER -in "$OUT/signer-p256.sec1.der" | sed -n 5p | grep -q prime256v1 \
  || { log "FAIL: signer-p256.sec1.der is not SEC1"; fail=1; }
for f in signer-rsa2048.enc.key.pem signer-rsa2048.enc-3des.key.pem signer-p256.enc.key.pem; do
  "$OPENSSL" pkey -in "$OUT/$f" -passin "pass:$PASS" -noout || { log "FAIL: cannot decrypt $f"; fail=1; }
done
[ "$fail" = 0 ] || { log "verification failed"; exit 1; }
# Test keys are public; make them readable like every other test vector.
find "$OUT" -maxdepth 1 -type f \( -name '*.pem' -o -name '*.der' -o -name '*.p12' \) -exec chmod 0644 {} +
log "done: $(find "$OUT" -maxdepth 1 -type f \( -name '*.pem' -o -name '*.der' -o -name '*.p12' \) | wc -l) files in $OUT"
