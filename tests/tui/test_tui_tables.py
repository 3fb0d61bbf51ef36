"""Pilot tests of the Tables screen (F7): grouped frequencies, chart, export."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")


@pytest.fixture
def db(tmp_path, monkeypatch, build_tables_project) -> Path:
    """interview_a (Alice, SME) and interview_b (Bob, large) with codings."""
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    return build_tables_project(tmp_path / "study.db")


def cells(table) -> dict[str, list[str]]:
    """``{code name: [cells...]}`` as shown (names stripped of the indent)."""
    out = {}
    for row in range(table.row_count):
        values = [str(v) for v in table.get_row_at(row)]
        out[values[0].strip()] = values
    return out


async def settle(pilot):
    """Let the frequencies worker finish and its result reach the screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_tables(pilot):
    from qualcode.tui.screens.tables import TablesScreen

    await pilot.press("f7")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TablesScreen)
    return pilot.app.screen


async def test_grouped_frequencies_match_analysis(db, screen_size, workbench):
    from qualcode.analysis import frequencies
    from qualcode.store import open_project

    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        screen = await open_tables(pilot)
        table = screen.query_one("#freq-table")
        shown = cells(table)
        # Hand counts: Feedback rolls up Timeliness (2) and Quality (2) over Alice and Bob.
        assert shown["Feedback"][1:4] == ["4", "2", "100.0%"]
        assert shown["Quality"][1:4] == ["2", "1", "50.0%"]
        assert table.get_row_at(1)[0].startswith("  ")  # sub-codes are indented
        await pilot.press("g")  # compare by the first attribute, org_size
        await settle(pilot)
        assert screen.by == "org_size"
        shown = cells(table)
        with open_project(db, create=False) as p:
            frame = frequencies(p, by=["org_size"])
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:4] == ["Code", "Codings", "Participants", "%"]
        groups = frame.attrs["groups"]
        assert labels[4:] == [f"{g['values'][0]} (n={g['base']})" for g in groups]
        for rec in frame.to_dict("records"):
            row = shown[rec["code"]]
            assert row[1] == str(rec["codings"]) and row[2] == str(rec["participants"])
            for i, g in enumerate(groups):
                n = rec[f"{g['label']}: participants"]
                pct = rec[f"{g['label']}: participants_percent"]
                assert row[4 + i] == f"{n} ({pct:.1f}%)"
        # Hand check: Timeliness was said by Alice (SME) and Bob (large): 1 (100%) each.
        assert shown["Timeliness"][4:] == ["1 (100.0%)", "1 (100.0%)"]
        # The chart follows the highlighted code: all participants, then one bar per group.
        chart = screen.query_one("#freq-chart")
        assert [b.label for b in chart.bars] == ["all participants"] + [
            f"org_size={g['values'][0]} (n={g['base']})" for g in groups
        ]
        assert [b.value for b in chart.bars] == [100.0, 100.0, 100.0]  # Feedback: both people
        await pilot.press("down", "down")  # Quality: Alice only
        await pilot.pause()
        by_label = {b.label: b.value for b in chart.bars}
        assert by_label["all participants"] == 50.0
        assert by_label["org_size=SME (n=1)"] == 100.0 and by_label["org_size=large (n=1)"] == 0.0
        await pilot.press("b")  # all themes: the top-level codes with their groups
        await pilot.pause()
        assert [b.label for b in chart.bars if not b.label.startswith(" ")] == ["Feedback", "Burden"]


async def test_export_dialog_writes_files(db, tmp_path, notices, screen_size, workbench):
    import pandas as pd

    app = workbench(db)
    async with app.run_test(size=screen_size, message_hook=notices.hook) as pilot:
        screen = await open_tables(pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        path = dialog.query_one("#export-path")
        assert path.value.endswith("study_frequencies.xlsx")  # follows kind and format
        target = tmp_path / "out" / "freq.xlsx"
        target.parent.mkdir()
        path.value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert any(str(target) in n for n in notices)
        sheets = pd.read_excel(target, sheet_name=None)
        frame = next(iter(sheets.values()))
        text = frame.astype(str).to_string()
        assert "Timeliness" in text and "org_size=SME" in text
        # The codings as csv: change the kind and format in the dialog; the path follows.
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-kind").value = "codings"
        dialog.query_one("#export-format").value = "csv"
        await pilot.pause()
        value = dialog.query_one("#export-path").value
        assert value.endswith("study_codings.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = pd.read_csv(value)
        assert len(rows) == 5
        assert sorted(rows["code"]) == sorted(["Timeliness", "Quality", "Quality", "Burden", "Timeliness"])
        # A folder that does not exist is refused in the dialog.
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(tmp_path / "nope" / "x.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no such folder" in str(app.screen.query_one("#export-error").render())


def test_export_every_kind_and_format(tmp_path, build_tables_project):
    """What the dialog offers, each combination written and non-empty (as the worker does it)."""
    from qualcode.store import open_project
    from qualcode.tui.modals.export import EXPORT_FORMATS, EXPORT_KINDS, ExportChoice
    from qualcode.tui.screens.tables import export_table

    path = build_tables_project(tmp_path / "study.db")
    with open_project(path, create=False) as p:
        for kind in EXPORT_KINDS:
            for fmt in EXPORT_FORMATS:
                target = tmp_path / f"{kind}.{fmt}"
                written = export_table(p, ExportChoice(kind, fmt, target), "org_size")
                assert target in written and target.stat().st_size > 0, (kind, fmt)
    import json

    records = json.loads((tmp_path / "frequencies.json").read_text())
    assert records  # the stable JSON shape of the frequencies export


def test_bar_text_resolution():
    from qualcode.tui.widgets.barchart import bar_text

    assert bar_text(50, 100, 10) == "█████"
    assert bar_text(55, 100, 10) == "█████▌"  # 5.5 cells: half a block
    assert bar_text(100, 100, 8) == "█" * 8
    assert bar_text(150, 100, 8) == "█" * 8  # clipped to the scale
    assert bar_text(0, 100, 8) == "" and bar_text(5, 0, 8) == ""


async def test_a_failed_count_is_one_notification_not_a_crash(db, notices, screen_size, workbench, monkeypatch):
    import qualcode.analysis

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(qualcode.analysis, "frequencies", broken)
    app = workbench(db)
    async with app.run_test(size=screen_size, message_hook=notices.hook) as pilot:
        screen = await open_tables(pilot)
        assert app.is_running and screen.frame is None
        assert notices == ["failed: disk on fire"]
        assert "No codes yet." in str(screen.query_one("#tables-note").render())
