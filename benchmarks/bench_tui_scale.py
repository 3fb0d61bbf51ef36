"""The Documents screen on a big project: first paint and key → filtered list, side by side with bare SQLite.

Opens a COPY of a given project (e.g. a 10^6-answer project from ``bench_scale.py --keep``) with Textual's
Pilot, headless, and types filter keystrokes one at a time, each time waiting until the documents table holds
the new filter's first page: a name prefix typed key by key ("R00012"), backspaces back to empty, a participant
name that only a speaker turn carries, a document kind, a query that matches nothing, and 1-2 character
queries. It also types "R0001234" and "okafor" in bursts (no waiting between keys) and times the last key to
the list (the earlier keys' queries are interrupted).

Reported: first paint (app start → first row), first open (the migration of a project that has not been opened
by this version), key → list median and p95 over the keystrokes, and, measured in the same run, a bare SQLite
``SELECT`` of the unfiltered first page (500 names in name order: the floor) and a bare ``LIKE '%q%'`` over the
names for each query (what a plain scan costs). ``--baseline DIR`` runs the same keystrokes with another
checkout's code (e.g. ``git worktree add /tmp/before main``) on a copy of its own, right after ours.

Run: ``python benchmarks/bench_tui_scale.py PROJECT.db [--baseline DIR] [--work DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = 500
BACK = "backspace"
SPEAKER = "Okafor"  # a participant who only speaks in an added interview (not a document's name)
KEYS = [
    *"R00012", *[BACK] * 6,
    *SPEAKER.lower(), *[BACK] * len(SPEAKER),
    *"interv", *[BACK] * 6,
    *"zqxj", *[BACK] * 4,
    "7", "3", BACK, BACK,
]  # fmt: skip
BURSTS = ("R0001234", SPEAKER.lower())


def add_interview(db: Path) -> None:
    """Add one interview whose speaker is a participant found only through its turns (the copy only)."""
    from qualcode.model import ParsedDocument, ParsedTurn
    from qualcode.store import open_project

    text = f"I: How was it?\n\n{SPEAKER}: The bus was late again."
    said = text.index(": The bus") + 2
    turns = [
        ParsedTurn("I", 3, 14, "interviewer", None),
        ParsedTurn(SPEAKER, said, len(text), "participant", f"Mara {SPEAKER}"),
    ]
    with open_project(db) as project:
        project.documents.add(ParsedDocument(name="Site visit (bench)", kind="interview", text=text, turns=turns))
        first = project.codes.all()[0]
        if first.key is None and project.codes.by_key("1") is None:
            project.codes.update(first.id, key="1")


def measure(db: Path) -> dict[str, object]:
    """Child mode: the figures for the code on ``PYTHONPATH``, on ``db`` (already a copy)."""
    import asyncio

    from textual.widgets import DataTable, Input

    from qualcode.store import open_project
    from qualcode.tui import make_app
    from qualcode.tui.screens import home

    t0 = time.perf_counter()
    open_project(db).close()
    first_open = time.perf_counter() - t0
    add_interview(db)
    shown: dict[str, float] = {}
    original = home.HomeScreen._show_rows

    def recorded(self, query, found):  # type: ignore[no-untyped-def]
        result = original(self, query, found)
        if query == self.query_one("#filter", Input).value:
            shown[query] = time.perf_counter()
        return result

    home.HomeScreen._show_rows = recorded  # type: ignore[method-assign]

    async def go() -> dict[str, object]:
        t0 = time.perf_counter()
        app = make_app(db, coder="bench")
        async with app.run_test(size=(120, 40)) as pilot:
            while not (app.screen.query("#documents") and app.screen.query_one("#documents", DataTable).row_count):
                await pilot.pause(0.002)
            paint = time.perf_counter() - t0
            box = app.screen.query_one("#filter", Input)
            lat: list[tuple[str, float]] = []
            for key in KEYS:
                before = box.value
                start = time.perf_counter()
                await pilot.press(key)
                value = box.value
                while shown.get(value, 0) < start and value != before:
                    await pilot.pause(0.001)
                lat.append((value, (shown.get(value, start) - start) if value != before else 0.0))
            bursts = {}
            for burst in BURSTS:
                await pilot.press(*[BACK] * len(box.value), *burst[:-1])  # no waiting for the lists in between
                start = time.perf_counter()
                await pilot.press(burst[-1])
                while shown.get(burst, 0) < start:
                    await pilot.pause(0.001)
                bursts[burst] = shown[burst] - start
            await pilot.press(*[BACK] * len(box.value))
            screens = await other_screens(app, pilot) if os.environ.get("BENCH_SCREENS", "1") == "1" else {}
        return {"first_paint": paint, "latencies": lat, "bursts": bursts, **screens}

    out = asyncio.run(go())
    out["first_open"] = first_open
    return out


async def other_screens(app, pilot) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Tables (f7), Themes (f5), a coding key press in a document, and back home after it (seconds).

    Keys go straight to the driver and the screen is polled with plain sleeps: Pilot's ``press`` waits
    until the process is idle (up to 1 s, twice), which a busy worker thread never is. ``*_lag`` is the
    longest the UI's event loop was late on a 5 ms tick while a worker counted (the UI thread's freedom).
    """
    import asyncio

    from textual import events
    from textual.widgets import DataTable, Label

    def send(key: str) -> None:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))

    async def until(test, t0: float) -> float:  # type: ignore[no-untyped-def]
        while not test():
            await asyncio.sleep(0.002)
        return time.perf_counter() - t0

    async def lag_while(test) -> float:  # type: ignore[no-untyped-def]
        worst = 0.0
        while test():
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - t - 0.005)
        return worst

    from qualcode.tui.screens.tables import TablesScreen
    from qualcode.tui.screens.themes import ThemesScreen

    marks: dict[str, float] = {}

    def marked(cls, name: str, key: str) -> None:  # type: ignore[no-untyped-def]
        real = getattr(cls, name)

        def wrapper(self):  # type: ignore[no-untyped-def]
            result = real(self)
            marks.setdefault(key, time.perf_counter())
            return result

        setattr(cls, name, wrapper)

    marked(TablesScreen, "on_mount", "tables")  # "Counting…" is set, the worker started
    marked(ThemesScreen, "on_mount", "themes")  # the run read and listed
    out: dict[str, float] = {}
    note = lambda: str(app.screen.query_one("#tables-note", Label).render())  # noqa: E731
    t_f7 = time.perf_counter()
    await pilot.press("f7")  # Pilot's press waits (up to 2 s) for an idle process; it does not move the mark
    out["tables_paint"] = marks["tables"] - t_f7
    table = app.screen.query_one("#freq-table", DataTable)
    row = table.cursor_row
    t0 = time.perf_counter()
    send("down")  # while the worker counts
    out["tables_key_while_counting"] = await until(lambda: table.cursor_row != row or table.row_count < 2, t0)
    out["tables_lag"] = await lag_while(lambda: "Counting" in note())  # what is left of the count
    out["tables_counted"] = time.perf_counter() - t_f7
    t0 = time.perf_counter()
    send("g")  # compare by the first attribute
    out["tables_g_key"] = await until(lambda: "Counting" in note(), t0)
    out["tables_g_lag"] = await lag_while(lambda: "Counting" in note())
    out["tables_regrouped"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await pilot.press("f5")
    out["themes_paint"] = marks["themes"] - t0
    send("f2")
    await until(lambda: app.screen.screen_name == "home", time.perf_counter())
    await pilot.pause(0.05)
    t0 = time.perf_counter()
    send("enter")  # the first document
    out["document_open"] = await until(lambda: app.screen.screen_name == "document", t0)
    await pilot.pause(0.05)
    lat = []
    for _ in range(20):  # code the turn (the bench gives the first code the key "1"); then remove it
        for key in ("1", "x"):
            before = app.data_version
            t0 = time.perf_counter()
            send(key)
            lat.append(await until(lambda before=before: app.data_version != before, t0))
    out["coding_key_p95"] = _p95(lat)
    t0 = time.perf_counter()
    send("f2")
    rows = lambda: app.screen.screen_name == "home" and app.screen.query_one("#documents", DataTable).row_count  # noqa: E731
    out["home_after_edit"] = await until(rows, t0)
    return out


def bare(db: Path) -> dict[str, object]:
    """The same project read with bare SQLite: the unfiltered first page, and a LIKE scan per query."""
    conn = sqlite3.connect(db)
    t0 = time.perf_counter()
    conn.execute("SELECT id, name FROM documents ORDER BY name COLLATE NOCASE LIMIT ?", [PAGE]).fetchall()
    page = time.perf_counter() - t0
    scans = []
    value = ""
    for key in KEYS:
        value = value[:-1] if key == BACK else value + key
        if not value:
            continue
        t0 = time.perf_counter()
        conn.execute(
            "SELECT id, name FROM documents WHERE name LIKE ? ORDER BY name COLLATE NOCASE LIMIT ?",
            [f"%{value}%", PAGE],
        ).fetchall()
        scans.append(time.perf_counter() - t0)
    conn.close()
    return {"page": page, "like_median": statistics.median(scans), "like_p95": _p95(scans)}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_child(root: Path, db: Path, screens: bool = True) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(root), "BENCH_SCREENS": "1" if screens else "0"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", str(db)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{root}: failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, got: dict[str, object], ref: dict[str, object]) -> None:
    lat = [(q, s) for q, s in got["latencies"] if s > 0]  # type: ignore[union-attr]
    print(
        f"{name:9} first open {got['first_open']:.2f} s · first paint {got['first_paint']:.2f} s · "
        f"bursts (last key → list): " + ", ".join(f"{b!r} {got['bursts'][b] * 1000:.0f} ms" for b in BURSTS)  # type: ignore[index]
    )
    for label, keep in (
        ("every key", lambda q: True),
        ("≥ 3 chars", lambda q: len(q) >= 3),
        ("1-2 chars", lambda q: 0 < len(q) < 3),
        ("empty", lambda q: not q),
    ):
        part = [s for q, s in lat if keep(q)]
        if part:
            med, p95 = statistics.median(part), _p95(part)
            print(
                f"          key → list, {label}: median {med * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {max(part) * 1000:.0f} ms ({len(part)} keys; p95 = {p95 / ref['page']:.0f}× the bare first page)"
            )
    slow = sorted(lat, key=lambda r: -r[1])[:5]
    print("          slowest: " + ", ".join(f"{q!r} {s * 1000:.0f} ms" for q, s in slow))
    print("          other screens: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in got.items() if k in SCREEN_KEYS))


SCREEN_KEYS = (
    "tables_paint", "tables_key_while_counting", "tables_lag", "tables_counted", "tables_g_key", "tables_g_lag",
    "tables_regrouped", "themes_paint", "document_open", "coding_key_p95", "home_after_edit",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured on a copy of its own")
    parser.add_argument("--work", type=Path, default=ROOT / ".scratch", help="where the copies go")
    parser.add_argument(
        "--baseline-keys-only", action="store_true", help="the baseline types the filter keys only (no other screens)"
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.project is None:
        parser.error("name a project file (it is copied; the original is not touched)")
    args.work.mkdir(parents=True, exist_ok=True)
    runs = [("ours", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    print(f"project {args.project} · load {os.getloadavg()[0]:.1f}")
    for name, root in runs:
        copy = args.work / f"tui_scale_{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(args.project, copy)
        ref = bare(copy)
        got = run_child(root, copy, screens=name == "ours" or not args.baseline_keys_only)
        print(
            f"{'ref':9} bare first page {ref['page'] * 1000:.1f} ms · bare LIKE over names median "
            f"{ref['like_median'] * 1000:.0f} ms, p95 {ref['like_p95'] * 1000:.0f} ms (same copy, same run)"
        )
        report(name, got, ref)
        copy.unlink()
    print(f"load at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
