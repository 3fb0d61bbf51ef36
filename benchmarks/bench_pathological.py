"""Pathological sizes: 10^5 columns, 10^5 speaker turns, 10^4 PDF pages.

Each case runs at size n/10 and n in the same run and prints both times and
their ratio: about 10 means linear, about 100 quadratic (the old header
de-duplication and turn detection were; 4,000 columns named ``a`` took 93 s).
The full-size time must stay under the stated budget. These are benchmarks,
not timed tests: compare ratios across machines, and note a busy machine.

Run: ``.venv/bin/python benchmarks/bench_pathological.py [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = {
    "CSV header, columns named 'a'": 30,
    "participants sheet, columns": 30,
    "transcript import, speaker turns": 60,
    "PDF import, pages": 120,
}


def csv_columns(folder: Path, n: int) -> Path:
    path = folder / f"wide-{n}.csv"
    path.write_text(",".join(["a"] * n) + "\n" + ",".join(["1"] * n) + "\n", encoding="utf-8")
    return path


def participants_sheet(folder: Path, n: int) -> Path:
    path = folder / f"people-{n}.csv"
    path.write_text("participant," + ",".join(["x"] * n) + "\nAnn," + ",".join(["1"] * n) + "\n", encoding="utf-8")
    return path


def transcript(folder: Path, n: int) -> Path:
    path = folder / f"turns-{n}.txt"
    path.write_text(
        "".join(f"{'Ann' if i % 2 else 'Bob'}: turn {i} says a few words.\n" for i in range(n)), encoding="utf-8"
    )
    return path


def pdf(folder: Path, pages: int) -> Path:
    """A minimal PDF with one short speaker turn per page (written by hand, no library)."""
    path = folder / f"pages-{pages}.pdf"
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for i in range(pages):
        text = f"BT /F1 12 Tf 72 720 Td ({'Ann' if i % 2 else 'Bob'}: page {i} has a turn.) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % content
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def timed(fn, *args) -> tuple[float, object]:  # noqa: ANN001
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every size (0.1 for a quick look)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from qualcode.ingest import ImportOptions, import_paths
    from qualcode.ingest.participants import load_participants_file
    from qualcode.ingest.tabular import read_table
    from qualcode.store import open_project

    folder = Path(tempfile.mkdtemp(prefix="qualcode-patho-"))

    def header(n: int) -> int:
        path = csv_columns(folder, n)
        return len(read_table(path, path.read_bytes()).columns)

    def sheet(n: int) -> int:
        return len(load_participants_file(participants_sheet(folder, n)).attributes["Ann"])

    def imported(make, n: int) -> int:  # noqa: ANN001
        path = make(folder, n)
        with open_project(folder / f"p-{path.stem}.db") as project:
            result = import_paths(project, [path], ImportOptions())[0]
            assert result.status == "imported", result.error
            return result.turns

    s = args.scale
    cases = [
        ("CSV header, columns named 'a'", header, int(100_000 * s)),
        ("participants sheet, columns", sheet, int(100_000 * s)),
        ("transcript import, speaker turns", lambda n: imported(transcript, n), int(100_000 * s)),
        ("PDF import, pages", lambda n: imported(pdf, n), int(10_000 * s)),
    ]
    print(f"{'case':<36} {'n/10':>8} {'time':>8} {'n':>8} {'time':>8} {'ratio':>6} {'budget':>7}")
    failed = 0
    for name, fn, n in cases:
        small_t, small = timed(fn, n // 10)
        big_t, big = timed(fn, n)
        ok = big_t <= BUDGET_S[name]
        failed += not ok
        print(
            f"{name:<36} {n // 10:>8} {small_t:>7.2f}s {n:>8} {big_t:>7.2f}s {big_t / max(small_t, 1e-9):>6.1f} "
            f"{BUDGET_S[name]:>5}s{'' if ok else '  OVER'}   (results {small}, {big})"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
