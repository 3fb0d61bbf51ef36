"""Smoke test of an *installed* qualcode: the TUI opened headless (Pilot).

Run by ``.ci/test-install`` with the fresh venv's Python, from a folder
outside the checkout, on the demo project that ``qualcode demo --no-tui``
built there. Checks that the package (not the checkout) is imported, that
the stylesheet shipped in the wheel is loaded, that the document list shows
every document, and that a keyboard coding is stored in the project.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def main(db: Path, checkout: Path) -> None:
    import qualcode
    from qualcode.store import open_project
    from qualcode.tui import make_app

    where = Path(qualcode.__file__).resolve()
    assert checkout not in where.parents, f"qualcode imported from the checkout: {where}"
    with open_project(db, create=False) as p:
        documents = len(p.documents.all())
        before = len(p.codings.all())
        first_key = next(c for c in p.codes.all() if c.key)

    async def run() -> None:
        app = make_app(db, coder="smoke")
        async with app.run_test(size=(120, 40)) as pilot:
            css = [str(path) for path, _ in app.stylesheet.source.keys() if str(path).endswith(".tcss")]
            assert any(Path(c).is_relative_to(where.parent) for c in css), f"stylesheet not from the package: {css}"
            table = app.screen.query_one("#documents")
            assert table.row_count == documents, (table.row_count, documents)
            await pilot.press("enter")  # open the first document
            await pilot.pause()
            await pilot.press("]", first_key.key)  # code the first turn with the first keyed code
            await pilot.pause()
            await pilot.press("ctrl+q")

    asyncio.run(run())
    with open_project(db, create=False) as p:
        after = p.codings.all()
    assert len(after) == before + 1, (before, len(after))
    new = max(after, key=lambda c: c.id)
    assert new.coder == "smoke" and new.code_id == first_key.id, new
    print(f"tui smoke: {documents} documents listed, stylesheet from {where.parent}, coding #{new.id} stored")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]).resolve())
