#!/usr/bin/env bash
# Regenerates the PDF structure variants in this directory from ../docs/sample-2pages.pdf
# with qpdf (Debian package `qpdf`; made with qpdf 11.3.0). `--deterministic-id` makes the
# output reproducible.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$OUT/../docs/sample-2pages.pdf"
qpdf --deterministic-id --linearize "$SRC" "$OUT/linearized.pdf"
qpdf --deterministic-id --linearize --object-streams=generate "$SRC" "$OUT/linearized-objstm.pdf"
qpdf --deterministic-id --object-streams=generate "$SRC" "$OUT/objstm-xref-stream.pdf"
qpdf --deterministic-id --qdf --object-streams=disable "$SRC" "$OUT/qdf.pdf"
