"""REFI-QDA round trip through QualCoder: qualcode → .qdpx → QualCoder → .qdpx → qualcode, counted side by side.

Why a script and not a dependency: QualCoder is a PyQt6 desktop application;
its REFI-QDA import and export (``qualcoder/refi.py``) are run here headless
(``QT_QPA_PLATFORM=offscreen``) from a source checkout you point at, with its
file dialogs and message boxes stubbed, so nothing waits for a click. No
QualCoder code is shipped with qualcode.

Setup (see README, "Interoperability check against QualCoder"):

    QUALCODER_SRC=/path/to/QualCoder/src        # a checkout's src/ folder (holds qualcoder/refi.py)
    QUALCODER_PYTHON=/path/to/venv/bin/python    # a Python with PyQt6 (default: this one)
    python scripts/qualcoder_interop.py [--keep DIR]

The QualCoder side runs in a child process (``--qualcoder-side IN OUT``):
modules QualCoder imports but the REFI code does not need (PyMuPDF, VLC,
Pillow, the AI stack …) are replaced by inert stubs when they are missing.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.machinery
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# -- the QualCoder side (child process) ------------------------------------------------------------
class _Anything:
    """An inert stand-in for anything a missing module would have provided."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> "_Anything":
        return _Anything()

    def __getattr__(self, name: str) -> "_Anything":
        return _Anything()

    def __iter__(self):
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __mro_entries__(self, bases: tuple) -> tuple:
        return (object,)


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: any module nothing else can import becomes an inert stub package."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("qualcoder", "PyQt6"):
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__path__ = []
        module.__getattr__ = lambda attr: _Anything()


def _create_tables(src: Path, conn: sqlite3.Connection) -> None:
    """Run the ``CREATE TABLE`` statements of QualCoder's new-project code, read from its source."""
    tree = ast.parse((src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and "CREATE TABLE source " in ast.unparse(fn):
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Call)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).startswith("CREATE TABLE")
                ):
                    conn.execute(node.args[0].value)
            break
    conn.execute(
        "INSERT INTO project (databaseversion, date, memo, about, codername) VALUES "
        "('v17', '2024-01-01 00:00:00', '', 'QualCoder', 'qualcoder')"
    )
    conn.commit()


class _App:
    """What ``qualcoder.refi`` uses of QualCoder's ``App``."""

    def __init__(self, project: Path, work: Path) -> None:
        self.project_path = str(project)
        self.project_name = project.name
        self.conn = sqlite3.connect(project / "data.qda")
        self.settings = {
            "codername": "qualcoder",
            "directory": str(work),
            "ai_enable": "False",
            "fontsize": 10,
            "font": "Noto Sans",
        }
        self.version = "interop"
        self.ai_models: list = []
        self.ai = None
        self.project_events = None

    def write_config_ini(self, *args: Any) -> None:
        pass

    def get_annotations(self) -> list[dict]:
        keys = ("anid", "fid", "pos0", "pos1", "memo", "owner", "date")
        return [dict(zip(keys, r)) for r in self.conn.execute(f"SELECT {', '.join(keys)} FROM annotation")]


class _Log:
    def append(self, text: str) -> None:
        pass


def qualcoder_round_trip(src: Path, qdpx_in: Path, qdpx_out: Path) -> dict[str, int]:
    """Import ``qdpx_in`` into a new QualCoder project, export it as ``qdpx_out``; QualCoder's own counts."""
    import builtins

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="qualcoder-interop-"))
    os.environ["HOME"] = str(work)  # QualCoder writes ~/.qualcoder/…
    (work / ".qualcoder").mkdir()
    sys.path.insert(0, str(src))
    sys.meta_path.append(_StubFinder())
    builtins._ = lambda s: s  # type: ignore[attr-defined] - QualCoder's gettext
    from PyQt6 import QtWidgets

    qt = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdpx_in), "qdpx"))
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(work / "out"))
    QtWidgets.QMessageBox.exec = lambda self: 0
    QtWidgets.QDialog.exec = lambda self: 0
    from qualcoder.refi import RefiExport, RefiImport

    project = work / "interop.qda"
    for sub in ("", "images", "audio", "video", "documents"):
        (project / sub).mkdir(exist_ok=True)
    (work / "out").mkdir()
    app = _App(project, work)
    _create_tables(src, app.conn)
    RefiImport(app, _Log(), "qdpx")
    counts = {
        table: app.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in (
            "source",
            "code_name",
            "code_cat",
            "code_text",
            "cases",
            "case_text",
            "attribute",
            "journal",
            "annotation",
        )
    }
    counts["code_text with memo"] = app.conn.execute(
        "SELECT count(*) FROM code_text WHERE memo IS NOT NULL AND memo != ''"
    ).fetchone()[0]
    counts["source with memo"] = app.conn.execute(
        "SELECT count(*) FROM source WHERE memo IS NOT NULL AND memo != ''"
    ).fetchone()[0]
    counts["code memos"] = app.conn.execute(
        "SELECT count(*) FROM code_name WHERE memo IS NOT NULL AND memo != ''"
    ).fetchone()[0]
    RefiExport(app, _Log(), "project")
    written = sorted((work / "out").glob("*.qdpx"))
    if not written:
        raise SystemExit("QualCoder wrote no .qdpx")
    qdpx_out.write_bytes(written[0].read_bytes())
    del qt
    return counts


