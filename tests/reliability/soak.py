"""``make soak``: the long reliability trials, printed as the table quoted in the README.

Run: ``python -m tests.reliability.soak [--kills N] [--fuzz N] [--writers SECONDS]``.
Exit status 1 if any trial found a failure (lost write, traceback, broken
project, half export, temp file left, hang, runaway memory).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.trials import OUTCOMES, fuzz_trial, kill_trials, writer_trial


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kills", type=int, default=7, help="SIGKILLs per operation (8 operations)")
    ap.add_argument("--fuzz", type=int, default=2000, help="mutated files")
    ap.add_argument("--writers", type=float, default=60, help="seconds of concurrent writing")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="qualcode-soak-"))
    bad = 0
    print(f"# qualcode soak (seed {args.seed}, work folder {work})\n")

    t0 = time.monotonic()
    kills = kill_trials(work / "kills", args.kills, seed=args.seed)
    print(f"## SIGKILL at random points ({time.monotonic() - t0:.0f} s)\n")
    print("| operation | kills | integrity_check ok | all or nothing | temp files left | files in $TMPDIR |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in kills:
        print(f"| {r.op} | {r.kills} | {r.integrity_ok} | {r.whole} | {r.temp_left} | {r.tmpdir_files} |")
        bad += len(r.failures) + r.temp_left + r.tmpdir_files
    total = sum(r.kills for r in kills)
    print(
        f"| **all** | **{total}** | {sum(r.integrity_ok for r in kills)} | {sum(r.whole for r in kills)} | "
        f"{sum(r.temp_left for r in kills)} | {sum(r.tmpdir_files for r in kills)} |\n"
    )
    for r in kills:
        for f in r.failures:
            print(f"- {r.op}: {f}")

    t0 = time.monotonic()
    w = writer_trial(work / "writers", args.writers, hold=3.0)
    print(f"## Concurrent writers for {args.writers:.0f} s ({time.monotonic() - t0:.0f} s)\n")
    print(
        "| CLI writes ok | CLI writes failed | TUI writes | TUI busy errors (retried) | lock holds of 3 s | "
        "lost writes | tracebacks |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {w.writes_ok} | {w.writes_failed} | {w.tui_writes} | {w.tui_errors} | {w.holds} | {w.lost} | "
        f"{w.tracebacks} |\n"
    )
    bad += w.lost + w.tracebacks + w.writes_failed
    for d in w.details[:5]:
        print(f"- {d}")

    f = fuzz_trial(work / "fuzz", args.fuzz, seed=args.seed)
    print(f"## Mutation fuzzer: {f.cases} cases ({f.seconds:.0f} s)\n")
    print("| seed kind | " + " | ".join(OUTCOMES) + " |")
    print("| --- |" + " ---: |" * len(OUTCOMES))
    for kind, counter in sorted(f.by_kind.items()):
        print(f"| {kind} | " + " | ".join(str(counter.get(o, 0)) for o in OUTCOMES) + " |")
    print("| **all** | " + " | ".join(f"**{f.outcomes.get(o, 0)}**" for o in OUTCOMES) + " |\n")
    bad += sum(f.outcomes.get(o, 0) for o in OUTCOMES[2:])
    for line in f.failures[:20]:
        print(f"- {line[:600]}")
    print(f"\nfailures: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
