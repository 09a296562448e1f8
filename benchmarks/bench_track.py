"""Speed and memory of the 12-day, 1-second ground track against skyfield, side by side.

Each method runs in its own child process so that its peak memory (max RSS) is its own:

    python benchmarks/bench_track.py            # all methods, prints a table
    python benchmarks/bench_track.py --skip-skyfield

Methods: ``sim`` (sim.propagate with element-set switching, geodetic coordinates and the
Earth's shadow), ``sim-noshadow`` (the same without the Sun), ``bare`` (sgp4_array per segment
plus the GMST rotation only), ``skyfield`` (EarthSatellite.at + wgs84.latlon_of/height_of per
segment, the usual skyfield script).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TLE = ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle"
START = "2024-03-25T15:02:51Z"
COUNT = 12 * 86400  # 1,036,800 instants


def grid():
    from sim.times import DAY_S, TimeGrid, datetime_to_jd, parse_utc

    whole, frac = datetime_to_jd(parse_utc(START))
    return TimeGrid(np.full(COUNT, whole), frac + np.arange(COUNT) / DAY_S)


def run(method: str) -> dict:
    import sim
    from sim.ephemeris import gmst_rad, propagate, teme_to_itrs

    cat = sim.load_catalogue(TLE)
    g = grid()
    if method == "skyfield":
        t = g.to_skyfield()
    t0 = time.perf_counter()
    if method == "sim":
        eph = propagate(cat, g)
        check = float(np.nanmax(np.abs(eph.lat_deg)))
    elif method == "sim-noshadow":
        eph = propagate(cat, g, sunlight=False)
        check = float(np.nanmax(np.abs(eph.lat_deg)))
    elif method == "bare":
        index = cat.index_at(g.whole, g.fraction)
        r, v, _ = cat.teme(g.whole, g.fraction, index)
        theta, theta_dot = gmst_rad(g.whole, g.fraction)
        r_itrs, _ = teme_to_itrs(r, v, theta, theta_dot)
        check = float(np.nanmax(np.abs(r_itrs[:, 2])))
    elif method == "skyfield":
        from skyfield.api import EarthSatellite, wgs84

        index = cat.index_at(g.whole, g.fraction)
        lat = np.empty(len(g))
        for k in np.unique(index):
            sel = np.nonzero(index == k)[0]
            sat = EarthSatellite.from_satrec(cat.sets[k].satrec, t.ts)
            pos = sat.at(t[sel])
            lat[sel] = wgs84.latlon_of(pos)[0].degrees
            wgs84.height_of(pos)
        check = float(np.nanmax(np.abs(lat)))
    else:
        raise SystemExit(f"unknown method {method}")
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "method": method,
        "wall_s": wall,
        "peak_rss_mb": peak_mb,
        "check": check,
        "instants": COUNT,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--skip-skyfield", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast methods (best)")
    args = parser.parse_args()
    if args.method:
        print(json.dumps(run(args.method)))
        return
    methods = ["sim", "sim-noshadow", "bare"] + ([] if args.skip_skyfield else ["skyfield"])
    results = {}
    for m in methods:
        runs = []
        for _ in range(1 if m == "skyfield" else args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--method", m],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        results[m] = min(runs, key=lambda r: r["wall_s"])
    print(f"{COUNT:,} instants, 1 s apart from {START}, {len(methods)} methods, same machine")
    print(f"{'method':<14}{'wall (s)':>10}{'peak RSS (MB)':>15}{'max |lat| or |z|':>18}")
    for m, r in results.items():
        print(f"{m:<14}{r['wall_s']:>10.3f}{r['peak_rss_mb']:>15.0f}{r['check']:>18.4f}")
    sim_wall = results["sim"]["wall_s"]
    print(f"sim / bare sgp4+rotation: {sim_wall / results['bare']['wall_s']:.2f}x")
    if "skyfield" in results:
        print(f"skyfield / sim: {results['skyfield']['wall_s'] / sim_wall:.0f}x faster")


if __name__ == "__main__":
    main()