# -- the qualcode side ----------------------------------------------------------------------------
def build_study(path: Path) -> None:
    """The demo study with a second coder on half its codings and memos of every kind."""
    from qualcode.demo import build_demo
    from qualcode.store import NewCoding, open_project

    build_demo(path)
    with open_project(path) as p:
        mine = p.codings.all()
        p.codings.add_many([NewCoding(c.code_id, c.document_id, c.start, c.end, coder="bob") for c in mine[::2]])
        first = mine[0]
        p.memos.add("coding", first.id, "Second coder: check this one.", author="demo-analyst")
        doc = p.documents.get(first.document_id)
        p.memos.add("document", doc.id, "Recorded on site; noisy.", author="demo-analyst")
        turn = p.documents.turns(doc.id)[0]
        p.memos.add("turn", turn.id, "A leading question?", author="bob")
        p.memos.add("code", first.code_id, "Split this code later.", author="bob")
        p.memos.add("project", None, "Round two of coding starts in June.", author="demo-analyst")


def snapshot(path: Path) -> dict[str, Any]:
    """What a round trip must keep, keyed by content (text sha, offsets, code paths, names)."""
    from qualcode.store import open_project
    from qualcode.store.documents import text_sha256

    with open_project(path) as p:
        docs = {d.id: d for d in p.documents.all()}
        codes = {c.id: c.path for c in p.codes.all()}
        people = {x.id: x for x in p.participants.all()}
        links = {(text_sha256(d.text), people[d.participant_id].name) for d in docs.values() if d.participant_id}
        links |= {
            (text_sha256(docs[t.document_id].text), people[t.participant_id].name)
            for t in p.documents.all_turns()
            if t.participant_id
        }
        return {
            "sources": {text_sha256(d.text) for d in docs.values()},
            "codes": set(codes.values()),
            "codings": {
                (
                    text_sha256(docs[c.document_id].text),
                    c.start,
                    c.end,
                    codes[c.code_id],
                    c.coder,
                    docs[c.document_id].text[c.start : c.end],
                )
                for c in p.codings.all(status="confirmed")
            },
            "cases": {x.name for x in people.values()},
            "attributes": {(x.name, k, v) for x in people.values() for k, v in x.attributes.items()},
            "links": links,
            "memos": Counter((m.target, m.text) for m in p.memos.all()),
        }


def compare(ours: dict[str, Any], back: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    """(what, in ours, back from QualCoder, of ours kept identically: same text, offsets, coder, target)."""
    rows = []
    for key in ("sources", "codes", "codings", "cases", "attributes", "links"):
        rows.append((key, len(ours[key]), len(back[key]), len(ours[key] & back[key])))
    for target in sorted({t for t, _ in ours["memos"]} | {t for t, _ in back["memos"]}):
        mine = Counter({k: n for k, n in ours["memos"].items() if k[0] == target})
        theirs = Counter({k: n for k, n in back["memos"].items() if k[0] == target})
        rows.append((f"memos on {target}", sum(mine.values()), sum(theirs.values()), sum((mine & theirs).values())))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qualcoder-side", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="write the intermediate files into this folder")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = parser.parse_args()
    src = os.environ.get("QUALCODER_SRC")
    if not src or not (Path(src) / "qualcoder" / "refi.py").is_file():
        print("skipped: set QUALCODER_SRC to a QualCoder checkout's src/ folder (holding qualcoder/refi.py)")
        return 0
    if args.qualcoder_side:
        counts = qualcoder_round_trip(Path(src), Path(args.qualcoder_side[0]), Path(args.qualcoder_side[1]))
        print(json.dumps(counts))
        return 0
    sys.path.insert(0, str(ROOT))
    from qualcode.exchange import export_qdpx, import_qdpx
    from qualcode.services.merge import merge
    from qualcode.store import open_project

    work = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-interop-"))
    work.mkdir(parents=True, exist_ok=True)
    ours_db, out_qdpx, back_qdpx, back_db = (work / n for n in ("ours.db", "ours.qdpx", "qualcoder.qdpx", "back.db"))
    for f in (ours_db, back_db):
        f.unlink(missing_ok=True)
    build_study(ours_db)
    with open_project(ours_db) as p:
        export_qdpx(p, out_qdpx)
    python = os.environ.get("QUALCODER_PYTHON", sys.executable)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run(
        [python, __file__, "--qualcoder-side", str(out_qdpx), str(back_qdpx)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if child.returncode != 0:
        print(child.stdout[-3000:], child.stderr[-3000:], sep="\n")
        return 1
    qualcoder_counts = json.loads(child.stdout.strip().splitlines()[-1])
    with open_project(back_db) as p:
        imported = import_qdpx(p, back_qdpx)
    rows = compare(snapshot(ours_db), snapshot(back_db))
    merge_copy = work / "merge.db"
    merge_copy.write_bytes(ours_db.read_bytes())
    with open_project(merge_copy) as p:
        merged = merge(p, back_qdpx)
    if args.json:
        print(
            json.dumps(
                {
                    "rows": [dict(zip(("what", "ours", "back", "kept"), r)) for r in rows],
                    "qualcoder": qualcoder_counts,
                    "import_warnings": imported.warnings,
                    "merge_back": merged.to_dict(),
                },
                indent=2,
            )
        )
        return 0
    print(f"{'':24}{'qualcode':>10}{'back':>8}{'kept':>8}")
    for what, a, b, kept in rows:
        print(f"{what:24}{a:>10}{b:>8}{kept:>8}")
    print("QualCoder's own tables after its import:", ", ".join(f"{k} {v}" for k, v in qualcoder_counts.items()))
    print(
        f"merging QualCoder's file back into ours: {merged.documents_added} documents added, "
        f"{merged.codings_added} codings added, {merged.codings_skipped} skipped, {merged.memos_added} memos added"
    )
    for w in imported.warnings:
        print("import warning:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
