#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after the other, each for SECONDS, after seeding
# fuzz/corpus/<target> from test-vectors/, ../shared/corpus/pdf and files made on the spot
# (openssl cms, sigform demo). Existing corpus entries are kept, so runs accumulate.
#
#   scripts/fuzz.sh                       # every target, 60 s each
#   scripts/fuzz.sh -t 1800 pades_verify  # one target, 30 minutes
#   scripts/fuzz.sh -t 1800 --record keys # --record appends the run's figures to fuzz/runs.tsv
#   scripts/fuzz.sh --totals              # seconds and runs per target, summed over fuzz/runs.tsv
#   scripts/fuzz.sh --dev -t 60           # unoptimised build: a third of the build time, but
#                                         # RSA and SHA-2 run tens of times slower
#
# Memory bounds (a breach is reported by libFuzzer as a crash): no single allocation over
# 256 MiB (-malloc_limit_mb) and no process over 2 GiB RSS (-rss_limit_mb), on inputs up to
# 64 KiB (-max_len). A crash, timeout or leak fails the script; the reproducer is left in
# fuzz/artifacts/<target>/ and, once fixed, becomes a file in fuzz/regressions/<target>/, which
# this script replays before fuzzing (so CI replays it too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=60
record=0
mode=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t | --seconds) secs=$2; shift 2 ;;
    --record) record=1; shift ;;
    --dev) mode=(--dev); shift ;;
    --totals)
      # seconds and runs per target, summed over fuzz/runs.tsv
      awk -F'\t' 'NR > 1 { s[$2] += $3; r[$2] += $4; if ($7 != "clean") bad[$2]++ }
        END { printf "%-14s %8s %8s %12s %s\n", "target", "seconds", "minutes", "runs", "failed runs";
              for (t in s) printf "%-14s %8d %8.1f %12d %d\n", t, s[t], s[t] / 60, r[t], bad[t] + 0 }' fuzz/runs.tsv
      exit 0 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(keys cades_verify x509_path pdf_reader pades_verify package_read tsp)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

shared="$root/../shared/corpus/pdf"
v="$root/test-vectors"
seed_dir() { mkdir -p "$root/fuzz/corpus/$1"; echo "$root/fuzz/corpus/$1"; }

demo_tmp=""
demo() { # runs `sigform demo` once per script run; prints its directory
  if [ -z "$demo_tmp" ]; then
    demo_tmp=$(mktemp -d)
    # --all-features: the debug binary `scripts/test.sh` already built
    # without RUSTC_BOOTSTRAP, which cargo fingerprints: with it the debug build would be redone
    env -u RUSTC_BOOTSTRAP cargo run --quiet --all-features -- demo "$demo_tmp" >/dev/null
  fi
}

