#!/usr/bin/env bash
# Regenerates the sample documents in this directory:
#   sample.txt         - short Portuguese contract text (UTF-8, with accents)
#   sample-2pages.pdf  - 2-page A4 PDF produced by Ghostscript (ps2pdf) from a
#                        small PostScript program written below
#
# Run from any working directory:   bash test-vectors/docs/generate.sh
# Requirements: ghostscript (ps2pdf), `apt-get install -y ghostscript`;
# pdfinfo/pdftotext (poppler-utils) for the self-check, if present.
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

rm -f "$OUT/sample.txt" "$OUT/sample-2pages.pdf"

# --- sample.txt --------------------------------------------------------------
cat >"$OUT/sample.txt" <<'EOF'
CONTRATO DE PRESTAÇÃO DE SERVIÇOS

Pelo presente instrumento particular, de um lado JOÃO DA SILVA, brasileiro,
inscrito no CPF sob o nº 529.982.247-25, residente na Rua da Conceição, 123,
São Paulo/SP, doravante denominado CONTRATANTE, e de outro lado EMPRESA
EXEMPLO LTDA, inscrita no CNPJ sob o nº 11.222.333/0001-81, com sede na
Avenida Paulista, 1000, São Paulo/SP, neste ato representada por Maria
Aparecida, doravante denominada CONTRATADA, têm entre si justo e contratado
o seguinte:

CLÁUSULA PRIMEIRA – DO OBJETO
A CONTRATADA prestará ao CONTRATANTE serviços de consultoria em assinatura
digital, incluindo a emissão, a validação e a preservação de documentos
eletrônicos assinados nos padrões CAdES e PAdES.

CLÁUSULA SEGUNDA – DO PREÇO E DA FORMA DE PAGAMENTO
Pelos serviços, o CONTRATANTE pagará à CONTRATADA a quantia de R$ 1.500,00
(mil e quinhentos reais), em parcela única, até o décimo dia útil do mês
subsequente à prestação.

CLÁUSULA TERCEIRA – DA VIGÊNCIA
Este contrato vigorará por doze meses a contar da data de sua assinatura,
podendo ser renovado mediante termo aditivo.

CLÁUSULA QUARTA – DO FORO
Fica eleito o foro da Comarca de São Paulo para dirimir quaisquer questões
oriundas deste contrato, com renúncia expressa a qualquer outro, por mais
privilegiado que seja.

E, por estarem assim justas e contratadas, as partes assinam eletronicamente
o presente instrumento, nos termos da MP nº 2.200-2/2001.

São Paulo, 1º de junho de 2025.

João da Silva – CONTRATANTE
Empresa Exemplo Ltda – CONTRATADA (p.p. Maria Aparecida)
EOF

# --- sample-2pages.pdf ---------------------------------------------------------
cat >"$WORK/sample.ps" <<'EOF'
%!PS-Adobe-3.0
%%Title: sigform sample document
%%Pages: 2
%%DocumentMedia: A4 595 842 0 () ()
%%EndComments
[ /Title (sigform sample document) /Author (sigform) /Subject (Test vector)
  /Creator (sigform test-vectors/docs/generate.sh) /DOCINFO pdfmark
/drawpage { % n drawpage -
  /n exch def
  /Helvetica-Bold findfont 18 scalefont setfont
  72 760 moveto (sigform sample document - page ) show n 1 string cvs show
  /Helvetica findfont 11 scalefont setfont
  72 730 moveto (This page intentionally contains only a little text.) show
  72 714 moveto (It is used as a test vector for PAdES signing.) show
  0.5 setlinewidth 72 700 moveto 523 700 lineto stroke
  /Helvetica findfont 9 scalefont setfont
  280 40 moveto n 1 string cvs show ( / 2) show
  showpage
} def
%%EndProlog
%%Page: 1 1
<< /PageSize [595 842] >> setpagedevice
1 drawpage
%%Page: 2 2
2 drawpage
%%EOF
EOF

ps2pdf -dCompatibilityLevel=1.7 -sPAPERSIZE=a4 -dFIXEDMEDIA \
  "$WORK/sample.ps" "$OUT/sample-2pages.pdf"

# --- self-check --------------------------------------------------------------
if command -v pdfinfo >/dev/null 2>&1; then
  pages="$(pdfinfo "$OUT/sample-2pages.pdf" | awk '/^Pages:/ {print $2}')"
  [ "$pages" = 2 ] || { echo "expected 2 pages, got $pages" >&2; exit 1; }
fi
if command -v pdftotext >/dev/null 2>&1; then
  for p in 1 2; do
    pdftotext -f "$p" -l "$p" "$OUT/sample-2pages.pdf" - | grep -q "sigform sample document - page $p" \
      || { echo "page $p text not extractable" >&2; exit 1; }
  done
fi
echo "[docs/generate.sh] wrote $OUT/sample.txt ($(wc -c <"$OUT/sample.txt") bytes)," \
     "$OUT/sample-2pages.pdf ($(wc -c <"$OUT/sample-2pages.pdf") bytes)" >&2
