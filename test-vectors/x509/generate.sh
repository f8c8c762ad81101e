#!/usr/bin/env bash
# Extra certificates for path-building tests, on top of the test PKI (../pki). Re-runnable:
# every *.pem / *.der here is replaced. See README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pki="$here/../pki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -f ./*.pem ./*.der

cat >"$work/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = email:cycle@example.com
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$here/$1.key.pem" 2>/dev/null; }
# issue NAME SUBJECT ISSUER-CERT ISSUER-KEY SECTION SERIAL
issue() {
  openssl req -new -key "$here/$1.key.pem" -subj "$2" -out "$work/$1.csr" 2>/dev/null
  openssl x509 -req -in "$work/$1.csr" -CA "$3" -CAkey "$4" -set_serial "$6" -days 9000 \
    -sha256 -extfile "$work/ext.cnf" -extensions "$5" -out "$here/$7.pem" 2>/dev/null
}

key cycle-a
key cycle-b
key cycle-leaf
# CA A and CA B certify each other; B is also certified by the test root.
# A needs a certificate first to sign B: bootstrap with a throw-away self-signed A.
openssl req -new -x509 -key cycle-a.key.pem -subj "/CN=sigform Cycle CA A" -days 9000 \
  -out "$work/a-self.pem" 2>/dev/null
openssl req -new -x509 -key cycle-b.key.pem -subj "/CN=sigform Cycle CA B" -days 9000 \
  -out "$work/b-self.pem" 2>/dev/null
issue cycle-a "/CN=sigform Cycle CA A" "$work/b-self.pem" cycle-b.key.pem ca 0x5101 cycle-a-by-b
issue cycle-b "/CN=sigform Cycle CA B" "$work/a-self.pem" cycle-a.key.pem ca 0x5102 cycle-b-by-a
issue cycle-b "/CN=sigform Cycle CA B" "$pki/root-ca.pem" "$pki/root-ca.key.pem" ca 0x5103 cycle-b-by-root
issue cycle-leaf "/C=BR/O=sigform Test/CN=Cycle Leaf" cycle-a-by-b.pem cycle-a.key.pem leaf 0x5104 cycle-leaf

# A CRL of the test root revoking the intermediate CA (2026-01-01, cACompromise).
mkdir -p "$work/ca"
: >"$work/ca/index.txt"
echo 01 >"$work/ca/crlnumber"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = root
[root]
database = $work/ca/index.txt
crlnumber = $work/ca/crlnumber
certificate = $pki/root-ca.pem
private_key = $pki/root-ca.key.pem
default_md = sha256
default_crl_days = 9000
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF
openssl ca -config "$work/ca.cnf" -revoke "$pki/intermediate-ca.pem" -crl_reason cACompromise \
  >/dev/null 2>&1
sed -i 's/\t[0-9]\{12\}Z,CACompromise\t/\t260101000000Z,CACompromise\t/' "$work/ca/index.txt"
openssl ca -config "$work/ca.cnf" -gencrl -out "$work/crl.pem" >/dev/null 2>&1
openssl crl -in "$work/crl.pem" -outform DER -out root-revokes-intermediate.crl.der

# self-check
openssl verify -CAfile "$pki/root-ca.pem" -untrusted <(cat cycle-a-by-b.pem cycle-b-by-root.pem) \
  cycle-leaf.pem >/dev/null
openssl crl -in root-revokes-intermediate.crl.der -inform DER -noout -text | grep -q "Jan  1 00:00:00 2026 GMT"
echo "written to $here"
