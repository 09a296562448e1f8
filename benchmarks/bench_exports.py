"""Export and animation speed: a 2-hour, 1-second CZML and a 300-frame GIF.

python benchmarks/bench_exports.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    import sim
    from sim.export.formats import export
    from sim.plots.animate import write_animation

    text = (ROOT / "scenarios" / "soyuz-ms25.toml").read_text()
    text = text.replace('start = "docking"', 'start = "2024-03-26T00:00:00Z"')
    text = text.replace('end = "undocking-ms24"', 'end = "2024-03-26T02:00:00Z"')
    text = text.replace("step_s = 10.0", "step_s = 1.0")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "two-hours.toml"
        path.write_text(text.replace("../tle/", f"{ROOT / 'tle'}/"))
        res = sim.run_scenario(sim.load_scenario(path))
        t0 = time.perf_counter()
        export(res, "czml", tmp / "x.czml")
        czml_s = time.perf_counter() - t0
        print(
            f"CZML, 2 hours at 1 s ({len(res.ephemeris)} samples): {czml_s:.2f} s, "
            f"{(tmp / 'x.czml').stat().st_size / 1e6:.1f} MB"
        )
        full = sim.run_scenario(sim.load_scenario(sim.default_scenario()))
        for fmt in ("czml", "kml", "oem"):
            t0 = time.perf_counter()
            export(full, fmt, tmp / f"full.{fmt}")
            print(
                f"{fmt.upper()}, whole stay ({len(full.ephemeris)} samples): "
                f"{time.perf_counter() - t0:.2f} s"
            )
        j0 = full.ephemeris.times.jd[0]
        for ext in ("gif", "mp4"):
            t0 = time.perf_counter()
            n = write_animation(
                full, tmp / f"a.{ext}", seconds_per_frame=60.0, end_jd=j0 + 299 / 1440
            )
            print(
                f"{ext.upper()}, {n} frames at 800x448: {time.perf_counter() - t0:.1f} s, "
                f"{(tmp / f'a.{ext}').stat().st_size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
