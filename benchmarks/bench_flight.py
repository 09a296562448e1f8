"""Time sim.flight.fly_soyuz_ms25 (ascent, solved two-day chase, fitted return) and the what-if.

Run: python benchmarks/bench_flight.py   (wall and CPU time; the machine is shared, so CPU time
is the steadier figure)
"""

import time

import numpy as np

import sim
from sim.flight import fly_first_attempt, fly_soyuz_ms25


def main():
    cat = sim.load_catalogue(sim.default_tle())
    for name, fn in (("fly_soyuz_ms25", fly_soyuz_ms25), ("fly_first_attempt", fly_first_attempt)):
        wall, cpu = time.perf_counter(), time.process_time()
        fl = fn(cat)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        samples = sum(len(leg) for leg in fl.legs)
        print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {samples} samples")
        for leg in fl.legs:
            if leg.burns:
                sizes = ", ".join(f"{b.name} {b.dv_m_s:.1f}" for b in leg.burns)
                total = sum(b.dv_m_s for b in leg.burns)
                print(f"  {leg.name}: {sizes} (total {total:.1f} m/s)")
    ch = fl.legs[1]
    r, v, _ = cat.teme(ch.times.whole[-1:], ch.times.fraction[-1:])
    print(f"  arrival miss {np.linalg.norm(ch.r_teme_km[-1] - r[0]) * 1e3:.3g} m")


if __name__ == "__main__":
    main()
