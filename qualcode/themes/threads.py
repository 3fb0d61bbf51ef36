"""How many threads the numeric libraries may use during a suggestion.

Why: scikit-learn's KMeans (OpenMP) and the BLAS behind PCA and SVD spin
their worker threads while they wait; when other processes already keep
the cores busy, two spinning threads on two cores made KMeans 10-16x and
PCA 5x slower than one thread (measured on the shared 2-core machine at
load 6). So the pools get the cores that are free by the 1-minute load
average, at least one; an explicit ``OMP_NUM_THREADS`` /
``OPENBLAS_NUM_THREADS`` / ``MKL_NUM_THREADS`` is left alone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def free_cores() -> int:
    """Cores this process may use, less those the load average says are busy (at least 1)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


@contextlib.contextmanager
def numeric_threads() -> Iterator[int]:
    """Limit the BLAS and OpenMP pools to :func:`free_cores` for the block; yields the limit (0 = not limited)."""
    if any(os.environ.get(name) for name in THREAD_VARIABLES):
        yield 0
        return
    from threadpoolctl import threadpool_limits

    limit = free_cores()
    with threadpool_limits(limits=limit):
        yield limit