seed() { # target
  local d
  d=$(seed_dir "$1")
  case "$1" in
    keys)
      cp -n "$v"/pki/*.pem "$v"/pki/*.p12 "$d/" 2>/dev/null || true
      for c in "$v"/pki/signer-*.pem; do
        case "$c" in *.key.pem) continue ;; esac
        openssl x509 -in "$c" -outform DER -out "$d/$(basename "$c" .pem).der" 2>/dev/null || true
      done ;;
    cades_verify)
      local p="$v/pki" doc="$v/docs/sample.txt"
      local base=(openssl cms -sign -binary -in "$doc" -signer "$p/signer-rsa2048.pem" -inkey "$p/signer-rsa2048.key.pem" -certfile "$p/chain.pem" -outform DER)
      "${base[@]}" -out "$d/openssl-detached.p7s" 2>/dev/null || true
      "${base[@]}" -nodetach -out "$d/openssl-attached.p7s" 2>/dev/null || true
      "${base[@]}" -stream -out "$d/openssl-stream.p7s" 2>/dev/null || true
      "${base[@]}" -noattr -out "$d/openssl-noattr.p7s" 2>/dev/null || true
      "${base[@]}" -cades -out "$d/openssl-cades.p7s" 2>/dev/null || true
      openssl cms -sign -binary -in "$doc" -signer "$p/signer-p256.pem" -inkey "$p/signer-p256.key.pem" -outform DER -nodetach -out "$d/openssl-p256.p7s" 2>/dev/null || true
      if [ -f "$d/openssl-attached.p7s" ]; then
        openssl cms -resign -inform DER -in "$d/openssl-attached.p7s" -signer "$p/signer-p256.pem" -inkey "$p/signer-p256.key.pem" -outform DER -out "$d/openssl-resign.p7s" 2>/dev/null || true
      fi ;;
    x509_path)
      bash "$root/fuzz/seeds-x509_path.sh" >/dev/null ;;
    pdf_reader | pades_verify)
      [ -d "$shared" ] && find "$shared" -name '*.pdf' -exec cp -n {} "$d/" \;
      cp -n "$v"/pdf/*.pdf "$v"/docs/*.pdf "$d/" 2>/dev/null || true
      if [ "$1" = pades_verify ]; then
        demo
        for f in "$demo_tmp"/*.pdf; do cp -n "$f" "$d/demo-$(basename "$f")"; done
      fi ;;
    package_read)
      demo
      for f in "$demo_tmp"/*.zip "$demo_tmp"/*.json; do cp -n "$f" "$d/demo-$(basename "$f")"; done ;;
    tsp)
      # openssl ts as a TSA with the test PKI's tsa certificate: responses (.tsr), bare tokens
      # (.tst) and the queries (.tsq); ESS signing-certificate-v2 (sha256) and v1 (sha1).
      local p="$v/pki" t ess q name
      t=$(mktemp -d)
      echo 01 >"$t/serial"
      for ess in sha256 sha1; do
        printf '[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = %s/serial\ncrypto_device = builtin\nsigner_cert = %s/tsa.pem\ncerts = %s/intermediate-ca.pem\nsigner_key = %s/tsa.key.pem\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha1, sha256, sha384, sha512\naccuracy = secs:1, millisecs:500, microsecs:100\nclock_precision_digits = 3\nordering = yes\ntsa_name = yes\ness_cert_id_alg = %s\n' \
          "$t" "$p" "$p" "$p" "$ess" >"$t/ts.cnf"
        for q in "-sha256 -cert" "-sha512 -cert -no_nonce" "-sha1" "-sha384 -cert -tspolicy 1.9.9"; do
          name="$ess$(echo "$q" | tr -d ' .')"
          # shellcheck disable=SC2086 # $q holds several options
          openssl ts -query -data "$v/docs/sample.txt" $q -out "$t/q.tsq" 2>/dev/null || continue
          cp "$t/q.tsq" "$d/openssl-$name.tsq"
          openssl ts -reply -config "$t/ts.cnf" -queryfile "$t/q.tsq" -out "$d/openssl-$name.tsr" 2>/dev/null || true
          openssl ts -reply -config "$t/ts.cnf" -queryfile "$t/q.tsq" -token_out -out "$d/openssl-$name.tst" 2>/dev/null || true
          [ -s "$d/openssl-$name.tst" ] || rm -f "$d/openssl-$name.tst" # a rejection has no token
        done
      done
      rm -rf "$t" ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

echo "== building fuzz targets"
# Default: optimised, with debug assertions and overflow checks (cargo-fuzz's default; -O would
# drop them). --dev: unoptimised, a third of the build time, far fewer runs per second.
(cd fuzz && cargo fuzz build "${mode[@]}")

status=0
summary=()
for t in "${targets[@]}"; do
  seed "$t"
  # Replay the regressions first: each file is a reproducer of a crash fixed earlier.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    echo "== replaying $(ls "fuzz/regressions/$t" | wc -l) regression inputs of $t"
    (cd fuzz && cargo fuzz run "${mode[@]}" "$t" "regressions/$t"/* -- -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=256) >/dev/null 2>&1 ||
      { echo "regression input of $t fails again"; status=1; continue; }
  fi
  log=$(mktemp)
  echo "== fuzzing $t for ${secs}s ($(ls "fuzz/corpus/$t" | wc -l) corpus files)"
  set +e
  (cd fuzz && cargo fuzz run "${mode[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$secs" -max_len=65536 -timeout=30 \
    -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1) >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  peak=$(grep -a 'stat::peak_rss_mb' "$log" | awk '{print $2}' | tail -1)
  result=clean
  if [ $rc -ne 0 ]; then
    result=FAILED
    status=1
    grep -aE 'ERROR|panicked|SUMMARY|artifact_prefix|Test unit written' "$log" | head -20
  fi
  line="$(date -u +%Y-%m-%dT%H:%MZ)	$t	$secs	${runs:-?}	${cov:-?}	${peak:-?}	$result"
  summary+=("$line")
  if [ $record = 1 ]; then
    [ -f fuzz/runs.tsv ] || printf 'date\ttarget\tseconds\truns\tcoverage\tpeak_rss_mb\tresult\n' >fuzz/runs.tsv
    echo "$line" >>fuzz/runs.tsv
  fi
  rm -f "$log"
done

[ -z "$demo_tmp" ] || rm -rf "$demo_tmp"
printf '\ndate\ttarget\tseconds\truns\tcoverage\tpeak_rss_mb\tresult\n'
printf '%s\n' "${summary[@]}"
exit $status
