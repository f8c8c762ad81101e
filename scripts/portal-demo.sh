#!/usr/bin/env bash
# The seed's flow against a sigform portal, with curl (issue #16):
#   scripts/portal-demo.sh OUTDIR
# Starts a portal on a free local port (or uses PORTAL_URL + SIGFORM_PORTAL_TOKEN when both are
# set), uploads docs/sample-2pages.pdf, creates a CAdES document with one digital (João, step 1),
# one electronic (Maria, step 2) and one server signer (step 3), signs each (the digital
# two-step: prepare with curl, the signature value with `sigform sign raw` and the demo key,
# finish with curl), downloads every IncludeOriginal / IncludeManifest / Zipped combination,
# then the same flow as PAdES, stops what it started, and leaves in OUTDIR:
#   root.pem partial.zip full.zip full.json bare.zip signed.pdf (and combos/ with the rest)
# then checks them with `sigform package verify` and `sigform verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:?usage: scripts/portal-demo.sh OUTDIR}"
mkdir -p "$OUT/combos"
OUT="$(cd "$OUT" && pwd)"
PKI=test-vectors/pki
WORK="$(mktemp -d)"
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build -q --bin sigform
cargo build -q -p sigform-portal --bin sigform-portal
SIGFORM=target/debug/sigform

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

if [ -n "${PORTAL_URL:-}" ] && [ -n "${SIGFORM_PORTAL_TOKEN:-}" ]; then
    URL="$PORTAL_URL"; TOKEN="$SIGFORM_PORTAL_TOKEN"
else
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
    URL="http://127.0.0.1:$PORT"
    SIGFORM_PORTAL_TOKEN="$TOKEN" target/debug/sigform-portal --listen "127.0.0.1:$PORT" \
        --data "$WORK/data" >"$WORK/portal.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do
        curl -sf "$URL/healthz" >/dev/null 2>&1 && break
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/portal.log"; exit 1; }
        sleep 0.1
    done
    echo "portal $URL (pid $PID)"
fi
AUTH=(-H "Authorization: Bearer $TOKEN")
api() { curl -sS --fail-with-body "${AUTH[@]}" "$@"; }
sign() { curl -sS --fail-with-body -H 'content-type: application/json' "$@"; }

curl -sS --fail-with-body "$URL/api/trust" -o "$OUT/root.pem"

# A small graphism (PNG) for the electronic signer.
python3 - "$WORK/graphism.png" <<'PY'
import math, struct, sys, zlib
w, h = 240, 80
px = [[0] * w for _ in range(h)]
for i in range(1200):
    t = i / 1200
    x, y = int(10 + 220 * t), int(40 - 22 * math.cos(t * 25) * (1 - t / 2))
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if 0 <= x + dx < w and 0 <= y + dy < h:
                px[y + dy][x + dx] = 1
raw = b"".join(b"\0" + bytes(sum(([20, 40, 140, 255] if v else [0, 0, 0, 0] for v in row), [])) for row in px)
def chunk(t, d):
    c = struct.pack(">I", len(d)) + t + d
    return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
GRAPHISM="data:image/png;base64,$(base64 -w0 "$WORK/graphism.png")"

