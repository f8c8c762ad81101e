#!/usr/bin/env bash
# Side-by-side comparison, on the same inputs in one run: sigform against `openssl cms` (CAdES)
# and pyHanko (PAdES). Prints a Markdown table (wall time, peak RSS, ratios) and writes it into
# BENCHMARKS.md between the compare.sh markers, with the machine and the date; the hand-written
# notes around the markers are kept.
#
#   scripts/compare.sh              # full run (1 GiB and 120 MB inputs: ~5 minutes, 3 GiB of disk)
#   COMPARE_QUICK=1 scripts/compare.sh   # small sizes, for trying the script (does not write BENCHMARKS.md)
#
# Needs: the judges of scripts/install-deps.sh (openssl, pyHanko in .venv-interop or
# SIGFORM_VENV), GNU time (/usr/bin/time), bc. Each row runs REPEAT times (default 3; the
# 1 GiB rows once) and reports the median time and the largest peak RSS. Every output is
# cross-checked: each tool must accept what it is timed on, or the script fails.
# Ratio = peer time / sigform time (above 1: sigform is faster); RSS ratio likewise.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
S=$root/target/release/sigform
G=$root/target/release/examples/gen_pdf
P=$root/test-vectors/pki
VENV=${SIGFORM_VENV:-$root/.venv-interop}
PYHANKO=$VENV/bin/pyhanko
REPEAT=${REPEAT:-3}
QUICK=${COMPARE_QUICK:-0}
W=$(mktemp -d "${TMPDIR:-/tmp}/sigform-compare.XXXXXX")
trap 'rm -rf "$W"' EXIT

for t in openssl bc /usr/bin/time; do command -v "$t" >/dev/null || { echo "missing: $t (scripts/install-deps.sh)" >&2; exit 2; }; done
[ -x "$PYHANKO" ] || { echo "missing: $PYHANKO (scripts/install-deps.sh)" >&2; exit 2; }
echo "== cargo build --release --features aws-lc (kept as \$W/sigform-aws-lc), then the default build" >&2
cargo build --release --quiet --features aws-lc --bin sigform --example gen_pdf
cp "$S" "$W/sigform-aws-lc"
SA=$W/sigform-aws-lc
cargo build --release --quiet --bin sigform --example gen_pdf

KEY=(--key "$P/signer-rsa2048.key.pem" --cert "$P/signer-rsa2048.pem" --chain "$P/chain.pem")
OSSL_SIGN=(openssl cms -sign -binary -md sha256 -signer "$P/signer-rsa2048.pem" -inkey "$P/signer-rsa2048.key.pem" -certfile "$P/chain.pem" -outform DER)
OSSL_VERIFY=(openssl cms -verify -binary -inform DER -CAfile "$P/root-ca.pem" -purpose any -out /dev/null)
PYH_SIGN=("$PYHANKO" sign addsig --use-pades)
PYH_KEY=(pemder --key "$P/signer-rsa2048.key.pem" --cert "$P/signer-rsa2048.pem" --chain "$P/chain.pem" --no-pass)
PYH_VERIFY=("$PYHANKO" sign validate --trust "$P/root-ca.pem" --no-revocation-check)

