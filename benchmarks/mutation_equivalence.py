"""Evidence for the "equivalent" verdicts of sim/passes.py survivors (docs/mutation.md).

Runs 17 pass-search scenarios under the original code and under each named mutant in one process
(mutmut's trampolines read MUTANT_UNDER_TEST at every call) and prints, per mutant, SAME or the
largest difference per scenario (times in seconds, angles in degrees). After a mutmut run:

    cd mutants && PYTHONPATH=.:../tests ../.venv/bin/python ../benchmarks/mutation_equivalence.py \
        sim.passes.x_find_passes__mutmut_3 ...
"""

import math
import os
import sys

os.environ["MUTANT_UNDER_TEST"] = ""
sys.path[:0] = [".", "../tests"]
import pathlib  # noqa: E402 (after the path set-up)
import tempfile  # noqa: E402 (after the path set-up)

from conftest import BUNDLED_TLE, write_decaying_tle  # noqa: E402 (after the path set-up)

import sim  # noqa: E402 (after the path set-up)
from sim.passes import Station, find_passes  # noqa: E402 (after the path set-up)

cat = sim.load_catalogue(BUNDLED_TLE)
tmp = pathlib.Path(tempfile.mkdtemp())
try:
    dcat = sim.load_catalogue(write_decaying_tle(tmp))
except Exception:
    dcat = None
S3 = [
    Station("Minsk", 53.90, 27.57, 220.0),
    Station("Korolev MCC", 55.91, 37.81, 150.0),
    Station("Houston JSC", 29.56, -95.09, 10.0),
]
MASK = Station("Masked", 53.90, 27.57, 220.0, horizon_mask=((0.0, 30.0), (180.0, 5.0)))
SA = Station("South Atlantic", -50.0, -30.0, 0.0)
MINSK10 = Station("Minsk", 53.90, 27.57, 220.0, 10.0)
many = [Station(f"S{k}", 40.0 + 0.1 * (k % 50), 20.0 + k * 0.2, 0.0, 10.0) for k in range(150)]
W = ("2024-03-27T00:00:00Z", "2024-03-29T00:00:00Z")
# pass of Minsk 28 March ~15:4x: rise/culm/set (computed under the original)
base = find_passes(cat, [MINSK10], "2024-03-28T15:00:00Z", "2024-03-28T19:00:00Z", visibility=False)
p0 = base[0]
iso = sim.times.jd_iso


def off(jd, s):
    return iso(jd + s / 86400)


SCEN = {
    "3st_2d": lambda: find_passes(cat, S3, *W),
    "mask_2d": lambda: find_passes(cat, [MASK], *W, visibility=False),
    "mixed": lambda: find_passes(cat, [S3[0], MASK], *W),
    "many": lambda: find_passes(
        cat, many, "2024-03-28T15:00:00Z", "2024-03-28T18:00:00Z", visibility=False
    ),
    "sa_umbra": lambda: find_passes(cat, [SA], "2024-03-30T05:00:00Z", "2024-03-30T08:00:00Z"),
    "sa_umbra_300": lambda: find_passes(
        cat, [SA], "2024-03-30T05:00:00Z", "2024-03-30T08:00:00Z", coarse_step_s=300.0
    ),
    "inside": lambda: find_passes(cat, [MINSK10], off(p0.rise_jd, 100), off(p0.rise_jd, 160)),
    "start_rise-60": lambda: find_passes(
        cat, [MINSK10], off(p0.rise_jd, -60), off(p0.set_jd, 3000)
    ),
    "start_set-2": lambda: find_passes(cat, [MINSK10], off(p0.set_jd, -2), off(p0.set_jd, 3000)),
    "end_rise+2": lambda: find_passes(cat, [MINSK10], off(p0.rise_jd, -3000), off(p0.rise_jd, 2)),
    "start_culm": lambda: find_passes(cat, [MINSK10], iso(p0.culmination_jd), off(p0.set_jd, 3000)),
    "end_culm+30": lambda: find_passes(
        cat, [MINSK10], off(p0.rise_jd, -3000), off(p0.culmination_jd, 30)
    ),
    "end_culm-30": lambda: find_passes(
        cat, [MINSK10], off(p0.rise_jd, -3000), off(p0.culmination_jd, -30)
    ),
    "start_culm+30": lambda: find_passes(
        cat, [MINSK10], off(p0.culmination_jd, 30), off(p0.set_jd, 3000)
    ),
    "spot": lambda: find_passes(
        cat, [S3[0]], "2024-03-25T15:02:51Z", "2024-03-31T00:00:00Z", preset="spot-the-station"
    ),
}
if dcat is not None:
    SCEN["decay"] = lambda: find_passes(
        dcat,
        [Station("Equator", 0.0, 0.0, 0.0, 10.0), S3[2]],
        "2024-03-27T12:00:00Z",
        "2024-04-05T00:00:00Z",
        visibility=False,
    )
    SCEN["decay_vis"] = lambda: find_passes(
        dcat, [S3[2]], "2024-03-27T12:00:00Z", "2024-04-05T00:00:00Z"
    )


def run_all():
    out = {}
    for k, f in SCEN.items():
        try:
            out[k] = sorted(
                ([p.to_dict() | {"_vt": p.extra.get("visible_t")} for p in f()]),
                key=lambda d: (d["station"], d["rise_utc"]),
            )
        except Exception as e:
            out[k] = f"EXC {type(e).__name__}: {str(e)[:80]}"
    return out


def compare(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return (
            None
            if a == b
            else f"{a if isinstance(a, str) else 'ok'} vs {b if isinstance(b, str) else 'ok'}"
        )
    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} passes"
    worst = []
    for x, y in zip(a, b, strict=False):
        for k in x:
            u, v = x[k], y[k]
            if u == v:
                continue
            if isinstance(u, float) and isinstance(v, float):
                worst.append((abs(u - v), k))
            elif (k.endswith("_utc") or k.endswith("_local")) and u and v:
                from datetime import datetime

                du = abs(
                    (
                        datetime.fromisoformat(u.replace("Z", "+00:00"))
                        - datetime.fromisoformat(v.replace("Z", "+00:00"))
                    ).total_seconds()
                )
                worst.append((du, k + "(s)"))
            elif k == "_vt" and u and v:
                worst.append((max(abs(u[0] - v[0]), abs(u[1] - v[1])), "visible_t(s)"))
            else:
                worst.append((math.inf, f"{k}: {u!r} vs {v!r}"[:90]))
    if not worst:
        return None
    return "max diff %.3g %s" % max(worst)


os.environ["MUTANT_UNDER_TEST"] = ""
orig = run_all()
for k, v in orig.items():
    if isinstance(v, str):
        print("ORIGINAL", k, v)
for name in sys.argv[1:]:
    os.environ["MUTANT_UNDER_TEST"] = name
    got = run_all()
    os.environ["MUTANT_UNDER_TEST"] = ""
    diffs = {k: compare(orig[k], got[k]) for k in SCEN}
    diffs = {k: d for k, d in diffs.items() if d}
    short = name.replace("sim.passes.x_", "").replace("__mutmut_", "#")
    print(
        short, "SAME" if not diffs else "; ".join(f"{k}: {d}" for k, d in diffs.items()), flush=True
    )