# One document through the whole flow; FORMAT is CAdES or PAdES; answers the document id.
flow() {
    local format="$1" partial_out="$2"
    local upload doc id sha digital electronic prepared tbs status
    upload="$(api -X POST --data-binary @test-vectors/docs/sample-2pages.pdf "$URL/api/uploads" | json 'd["uploadId"]')"
    doc="$(api -X POST -H 'content-type: application/json' "$URL/api/documents" -d @- <<JSON
{"name": "contrato.pdf", "uploadId": "$upload", "format": "$format",
 "sender": {"name": "Ana Remetente", "email": "ana@example.com"},
 "signers": [{"name": "João da Silva", "email": "joao.silva@example.com",
              "individualIdentificationCode": "529.982.247-25", "step": 1}],
 "electronicSigners": [{"name": "Maria da Conceição", "email": "maria@example.com",
              "individualIdentificationCode": "390.533.447-05", "step": 2}],
 "serverSigners": [{"name": "EMPRESA EXEMPLO LTDA", "email": "contato@example.com",
              "companyIdentificationCode": "11.222.333/0001-81",
              "certificateId": "demo-server", "step": 3}]}
JSON
)"
    id="$(echo "$doc" | json 'd["id"]')"
    sha="$(echo "$doc" | json 'd["sha256"]')"
    digital="$(echo "$doc" | json '[p["key"] for p in d["participants"] if p["kind"]=="digital"][0]')"
    electronic="$(echo "$doc" | json '[p["key"] for p in d["participants"] if p["kind"]=="electronic"][0]')"
    echo "$format document $id: 3 participants in steps 1-2-3" >&2

    # Step 1, digital two-step: prepare, sign the bytes with the demo key, finish.
    prepared="$(python3 -c 'import json,sys; print(json.dumps({"certificateChain": open(sys.argv[1]).read() + open(sys.argv[2]).read()}))' \
        "$PKI/icp-pf.pem" "$PKI/intermediate-ca.pem" | sign -X POST "$URL/sign/$digital/prepare" -d @-)"
    echo "$prepared" | json 'd["toBeSigned"]' | base64 -d >"$WORK/tbs.der"
    "$SIGFORM" sign raw "$WORK/tbs.der" -o "$WORK/value.bin" --key "$PKI/icp-pf.key.pem" \
        --cert "$PKI/icp-pf.pem" >&2
    sign -X POST "$URL/sign/$digital/finish" -d "{\"signature\": \"$(base64 -w0 "$WORK/value.bin")\"}" >/dev/null
    echo "  step 1: João signed (digital)" >&2
    api "$URL/api/packages/$id" -o "$partial_out"

    # Step 2, electronic: graphism and the document hash seen.
    sign -X POST "$URL/sign/$electronic/electronic" \
        -d "{\"graphism\": \"$GRAPHISM\", \"documentSha256\": \"$sha\"}" >/dev/null
    echo "  step 2: Maria signed (electronic)" >&2

    # Step 3: the server signs by itself; follow the document until it is done.
    for _ in $(seq 1 300); do
        status="$(api "$URL/api/documents/$id" | json 'd["status"] + " " + str(d["verdict"])')"
        [ "${status%% *}" = signed ] && break
        sleep 0.2
    done
    echo "  step 3: the server signed; $status" >&2
    echo "$id"
}

CADES="$(flow CAdES "$OUT/partial.zip")"
for original in true false; do
    for manifest in true false; do
        for zipped in true false; do
            ext=zip; [ "$zipped" = false ] && ext=json
            api "$URL/api/packages/$CADES?includeOriginal=$original&includeManifest=$manifest&zipped=$zipped" \
                -o "$OUT/combos/original-$original-manifest-$manifest.$ext"
        done
    done
done
cp "$OUT/combos/original-true-manifest-true.zip" "$OUT/full.zip"
cp "$OUT/combos/original-true-manifest-true.json" "$OUT/full.json"
cp "$OUT/combos/original-false-manifest-false.zip" "$OUT/bare.zip"
PADES="$(flow PAdES "$WORK/partial.pdf")"
api "$URL/api/packages/$PADES" -o "$OUT/signed.pdf"

echo "== checks"
fail=0
check() { if "$@" >/dev/null 2>&1; then echo "ok:   $*"; else echo "FAIL: $*"; fail=1; fi; }
for f in "$OUT"/full.zip "$OUT"/full.json "$OUT"/bare.zip "$OUT"/combos/*; do
    check "$SIGFORM" package verify "$f" --trust "$OUT/root.pem"
done
"$SIGFORM" package verify "$OUT/partial.zip" --trust "$OUT/root.pem" >/dev/null 2>&1 && rc=0 || rc=$?
if [ "$rc" = 1 ]; then echo "ok:   partial.zip exits 1 (PARTLY SIGNED)"; else echo "FAIL: partial.zip exit $rc"; fail=1; fi
check "$SIGFORM" package verify "$OUT/partial.zip" --trust "$OUT/root.pem" --allow-partial
check "$SIGFORM" verify "$OUT/signed.pdf" --trust "$OUT/root.pem"
ls -l "$OUT"
exit "$fail"
