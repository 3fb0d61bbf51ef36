"""Analysis tables at scale: frequencies, evidence, agreement and ``--explain`` at 10^4 … 10^6 answers.

Why this benchmark: every analysis table is computed from the attribution
rule (a coding counts for the participant turns it overlaps). Done per coding
in Python it grows with the project and holds it all in memory; done as
set-based SQL it should stay within a small factor of SQLite simply reading
the codings. For each size N this generates (seeded) a survey project of N
one-sentence answers (one respondent each, with region/age/mode attributes)
and two coders' codings (2 per answer: ``alice`` and ``bob``, who agree on
70 %), then runs each step in its own subprocess (`qualcode …` as a user
would) and prints wall time and the subprocess' peak RSS, plus the ratio to
a reference step run the same way on the same project: a bare SQLite
``SELECT`` over every coding (``ref``). Ratios, not seconds, compare across
machines.

The project is written straight into a fresh project file (the store's
schema, rows inserted with ``executemany``) so a 10^6 project is built in
seconds; its rows are what ``import --survey`` and ``code --batch`` store.

The scaling exponent is the least-squares slope of log(time) over log(N) on
the sizes ≥ 10^4; 1.0 is linear.

Run: ``make bench-tables`` (10^4 and 10^5) or
``.venv/bin/python benchmarks/bench_tables_scale.py --max 1000000``;
``--baseline /path/to/other/checkout`` runs each step with that code too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scale_common import AGES, FILLER, MODES, REGIONS, ROOT, TOPICS, exponent, run_step, steps_and_sizes

STEPS = ("ref", "frequencies", "evidence", "agreement", "explain")
CHUNK = 50_000


def generate(db: Path, n: int, seed: int = 15, root: Path = ROOT) -> None:
    """A project file with N survey answers and 2 codings per answer (seeded)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from qualcode.store import open_project; open_project(sys.argv[1], create=True).close()",
            str(db),
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    rng = random.Random(seed)
    names = list(TOPICS)
    vocab = {t: w.split() for t, w in TOPICS.items()}
    stamp = "2026-01-01T00:00:00+00:00"
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO codes (id, name, parent_id, description, sort) VALUES (1, 'Themes', NULL, '', 0)")
        con.executemany(
            "INSERT INTO codes (id, name, parent_id, description, sort) VALUES (?, ?, 1, ?, ?)",
            [(i + 2, t, f"Answers about {t}", i) for i, t in enumerate(names)],
        )
        for lo in range(0, n, CHUNK):
            people, docs, turns, codings = [], [], [], []
            for i in range(lo, min(n, lo + CHUNK)):
                rid, k = f"R{i:07d}", i + 1
                topic = rng.choice(names)
                words = rng.choices(vocab[topic], k=rng.randint(4, 8)) + rng.choices(FILLER, k=rng.randint(3, 6))
                rng.shuffle(words)
                text = " ".join(words).capitalize() + "."
                attrs = {"region": rng.choice(REGIONS), "age": rng.choice(AGES), "mode": rng.choice(MODES)}
                people.append((k, rid, json.dumps(attrs), stamp))
                meta = json.dumps({"row": i + 2, "encoding": "utf-8", "key": rid})
                docs.append(
                    (
                        k,
                        rid,
                        "survey",
                        "survey.csv",
                        text,
                        stamp,
                        k,
                        meta,
                        len(words),
                        hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    )
                )
                turns.append((k, k, 0, rid, "participant", k, 0, len(text), text))
                other = topic if rng.random() < 0.7 else rng.choice(names)
                codings.append((names.index(topic) + 2, k, 0, len(text), "alice", stamp))
                codings.append((names.index(other) + 2, k, 0, len(text), "bob", stamp))
            con.executemany("INSERT INTO participants (id, name, attributes, created_at) VALUES (?, ?, ?, ?)", people)
            con.executemany(
                "INSERT INTO documents (id, name, kind, source_path, text, imported_at, participant_id,"
                " metadata, words, text_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                docs,
            )
            con.executemany(
                "INSERT INTO turns (id, document_id, seq, speaker, role, participant_id, start, [end],"
                " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                turns,
            )
            con.executemany(
                "INSERT INTO codings (code_id, document_id, start, [end], coder, origin, status,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'manual', 'confirmed', ?)",
                codings,
            )
    con.close()


