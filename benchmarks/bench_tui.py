"""Workbench speed: first paint and key-to-stored-and-shown coding latency.

One run measures, headless (Textual's ``run_test``), on
  * the longest AMI meeting transcript in ``../shared/corpora`` and
  * a generated 1,000,000-character interview transcript:
first paint = from asking for the document view to the first transcript row
painted; coding latency = from a code-key press to the coding being in the
store and its rows redrawn (``pilot.press`` + one refresh), over 200 codings.

Targets: first paint < 0.5 s and p95 < 50 ms on the 1M-character document.

Run: ``.venv/bin/python benchmarks/bench_tui.py``
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.model import ParsedDocument, ParsedTurn  # noqa: E402
from qualcode.store import open_project  # noqa: E402

AMI = ROOT.parent / "shared" / "corpora" / "qmsum-ami-product" / "meetings"
N_CODINGS = 200
WORDS = (
    "procurement value social bid tender feedback score weeks small firm buyer contract "
    "evaluation answer question cost time skills team local jobs training carbon supplier"
).split()


def ami_document() -> ParsedDocument | None:
    """The longest AMI meeting (by characters), parsed from its JSON."""
    files = sorted(AMI.glob("*.json"))
    if not files:
        return None
    best, best_len = None, -1
    for f in files:
        items = json.loads(f.read_text(encoding="utf-8"))["meeting_transcripts"]
        n = sum(len(i["content"]) for i in items)
        if n > best_len:
            best, best_len = (f, items), n
    assert best is not None
    path, items = best
    return _transcript(path.stem, [(i["speaker"], i["content"]) for i in items])


def generated_document(chars: int = 1_000_000, seed: int = 7) -> ParsedDocument:
    """A long interview: alternating speakers, 1-12 sentences a turn."""
    rng = random.Random(seed)
    turns: list[tuple[str, str]] = []
    total = 0
    while total < chars:
        speaker = "Interviewer" if len(turns) % 2 == 0 else f"P{rng.randint(1, 6)}"
        sents = [
            " ".join(rng.choices(WORDS, k=rng.randint(4, 18))).capitalize() + "." for _ in range(rng.randint(1, 12))
        ]
        said = " ".join(sents)
        turns.append((speaker, said))
        total += len(speaker) + 4 + len(said)
    return _transcript("generated_1M", turns)


def _transcript(name: str, turns: list[tuple[str, str]]) -> ParsedDocument:
    parts: list[str] = []
    parsed: list[ParsedTurn] = []
    pos = 0
    for speaker, said in turns:
        label = f"{speaker}: "
        start = pos + len(label)
        parsed.append(
            ParsedTurn(
                speaker, start, start + len(said), role="interviewer" if speaker == "Interviewer" else "participant"
            )
        )
        chunk = label + said + "\n\n"
        parts.append(chunk)
        pos += len(chunk)
    return ParsedDocument(name=name, kind="interview", text="".join(parts), turns=parsed)


async def measure(db: Path, doc_id: int) -> dict[str, float]:
    from textual import events

    from qualcode.tui import make_app
    from qualcode.tui.screens.document import DocumentScreen
    from qualcode.tui.widgets.transcript import TranscriptView

    app = make_app(db, coder="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_document(doc_id)
        while True:
            views = app.screen.query(TranscriptView) if isinstance(app.screen, DocumentScreen) else []
            if views and views.first().first_paint:
                break
            await asyncio.sleep(0.001)
        first_paint = app.screen.view.first_paint - t0
        view = app.screen.view
        latencies: list[float] = []
        for i in range(N_CODINGS):
            await pilot.press("]" if i % 3 == 0 else "ctrl+right", "w", "w")
            before = len(view.index.by_id)
            key = str(1 + i % 5)
            t = time.perf_counter()
            # The key goes through the app's normal dispatch; we stop the
            # clock when the coding is indexed and a row has been repainted.
            app.post_message(events.Key(key, key))
            while not (len(view.index.by_id) > before and view.last_paint > t):
                await asyncio.sleep(0)
                if time.perf_counter() - t > 10:
                    raise RuntimeError(f"coding {i} never showed (app crashed or key not applied)")
            latencies.append(time.perf_counter() - t)
        stored = len(app.project.codings.for_document(doc_id))
    latencies.sort()
    return {
        "chars": len(view.text),
        "turns": len(view.turns),
        "first_paint_s": first_paint,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * len(latencies)) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "stored": stored,
    }


def main() -> None:
    docs = [d for d in (ami_document(), generated_document()) if d is not None]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with open_project(db) as project:
            ids = [project.documents.add(d)[0].id for d in docs]
            for k in range(1, 6):
                project.codes.add(f"Code {k}", key=str(k))
        print(
            f"{'document':<16}{'chars':>10}{'turns':>7}{'first paint':>13}{'median':>10}{'p95':>10}{'max':>10}{'stored':>8}"
        )
        for doc, doc_id in zip(docs, ids):
            r = asyncio.run(measure(db, doc_id))
            print(
                f"{doc.name:<16}{r['chars']:>10,}{r['turns']:>7}{r['first_paint_s']:>12.3f}s"
                f"{r['median_ms']:>8.1f}ms{r['p95_ms']:>8.1f}ms{r['max_ms']:>8.1f}ms{r['stored']:>8}"
            )
    print(f"targets on the 1M document: first paint < 0.5 s, p95 < 50 ms ({N_CODINGS} codings each)")


if __name__ == "__main__":
    main()
