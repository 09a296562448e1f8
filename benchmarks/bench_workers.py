"""Where a second process pays off in ``sim.propagate`` (the threshold ``PARALLEL_MIN_INSTANTS``).

    python benchmarks/bench_workers.py [--sizes 50000,100000,...] [--repeat 7]

For each track length (1-s steps from docking, no Sun, as the ``track`` job of bench_peers.py)
times ``propagate(..., workers=1)`` and ``workers=2`` alternately in one process, after a
warm-up, and prints the minimum and median wall time of each and their ratio. Wall time is
what a user waits; CPU time (this process and its reaped workers) is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime

import numpy as np

DOCKING = datetime(2024, 3, 25, 15, 2, 51, tzinfo=UTC)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000,150000,200000,300000,500000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import sim
    from sim.bundled import default_tle
    from sim.ephemeris import propagate
    from sim.times import TimeGrid, iers_table, timescale

    cat = sim.load_catalogue(default_tle())
    iers_table(), timescale()
    jd0 = 2440587.5 + (DOCKING - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400
    w0 = float(np.floor(jd0))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        "| instants | 1 process: wall min / median (s) | 2 processes | ratio of minima | "
        "ratio of medians | CPU 1 / 2 (s) |"
    )
    print("|---|---|---|---|---|---|")
    for n in [int(x) for x in args.sizes.split(",")]:
        grid = TimeGrid(np.full(n, w0), (jd0 - w0) + np.arange(n) / 86400.0)
        propagate(cat, grid, sunlight=False, workers=2)
        wall = {1: [], 2: []}
        cpu = {1: [], 2: []}
        for _ in range(args.repeat):
            for workers in (1, 2):
                t, c = time.perf_counter(), _cpu()
                propagate(cat, grid, sunlight=False, workers=workers)
                wall[workers].append(time.perf_counter() - t)
                cpu[workers].append(_cpu() - c)
        m1, m2 = min(wall[1]), min(wall[2])
        d1, d2 = statistics.median(wall[1]), statistics.median(wall[2])
        print(
            f"| {n:,} | {m1:.3f} / {d1:.3f} | {m2:.3f} / {d2:.3f} | {m2 / m1:.2f} | "
            f"{d2 / d1:.2f} | {min(cpu[1]):.3f} / {min(cpu[2]):.3f} |",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