# run LABEL REPEAT CMD... : runs CMD (a shell snippet) REPEAT times; sets T (median s) and M (max KiB)
run() {
  local label=$1 n=$2 cmd=$3 times=() mem=0 i secs kb
  for ((i = 0; i < n; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    if ! /usr/bin/time -f "%M %U %S" -o "$W/time.txt" bash -c "$cmd" >"$W/out.txt" 2>"$W/err.txt"; then
      echo "FAILED: $label" >&2
      tail -n 20 "$W/err.txt" "$W/out.txt" >&2
      exit 1
    fi
    t1=$(date +%s%N)
    read -r kb CPU_U CPU_S <"$W/time.txt"
    CPU=$(echo "$CPU_U + $CPU_S" | bc -l)
    secs=$(echo "($t1 - $t0) / 1000000000" | bc -l)
    times+=("$secs")
    [ "$kb" -gt "$mem" ] && mem=$kb
  done
  T=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  M=$mem
  printf '   %s: %.3f s, %d MiB\n' "$label" "$T" "$((M / 1024))" >&2
}

rows=()
# row WORKLOAD PEER REPEAT SIGFORM_CMD PEER_CMD
row() {
  local what=$1 peer=$2 n=$3
  run "sigform: $what" "$n" "$4"
  local st=$T sm=$M
  run "$peer: $what" "$n" "$5"
  local pt=$T pm=$M
  rows+=("$(printf '| %s | %.3f s | %.1f MiB | %s | %.3f s | %.1f MiB | %s | %s |' \
    "$what" "$st" "$(echo "$sm/1024" | bc -l)" "$peer" "$pt" "$(echo "$pm/1024" | bc -l)" \
    "$(ratio "$pt" "$st")" "$(ratio "$pm" "$sm")")")
}
ratio() { # a b -> a/b with two decimals and a ×
  printf '%.2f×' "$(echo "$1/$2" | bc -l)"
}

if [ "$QUICK" = 1 ]; then docs=20 doc_kb=10 big_mb=16 pdf_small=1 pdf_big=8 pdf_big_pages=1000 nsig=5 batch=200 objs=40000 objs_mb=7; else
  docs=200 doc_kb=10 big_mb=1024 pdf_small=1 pdf_big=120 pdf_big_pages=20000 nsig=20 batch=2000 objs=400000 objs_mb=67; fi

echo "== inputs in $W" >&2
mkdir -p "$W/docs"
for ((i = 0; i < docs; i++)); do head -c $((doc_kb * 1024)) /dev/urandom >"$W/docs/d$i.bin"; done
head -c $((big_mb * 1024 * 1024)) /dev/urandom >"$W/big.bin"
"$G" "$W/small.pdf" "$pdf_small" 10
"$G" "$W/big.pdf" "$pdf_big" "$pdf_big_pages"
big_pdf_mb=$(stat -c %s "$W/big.pdf" | awk '{printf "%.0f", $1/1048576}')
big_pdf_objs=$(grep -ac ' 0 obj' "$W/big.pdf" || true)
mkdir -p "$W/batch"
for ((i = 0; i < batch; i++)); do head -c $((doc_kb * 1024)) /dev/urandom >"$W/batch/b$i.bin"; done
python3 scripts/gen_big_pdf.py "$W/objs.pdf" "$objs" "$objs_mb" 2>/dev/null
objs_pdf_mb=$(stat -c %s "$W/objs.pdf" | awk '{printf "%.0f", $1/1000000}')

export S SA W
# Baselines: what starting the process costs, nothing else.
row "process start only (--version)" "openssl version" "$REPEAT" "\$S --version" "openssl version"
row "process start only (--version)" "pyhanko --version" "$REPEAT" "\$S --version" "$PYHANKO --version"

# --- CAdES against openssl cms -------------------------------------------------------------
sig_many="for f in \$W/docs/*.bin; do \$S sign cades \"\$f\" -o \"\$f.sf.p7s\" ${KEY[*]}; done"
ossl_many="for f in \$W/docs/*.bin; do ${OSSL_SIGN[*]} -in \"\$f\" -out \"\$f.os.p7s\"; done"
row "CAdES sign, $docs × $doc_kb KB detached (one process each)" "openssl cms -sign" "$REPEAT" "$sig_many" "$ossl_many"
# Verify the same files (ours) with both tools: each must accept every one.
row "CAdES verify, $docs × $doc_kb KB detached (one process each)" "openssl cms -verify" "$REPEAT" \
  "for f in \$W/docs/*.bin; do \$S verify \"\$f.sf.p7s\" --content \"\$f\" --trust $P/root-ca.pem >/dev/null || exit 1; done" \
  "for f in \$W/docs/*.bin; do ${OSSL_VERIFY[*]} -in \"\$f.sf.p7s\" -content \"\$f\" 2>/dev/null || exit 1; done"
# openssl streams a detached signature in bounded memory without -stream (-stream with DER
# output embeds the content: an attached signature, not the same work).
row "CAdES sign, one ${big_mb} MiB file detached" "openssl cms -sign" 1 \
  "\$S sign cades \$W/big.bin -o \$W/big.p7s ${KEY[*]}" \
  "${OSSL_SIGN[*]} -in \$W/big.bin -out \$W/big-openssl.p7s"
row "CAdES verify, one ${big_mb} MiB file detached" "openssl cms -verify" 1 \
  "\$S verify \$W/big.p7s --content \$W/big.bin --trust $P/root-ca.pem" \
  "${OSSL_VERIFY[*]} -in \$W/big.p7s -content \$W/big.bin"
rm -f "$W/big.bin"

# --- One process, many documents: the key operation against OpenSSL's ------------------------
# sigform signs $batch files in one process (sign cades --out-dir, one key load, --threads 1);
# the peer column is the time `openssl speed -seconds 3 rsa2048` would take for as many RSA-2048
# signatures at the rate it measures in this run (the bare key operation, no CMS, no files),
# with -elapsed: wall clock, as sigform's column (by default openssl speed counts its user CPU
# time, which a loaded machine does not slow down). The time ratio is then the fraction of
# OpenSSL's signing rate that sigform reaches; the CPU time (user + system) is given beside
# the wall time, and the ratio of CPU times in brackets (OpenSSL's own CPU-time rate).
#
# Where the files live matters as much as the signing: openssl speed writes none, sigform
# reads 2,000 and creates 2,000 (each through a temporary file renamed into place). On ext4,
# creating files next to many just-deleted ones is slow and erratic (the inode allocator's
# recently_deleted scan: 0.05 s to 1.2 s of system time for the same batch on this machine, in
# perf). So the batch rows run twice: inputs and outputs in a memory file system (/dev/shm,
# when it is a writable tmpfs: the cost of signing, the file system nearly out of the picture)
# and on the disk ($W), each output directory fresh and nothing deleted before the end.
BATCH_DIRS=("$W")
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
  SHM=$(mktemp -d /dev/shm/sigform-compare.XXXXXX)
  trap 'rm -rf "$W" "$SHM"' EXIT
  cp -r "$W/batch" "$SHM/batch"
  BATCH_DIRS=("$SHM" "$W")
fi
where() { [ "$1" = "$W" ] && echo "files on disk" || echo "files in tmpfs"; }
out_n=0
# speed_row LABEL BINARY DIR: REPEAT rounds, each `openssl speed -seconds 2` then the batch
# (interleaved, so both see the same machine); the medians are compared.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
speed_row() {
  local label=$1 bin=$2 dir=$3 i walls=() cpus=() times=() ctimes=() sm=0
  for ((i = 0; i < REPEAT; i++)); do
    walls+=("$(openssl speed -elapsed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')")
    cpus+=("$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')")
    out_n=$((out_n + 1))
    run "sigform: $label (round $((i + 1)))" 1 "$bin sign cades $dir/batch/*.bin --out-dir $dir/batch-out-$out_n --threads 1 ${KEY[*]} >/dev/null"
    times+=("$T")
    ctimes+=("$CPU")
    [ "$M" -gt "$sm" ] && sm=$M
  done
  local st sc wall cpu pt pc
  st=$(median "${times[@]}")
  sc=$(median "${ctimes[@]}")
  wall=$(median "${walls[@]}")
  cpu=$(median "${cpus[@]}")
  pt=$(echo "$batch / $wall" | bc -l)
  pc=$(echo "$batch / $cpu" | bc -l)
  printf '   openssl speed rsa2048: %s signs/s elapsed, %s signs/s CPU (rounds: %s); sigform %s s (rounds: %s), CPU %.3f s\n' \
    "$wall" "$cpu" "${walls[*]}" "$st" "${times[*]}" "$sc" >&2
  rows+=("$(printf '| %s | %.3f s (CPU %.3f s) | %.1f MiB | %s | %.3f s (CPU %.3f s) | – | %s (CPU: %s) | – |' \
    "$label" "$st" "$sc" "$(echo "$sm/1024" | bc -l)" "openssl speed rsa2048 ($wall signs/s elapsed, $cpu CPU; medians of $REPEAT rounds)" "$pt" "$pc" \
    "$(ratio "$pt" "$st")" "$(ratio "$pc" "$sc")")")
}
for d in "${BATCH_DIRS[@]}"; do
  speed_row "CAdES sign, $batch × $doc_kb KB in one process (--out-dir, --threads 1), aws-lc build, $(where "$d")" "\$SA" "$d"
done
speed_row "CAdES sign, $batch × $doc_kb KB in one process (--out-dir, --threads 1), default build, $(where "${BATCH_DIRS[0]}")" "\$S" "${BATCH_DIRS[0]}"

# Two threads against one: sigform's --threads 2 / --threads 1 on the same batch, beside
# OpenSSL's own two-process rate against its one (`openssl speed -multi 2`): what the two cores
# give the bare key operation is the ceiling for any signer on this machine.
# scale_row LABEL BINARY DIR: REPEAT interleaved rounds, medians compared.
scale_row() {
  local label=$1 bin=$2 dir=$3 i t1s=() t2s=() ones=() twos=() sm=0
  for ((i = 0; i < REPEAT; i++)); do
    out_n=$((out_n + 1))
    run "sigform: $label, --threads 1 (round $((i + 1)))" 1 "$bin sign cades $dir/batch/*.bin --out-dir $dir/scale-1-$out_n --threads 1 ${KEY[*]} >/dev/null"
    t1s+=("$T")
    run "sigform: $label, --threads 2 (round $((i + 1)))" 1 "$bin sign cades $dir/batch/*.bin --out-dir $dir/scale-2-$out_n --threads 2 ${KEY[*]} >/dev/null"
    t2s+=("$T")
    [ "$M" -gt "$sm" ] && sm=$M
    ones+=("$(openssl speed -elapsed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')")
    twos+=("$(openssl speed -elapsed -seconds 2 -multi 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')")
  done
  local t1 t2 one two
  t1=$(median "${t1s[@]}")
  t2=$(median "${t2s[@]}")
  one=$(median "${ones[@]}")
  two=$(median "${twos[@]}")
  printf '   openssl speed rsa2048: %s signs/s (rounds: %s), -multi 2: %s signs/s (rounds: %s)\n' "$one" "${ones[*]}" "$two" "${twos[*]}" >&2
  rows+=("$(printf '| %s, --threads 2 (--threads 1: %.3f s) | %.3f s | %.1f MiB | %s | – | – | sigform %s (openssl %s) | – |' \
    "$label" "$t1" "$t2" "$(echo "$sm/1024" | bc -l)" "openssl speed rsa2048 -multi 2: $two signs/s, one process: $one (medians of $REPEAT rounds)" \
    "$(ratio "$t1" "$t2")" "$(ratio "$two" "$one")")")
}
scale_row "CAdES sign, $batch × $doc_kb KB, aws-lc build, $(where "${BATCH_DIRS[0]}"), scaling 2 threads / 1" "\$SA" "${BATCH_DIRS[0]}"

# --- PAdES against pyHanko ------------------------------------------------------------------
# Timed sign rows write to fresh names; the verify rows check sigform's output with both tools.
row "PAdES sign, ${pdf_small} MB PDF" "pyhanko sign addsig" "$REPEAT" \
  "\$S sign pades \$W/small.pdf -o \$W/small-sf.pdf ${KEY[*]}" \
  "rm -f \$W/small-py.pdf; ${PYH_SIGN[*]} --field Sig1 ${PYH_KEY[*]} \$W/small.pdf \$W/small-py.pdf"
row "PAdES verify, ${pdf_small} MB PDF" "pyhanko sign validate" "$REPEAT" \
  "\$S verify \$W/small-sf.pdf --trust $P/root-ca.pem >/dev/null" \
  "${PYH_VERIFY[*]} \$W/small-sf.pdf"
row "PAdES sign, ${big_pdf_mb} MB PDF, ${big_pdf_objs} objects" "pyhanko sign addsig" 1 \
  "\$S sign pades \$W/big.pdf -o \$W/big-sf.pdf ${KEY[*]}" \
  "rm -f \$W/big-py.pdf; ${PYH_SIGN[*]} --field Sig1 ${PYH_KEY[*]} \$W/big.pdf \$W/big-py.pdf"
row "PAdES verify, ${big_pdf_mb} MB PDF, ${big_pdf_objs} objects" "pyhanko sign validate" 1 \
  "\$S verify \$W/big-sf.pdf --trust $P/root-ca.pem >/dev/null" \
  "${PYH_VERIFY[*]} \$W/big-sf.pdf"
rm -f "$W/big.pdf" "$W/big-sf.pdf" "$W/big-py.pdf"
# The many-objects PDF (scripts/gen_big_pdf.py): the cross-reference work against hashing the
# same bytes (the floor for any signer or verifier of the whole file).
row "PAdES sign, ${objs_pdf_mb} MB PDF, $objs objects (default build)" "openssl dgst -sha256" "$REPEAT" \
  "\$S sign pades \$W/objs.pdf -o \$W/objs-sf.pdf ${KEY[*]}" \
  "openssl dgst -sha256 \$W/objs.pdf"
row "PAdES verify, ${objs_pdf_mb} MB PDF, $objs objects (default build)" "openssl dgst -sha256" "$REPEAT" \
  "\$S verify \$W/objs-sf.pdf --trust $P/root-ca.pem >/dev/null" \
  "openssl dgst -sha256 \$W/objs-sf.pdf"
rm -f "$W/objs.pdf" "$W/objs-sf.pdf"
row "PAdES sign $nsig times in sequence (${pdf_small} MB PDF)" "pyhanko sign addsig" 1 \
  "cp \$W/small.pdf \$W/m-sf-0.pdf; for i in \$(seq 1 $nsig); do \$S sign pades \$W/m-sf-\$((i-1)).pdf -o \$W/m-sf-\$i.pdf --field Sig\$i ${KEY[*]} || exit 1; done" \
  "cp \$W/small.pdf \$W/m-py-0.pdf; for i in \$(seq 1 $nsig); do ${PYH_SIGN[*]} --field Sig\$i ${PYH_KEY[*]} \$W/m-py-\$((i-1)).pdf \$W/m-py-\$i.pdf || exit 1; done"
row "PAdES verify a $nsig-signature PDF" "pyhanko sign validate" "$REPEAT" \
  "\$S verify \$W/m-sf-$nsig.pdf --trust $P/root-ca.pem >/dev/null" \
  "${PYH_VERIFY[*]} \$W/m-sf-$nsig.pdf"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
table=$(
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m), $cpu, $(nproc) cores, $mem RAM, $(uname -sr)."
  echo "sigform $(git rev-parse --short HEAD) (release build), $(openssl version | cut -d' ' -f1-2), pyHanko $("$PYHANKO" --version | awk '{print $3}' | tr -d ,), Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')."
  echo "Median of $REPEAT runs for the small rows, one run for the large ones; wall time (clock around the command, process start included) and peak RSS (GNU time; for loops, the largest single process)."
  echo "Ratios: peer ÷ sigform (above 1: sigform is faster / smaller); for the openssl speed rows, the fraction of OpenSSL's RSA-2048 signing rate that sigform reaches over whole documents."
  echo "Load while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; at the end of the run)."
  echo
  echo "| workload | sigform time | sigform peak RSS | peer | peer time | peer peak RSS | time ratio | RSS ratio |"
  echo "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
)
echo
echo "$table"

if [ "$QUICK" != 1 ]; then
  f=BENCHMARKS.md
  [ -f $f ] || printf '# Benchmarks\n\n<!-- compare.sh:begin -->\n<!-- compare.sh:end -->\n' >$f
  python3 - "$f" "$table" <<'EOF'
import sys
path, table = sys.argv[1], sys.argv[2]
s = open(path).read()
b, e = "<!-- compare.sh:begin -->", "<!-- compare.sh:end -->"
i, j = s.index(b) + len(b), s.index(e)
open(path, "w").write(s[:i] + "\n" + table + "\n" + s[j:])
EOF
  echo "written to $f" >&2
fi