def commands(py: str, db: Path, work: Path) -> dict[str, list[str]]:
    q = [py, "-m", "qualcode.cli.main"]
    p = ["--project", str(db)]
    ref = (
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
        " print(sum(1 for r in c.execute('SELECT id, code_id, document_id, start, [end], coder, status"
        " FROM codings')))"
    )
    return {
        "ref": [py, "-c", ref, str(db)],
        "frequencies": q
        + ["export", "frequencies", "--by", "region", "--format", "xlsx", "-o", str(work / "freq.xlsx")]
        + p,
        "evidence": q + ["export", "evidence", "--format", "json", "-o", str(work / "evidence.json")] + p,
        "agreement": q + ["agreement", "--json"] + p,
        "explain": q + ["export", "frequencies", "--explain", "Themes > health", "--json"] + p,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=100_000, help="largest number of answers (default 10^5)")
    parser.add_argument("--min", type=int, default=10_000)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of " + ",".join(STEPS))
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per step before it is killed")
    parser.add_argument("--keep", type=Path, help="keep the generated projects in this folder")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: reuse a project already generated there (same N) instead of generating it again",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. `git worktree add /tmp/before main`): each step also runs"
        " with its code, right after ours, on a copy of the same project",
    )
    args = parser.parse_args()
    wanted, sizes = steps_and_sizes(parser, args.steps, STEPS, args.min, args.max)
    roots = [("after", ROOT)] + ([("before", args.baseline.resolve())] if args.baseline else [])
    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    work_root = (args.keep or Path(tempfile.mkdtemp(prefix="bench-tables-"))).resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    print(f"# bench_tables_scale: sizes {sizes}, steps {wanted}, {os.cpu_count()} cores", flush=True)
    for n in sizes:
        for label, root in roots:
            work = work_root / f"n{n}-{label}"
            work.mkdir(exist_ok=True)
            db = work / "project.qc"
            if db.exists() and args.reuse and args.keep:
                print(f"n={n} {label}: reusing {db}", flush=True)
            else:
                if db.exists():
                    db.unlink()
                t0 = time.perf_counter()
                generate(db, n, root=root)
                print(f"n={n} {label}: project generated in {time.perf_counter() - t0:.1f} s", flush=True)
            cmds = commands(sys.executable, db, work)
            for step in wanted:
                took, rss, rc = run_step(cmds[step], work, args.timeout, root)
                results.setdefault((label, step), []).append((took, rss, rc))
                ref = results[(label, "ref")][-1][0]
                flag = "" if rc == 0 else f"  (exit {rc}, see {work / 'out.log'})"
                print(
                    f"n={n:>8} {label:<6} {step:<12} {took:8.2f} s  {rss:8.0f} MB  x{took / ref:6.1f} ref{flag}",
                    flush=True,
                )
    print("\n| step | " + " | ".join(f"{n:,} answers" for n in sizes) + " | exponent |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for label, _ in roots:
        for step in wanted:
            rows = results[(label, step)]
            refs = results[(label, "ref")]
            cells = [
                f"{t:.2f} s, {r:.0f} MB (x{t / ref[0]:.0f})" if rc == 0 else f"failed ({rc})"
                for (t, r, rc), ref in zip(rows, refs)
            ]
            k = exponent(sizes, [t if rc == 0 else float("inf") for t, _, rc in rows])
            print(
                f"| {step} ({label}) | " + " | ".join(cells) + f" | {k:.2f} |"
                if k is not None
                else f"| {step} ({label}) | " + " | ".join(cells) + " | – |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
