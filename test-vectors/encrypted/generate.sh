#!/bin/sh
# Encrypted copies of ../docs/sample-2pages.pdf made with qpdf (standard security handler),
# empty user password unless the name says "userpw" (user password "user"); owner password
# "owner". Signed copies are made with pyHanko (see the end).
set -eu
cd "$(dirname "$0")"
src=../docs/sample-2pages.pdf
qpdf --allow-weak-crypto --encrypt '' owner 40 -- "$src" rc4-40.pdf
qpdf --allow-weak-crypto --encrypt '' owner 128 --use-aes=n -- "$src" rc4-128.pdf
qpdf --encrypt '' owner 128 --use-aes=y -- "$src" aes-128.pdf
qpdf --encrypt '' owner 256 -- "$src" aes-256.pdf
qpdf --encrypt user owner 256 -- "$src" aes-256-userpw.pdf
qpdf --allow-weak-crypto --encrypt user owner 128 --use-aes=n -- "$src" rc4-128-userpw.pdf
# Object streams inside an AES-128 file.
qpdf --object-streams=generate --encrypt '' owner 128 --use-aes=y -- "$src" aes-128-objstm.pdf
# Signed by pyHanko (a judge) with the test PKI: pyHanko opens them with the owner password
# and encrypts its update's strings and streams with the file key.
for f in aes-128 aes-256 rc4-40 rc4-128; do
  echo owner | pyhanko sign addsig --field Sig1 pemder --key ../pki/signer-rsa2048.key.pem \
    --cert ../pki/signer-rsa2048.pem --chain ../pki/intermediate-ca.pem --no-pass \
    "$f.pdf" "signed-pyhanko-$f.pdf"
done
