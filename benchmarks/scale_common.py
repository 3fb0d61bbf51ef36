"""What the scale benchmarks share: the generated answers' vocabulary, one measured step, the scaling exponent.

Used by ``bench_scale.py`` (every step of a study) and ``bench_tables_scale.py`` (the analysis tables).
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TOPICS = {
    "cost": "price bill expensive afford pay charge money fee tariff budget",
    "transport": "bus train route station late service timetable fare journey cycle",
    "housing": "rent home house landlord repair flat estate build tenant mortgage",
    "health": "doctor hospital appointment nurse waiting clinic care surgery treatment medicine",
    "environment": "park tree pollution air litter green river recycle waste noise",
    "safety": "police crime street light night safe patrol theft violence neighbour",
    "schools": "school teacher class pupil exam childcare nursery college learning uniform",
    "jobs": "work job wage employer skill training apprenticeship shift contract business",
}
FILLER = "the a we our more need should local council people really very about for and with".split()
REGIONS = ["North", "South", "East", "West", "Central"]
AGES = ["18-34", "35-54", "55+"]
MODES = ["online", "paper"]


def run_step(cmd: list[str], cwd: Path, timeout: float, root: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one subprocess (code from ``root``)."""
    t0 = time.perf_counter()
    with open(cwd / "out.log", "ab") as log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "PYTHONPATH": str(root)}
        )
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return float("inf"), usage.ru_maxrss / 1024, -9
            time.sleep(0.02)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def exponent(sizes: list[int], times: list[float]) -> float | None:
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, times) if n >= 10_000 and 0 < t < float("inf")]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def steps_and_sizes(parser, steps_arg: str, known: tuple[str, ...], low: int, high: int) -> tuple[list[str], list[int]]:  # noqa: ANN001
    """The wanted steps (``ref`` first, unknown ones a usage error) and the sizes low, 10·low, … up to high."""
    wanted = [s for s in steps_arg.split(",") if s]
    bad = [s for s in wanted if s not in known]
    if bad:
        parser.error(f"unknown step(s): {', '.join(bad)}")
    if "ref" not in wanted:
        wanted.insert(0, "ref")
    sizes = []
    n = low
    while n <= high:
        sizes.append(n)
        n *= 10
    return wanted, sizes
