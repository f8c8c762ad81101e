#!/usr/bin/env python3
"""Writes a large, valid PDF with many small objects, for the large-file rows of
scripts/compare.sh and for profiling PAdES signing and verification (issue 17).

    python3 scripts/gen_big_pdf.py OUT.pdf [OBJECTS [SIZE_MB]]    # default 400000 objects, 67 MB

Each page has three objects (the page, its content stream, its font); the pages hang from a
balanced page tree (at most 64 kids per node), as real writers make them; one classic xref
table. The content streams carry text plus pseudo-random printable comment lines that pad the
file to SIZE_MB (10^6 bytes). Deterministic: the same arguments give the same bytes.
"""
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    objects = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
    size = int(float(sys.argv[3]) * 1_000_000) if len(sys.argv) > 3 else 67_000_000

    # Object budget: catalog + page tree nodes + 3 per page.
    pages = max(1, (objects - 1) // 3)
    tree = []  # levels of the page tree, leaves first: lists of (first_kid, n_kids)
    count = pages
    while True:
        nodes = (count + 63) // 64
        tree.append(nodes)
        if nodes == 1:
            break
        count = nodes
    n_nodes = sum(tree)
    while 1 + n_nodes + 3 * pages > objects and pages > 1:
        pages -= 1
    # Numbering: 1 catalog, 2.. the tree nodes (root first), then page i at p0 + 3i.
    root_first = 2
    level_first = []  # object number of the first node of each level (leaves level first)
    num = root_first
    for nodes in reversed(tree):
        level_first.append(num)
        num += nodes
    level_first.reverse()
    p0 = num
    total = p0 + 3 * pages - 1
    per_page = max(0, (size - 115 * total) // pages)

    seed = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    out = open(path, "wb", buffering=1 << 20)
    pos = 0
    offsets = [0] * (total + 1)

    def emit(num, body):
        nonlocal pos
        offsets[num] = pos
        data = b"%d 0 obj\n" % num + body + b"\nendobj\n"
        out.write(data)
        pos += len(data)

    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    out.write(head)
    pos += len(head)
    emit(1, b"<< /Type /Catalog /Pages %d 0 R >>" % root_first)

    # The tree: node j of level l has kids 64j .. 64j+63 of level l-1 (pages for l = 0).
    for level, nodes in enumerate(tree):
        below = pages if level == 0 else tree[level - 1]
        for j in range(nodes):
            lo, hi = 64 * j, min(64 * (j + 1), below)
            if level == 0:
                kids = [p0 + 3 * k for k in range(lo, hi)]
                leaf_count = hi - lo
            else:
                kids = [level_first[level - 1] + k for k in range(lo, hi)]
                leaf_count = min(64 ** (level + 1) * (j + 1), pages) - 64 ** (level + 1) * j
            me = level_first[level] + j
            parent = b"" if level == len(tree) - 1 else b" /Parent %d 0 R" % (level_first[level + 1] + j // 64)
            kid_refs = b" ".join(b"%d 0 R" % k for k in kids)
            emit(me, b"<< /Type /Pages%s /Count %d /Kids [%s] >>" % (parent, leaf_count, kid_refs))

    for i in range(pages):
        page = p0 + 3 * i
        emit(page, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                   b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (level_first[0] + i // 64, page + 1, page + 2))
        content = bytearray(b"BT /F1 18 Tf 72 770 Td (sigform large-file page %d) Tj ET\n" % (i + 1))
        while len(content) < per_page:
            line = bytearray(b"%")
            for _ in range(min(120, per_page - len(content))):
                seed ^= (seed << 13) & mask
                seed ^= seed >> 7
                seed ^= (seed << 17) & mask
                line.append(33 + seed % 90)
            content += line + b"\n"
        emit(page + 1, b"<< /Length %d >>\nstream\n" % len(content) + bytes(content) + b"\nendstream")
        emit(page + 2, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    xref = pos
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (total + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets[1:]))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (total + 1, xref))
    out.close()
    print(f"{path}: {total} objects, {pages} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
