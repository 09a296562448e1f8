"""All passes for 1,000 stations over the Soyuz MS-25 docked period, against skyfield.

sim.find_passes runs on all stations (with element-set switching and visibility). skyfield's
find_events is looped over the same stations for each element set, as a skyfield script would;
because that takes seconds per station, it runs on the first ``--skyfield-stations`` stations
and the per-station time is scaled to 1,000 (the output says so).

    python benchmarks/bench_passes.py [--skyfield-stations 25]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TLE = ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle"
START, END = "2024-03-25T15:02:51Z", "2024-04-06T03:54:58Z"


def stations(n=1000, seed=0):
    from sim.passes import Station

    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform over the sphere
    lon = rng.uniform(-180, 180, n)
    return [
        Station(f"s{i}", float(a), float(b), 0.0, 10.0)
        for i, (a, b) in enumerate(zip(lat, lon, strict=True))
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skyfield-stations", type=int, default=25)
    args = parser.parse_args()
    import sim
    from sim.passes import find_passes
    from sim.times import TimeGrid, timescale

    cat = sim.load_catalogue(TLE)
    st = stations()
    t0 = time.perf_counter()
    passes = find_passes(cat, st, START, END)
    ours = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from skyfield.api import EarthSatellite, wgs84

    ts = timescale()
    n = args.skyfield_stations
    # the segments of the epoch rule over the window, as a skyfield script would loop them
    grid = TimeGrid.span(START, END, 60.0)
    index = cat.index_at(grid.whole, grid.fraction)
    t_all = grid.to_skyfield()
    t1 = time.perf_counter()
    count_sf = 0
    for s in st[:n]:
        topos = wgs84.latlon(s.lat_deg, s.lon_deg)
        for k in np.unique(index):
            sel = np.nonzero(index == k)[0]
            sat = EarthSatellite.from_satrec(cat.sets[k].satrec, ts)
            _t, ev = sat.find_events(topos, t_all[sel[0]], t_all[sel[-1]], altitude_degrees=10.0)
            count_sf += int(np.sum(ev == 0))
    sf = time.perf_counter() - t1
    sf_1000 = sf / n * len(st)
    ours_subset = sum(1 for p in passes if int(p.station[1:]) < n and not p.open_start)
    print(f"{len(st)} stations, {START} to {END}, mask 10 deg")
    print(
        f"sim.find_passes (switching + visibility): {ours:.2f} s, {len(passes)} passes, "
        f"{sum(p.visible for p in passes)} visible, peak RSS {peak:.0f} MB"
    )
    print(
        f"skyfield find_events on {n} stations: {sf:.2f} s ({count_sf} rises; sim found "
        f"{ours_subset} closed passes for them) -> {sf_1000:.0f} s scaled to {len(st)} stations"
    )
    print(f"ratio: sim is {sf_1000 / ours:.0f}x faster (skyfield time scaled from {n} stations)")


if __name__ == "__main__":
    main()
