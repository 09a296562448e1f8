"""The launch-window JSON to the precision the README states for it (issue 18, docs/mutation.md:
the last open survivor of sim/mission.py, the rounding of the phase angle in the JSON).

The README's row for ``launch_window.json`` (the same JSON ``sim window --json`` prints) states
to how many digits each number is written. Here the JSON of ``sim window --json`` is read back
and every number is checked twice: it is written to the stated step (no more digits, no fewer),
and it lies within half a step (plus the measured agreement) of an independent computation
with skyfield's vectors in GCRS (the helpers of tests/test_units_mission2.py)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import reference as ref
from conftest import BUNDLED_TLE, ROOT
from test_units_mission2 import (
    CROSSING_S,
    OFFSET_DEG,
    PHASE_DEG,
    _ascending,
    _crossings,
    _offset,
    _phase_deg,
)

import sim
from sim.cli import main
from sim.mission import Site

DAY_S = 86400.0
SITE = Site("Baikonur Site 31/6", 45.9961, 63.5639)
START, END = "2024-03-19", "2024-03-23"  # five days, --end inclusive: five daily instants
LAUNCHES = {"scrub": "2024-03-21T13:21:19Z", "launch": "2024-03-23T12:36:10.573Z"}
#: The README's words for each number of the JSON.
WORDS = {
    "daily": "daily in-plane instants",
    "launch": "lift-offs and their in-plane instants",
    "offset": "plane offsets",
    "lead": "leads",
    "phase": "phase angles",
}


def _documented_steps() -> dict:
    """The step of each number of launch_window.json, as the README's table of outputs says."""
    text = (ROOT / "README.md").read_text()
    (row,) = [ln for ln in text.splitlines() if ln.startswith("| `launch_window.json`")]
    steps = {}
    for key, words in WORDS.items():
        m = re.search(re.escape(words) + r" to ([0-9.]+) ?(s|°)", row)
        assert m, f"README's launch_window.json row does not give the precision of {words}"
        steps[key] = float(m.group(1))
    return steps


def _on_step(value: float, step: float) -> bool:
    """Written to ``step``: a whole number of steps (up to the rounding of the decimal)."""
    return abs(value / step - round(value / step)) < 1e-6


def _digits(step: float) -> int:
    return round(-math.log10(step))


def _iso_sec(text: str, step: float) -> float:
    """Reference seconds of an ISO text written with exactly the digits of ``step``."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{%d}Z" % _digits(step), text), text
    return ref.sec_of_iso(text)


def _angle_diff(a, b):
    return abs((a - b + 180.0) % 360.0 - 180.0)


def test_launch_window_json_numbers_to_the_documented_precision(capsys):
    steps = _documented_steps()
    args = ["window", "--tle", str(BUNDLED_TLE), "--site", f"{SITE.lat_deg},{SITE.lon_deg}"]
    args += ["--start", START, "--end", END, "--json"]
    for name, when in LAUNCHES.items():
        args += ["--launch", f"{name}={when}"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    cat = sim.load_catalogue(BUNDLED_TLE)
    insertion_d = data["insertion_s"] / DAY_S
    downrange = data["downrange_deg"]

    # the reference's ascending crossings over the days asked for (and the day before, for the
    # nearest crossing of a lift-off)
    jd0 = ref.JD_2024 + ref.sec_of_iso(START + "T00:00:00Z") / DAY_S
    crossings = _crossings(cat, SITE, jd0 - 1.0, 6.0)
    ascending = crossings[_ascending(cat, SITE, crossings)]

    opportunities = data["opportunities"]
    assert len(opportunities) == 5
    for o in opportunities:
        jd = ref.JD_2024 + _iso_sec(o["in_plane_utc"], steps["daily"]) / DAY_S
        want = ascending[np.argmin(np.abs(ascending - jd))]
        assert abs(jd - want) * DAY_S <= steps["daily"] / 2 + CROSSING_S
        assert o["ascending"] is True
        phase = o["phase_at_insertion_deg"]
        assert _on_step(phase, steps["phase"]), phase
        want_phase = _phase_deg(cat, SITE, want + insertion_d, downrange)[0]
        assert _angle_diff(phase, want_phase) <= steps["phase"] / 2 + PHASE_DEG

    launches = {a["name"]: a for a in data["launches"]}
    assert set(launches) == set(LAUNCHES)
    for name, when in LAUNCHES.items():
        a = launches[name]
        lift = ref.JD_2024 + _iso_sec(a["launch_utc"], steps["launch"]) / DAY_S
        assert abs(lift - (ref.JD_2024 + ref.sec_of_iso(when) / DAY_S)) * DAY_S < 1e-3
        in_plane = ref.JD_2024 + _iso_sec(a["in_plane_utc"], steps["launch"]) / DAY_S
        want = ascending[np.argmin(np.abs(ascending - lift))]
        assert abs(in_plane - want) * DAY_S <= steps["launch"] / 2 + CROSSING_S
        offset = a["plane_offset_deg"]
        assert _on_step(offset, steps["offset"]), offset
        want_offset = math.degrees(math.asin(_offset(cat, SITE, lift)[0]))
        assert abs(offset - want_offset) <= steps["offset"] / 2 + OFFSET_DEG
        lead = a["lead_s"]
        assert _on_step(lead, steps["lead"]), lead
        assert abs(lead - (want - lift) * DAY_S) <= steps["lead"] / 2 + CROSSING_S
        phase = a["phase_at_insertion_deg"]
        assert _on_step(phase, steps["phase"]), phase
        want_phase = _phase_deg(cat, SITE, lift + insertion_d, downrange)[0]
        assert _angle_diff(phase, want_phase) <= steps["phase"] / 2 + PHASE_DEG
