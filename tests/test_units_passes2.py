"""A pass whose margin has two coarse maxima (issue 18, docs/mutation.md: the last open
survivors of sim/passes.py, the collapse of several maxima of one pass into one pass).

How it is built: on 2024-04-03 at 20:21:47 UTC the bundled ISS element sets change from the one
of 31 March to the one of 3 April, and the new set puts the station 24.6 s further back along
its orbit than the old one (a reboost between the epochs). A ground station that sees the ISS
rising at that instant sees its elevation drop by a few degrees at the switch and climb again to
a higher culmination about a minute later (a second test builds two passes less than a second
apart from another switch). Sampled every 10 s (``coarse_step_s``, shorter than
the 24.6 s jump), that one pass has two coarse maxima: one just before the switch and the real
culmination after it. The test checks the passes against skyfield's ``altaz()`` with the set in
force at each instant (tests/reference.py), not against sim's own output, and that the
construction does reach two coarse maxima (in the reference's samples). Fast: a 30 min window."""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from conftest import BUNDLED_TLE, EVENT_TIME_TOLERANCE_S, LOOK_ANGLE_TOLERANCE_DEG

import sim
from sim.passes import Station, find_passes

#: Sable Island sees the ISS rise at 20:19:31, climb to 29.2 deg at the switch, drop to 24.9 deg,
#: culminate at 34.2 deg at 20:23:03; Halifax sees the same pass (33.1 deg, 31.3 deg, 33.4 deg),
#: a second station whose pass must survive the collapse of the first station's maxima.
MIN_EL_DEG = 10.0
STATIONS = [
    Station("Sable Island", 43.93, -59.91, 0.0, MIN_EL_DEG),
    Station("Halifax", 44.65, -63.57, 0.0, MIN_EL_DEG),
]
STEP_S = 10.0
HALF_WINDOW_S = 900.0
#: The coarse samples fall 5 s either side of the switch, none on it.
SHIFT_S = 5.0
#: Reference samples for the pass ends and the culmination.
SAMPLE_S = 0.5


def _reference_passes(sats, st, a, b, dense=()):
    """(rise, culmination, set, max elevation) in reference seconds of every pass of ``st``
    above the mask between a and b, from skyfield on the set in force; sampled every 0.5 s, and
    every 10 ms over the (lo, hi) spans of ``dense``."""
    t = np.arange(a, b + SAMPLE_S / 2, SAMPLE_S)
    for lo, hi in dense:
        t = np.union1d(t, np.arange(lo, hi, 0.01))
    el = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, t)[:, 0]
    up = el > st.min_elevation_deg
    assert not up[0] and not up[-1]  # closed passes only, in this window
    edges = np.flatnonzero(np.diff(up.astype(int)))
    out = []
    for i, j in zip(edges[::2], edges[1::2], strict=True):

        def above(x, st=st):
            look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, x)
            return look[:, 0] > st.min_elevation_deg

        rise = ref.bisect_time(above, t[i], t[i + 1])
        set_ = ref.bisect_time(above, t[j], t[j + 1])
        k = i + 1 + int(np.argmax(el[i + 1 : j + 1]))
        fine = np.linspace(t[k] - SAMPLE_S, t[k] + SAMPLE_S, 2001)  # 0.5 ms apart
        fine = fine[(fine > rise) & (fine < set_)]
        el_fine = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, fine)[:, 0]
        m = int(np.argmax(el_fine))
        out.append((rise, fine[m], set_, el_fine[m]))
    return out


def test_a_pass_with_two_coarse_maxima_across_a_switch_of_element_set():
    cat = sim.load_catalogue(BUNDLED_TLE)
    sats = ref.tle_satellites(BUNDLED_TLE)
    sw = next(s for s in cat.switches() if s.to_index == 3)
    t_sw = float(ref.sec_of_jd([sw.jd])[0])
    a, b = t_sw - HALF_WINDOW_S - SHIFT_S, t_sw + HALF_WINDOW_S
    stations = STATIONS

    # the construction: in the reference's own samples at the coarse instants, the first
    # station's pass has two interior maxima (one before the switch, one after)
    coarse = np.arange(a, b + 1.0, STEP_S)
    st = stations[0]
    margin = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, coarse)[:, 0] - MIN_EL_DEG
    peaks = np.flatnonzero((margin[1:-1] >= margin[:-2]) & (margin[1:-1] > margin[2:])) + 1
    assert margin[peaks].min() > 0 and coarse[peaks[0]] < t_sw < coarse[peaks[-1]]
    assert peaks.size == 2 and (margin[peaks[0] : peaks[1] + 1] > 0).all()  # one pass

    got = find_passes(
        cat, stations, ref.iso_of_sec(a), ref.iso_of_sec(b), coarse_step_s=STEP_S, visibility=False
    )
    for st in stations:
        want = _reference_passes(sats, st, a, b)
        mine = [p for p in got if p.station == st.name]
        assert len(mine) == len(want) == 1, st.name
        (p,), ((rise, tca, set_, el_max),) = mine, want
        sec = ref.sec_of_jd([p.rise_jd, p.culmination_jd, p.set_jd])
        assert abs(sec[0] - rise) < EVENT_TIME_TOLERANCE_S
        assert abs(sec[2] - set_) < EVENT_TIME_TOLERANCE_S
        assert not p.open_start and not p.open_end
        # the culmination is the real one, after the switch, not the coarse maximum before it
        assert p.max_elevation_deg == pytest.approx(el_max, abs=LOOK_ANGLE_TOLERANCE_DEG)
        assert abs(sec[1] - tca) < 1.0  # a maximum: its time is flat to a fraction of a second
        assert sec[1] > t_sw
        assert p.element_set_epoch_utc == ref.epoch_iso_s(sats[sw.to_index])


def test_two_passes_of_one_station_less_than_a_second_apart_stay_apart():
    """At the switch of 2024-03-31 09:47:41 UTC the new element set puts the ISS 0.67 s back
    along its orbit (and 0.7 km aside): seen from St Helena, rising at 25 deg, its elevation
    drops by 0.2 deg. With a mask of 25.2 deg the ISS rises 0.34 s before the switch, sets at
    it, and rises again 0.53 s after: two passes whose rises are 0.87 s apart. Coarse samples
    0.3 s apart fall below the mask before the first, inside the first, and in the gap."""
    cat = sim.load_catalogue(BUNDLED_TLE)
    sats = ref.tle_satellites(BUNDLED_TLE)
    sw = next(s for s in cat.switches() if s.to_index == 2)
    t_sw = float(ref.sec_of_jd([sw.jd])[0])
    st = Station("St Helena", -15.97, -5.70, 0.0, 25.2)
    step_s = 0.3
    a, b = t_sw - 60.5, t_sw + 600.0  # coarse samples at t_sw - 0.5, - 0.2, + 0.1, + 0.4, ...
    want = _reference_passes(sats, st, a, b, dense=[(t_sw - 2.0, t_sw + 2.0)])
    assert len(want) == 2
    (rise_a, _, set_a, _), (rise_b, _, _, _) = want
    assert abs(set_a - t_sw) < 0.01 and 0.05 < rise_b - rise_a < 1.0  # the construction
    assert rise_a > t_sw - 0.5 and t_sw + 0.1 < rise_b < t_sw + 0.7
    got = find_passes(
        cat, [st], ref.iso_of_sec(a), ref.iso_of_sec(b), coarse_step_s=step_s, visibility=False
    )
    assert len(got) == 2
    for p, (rise, tca, set_, el_max) in zip(got, want, strict=True):
        sec = ref.sec_of_jd([p.rise_jd, p.culmination_jd, p.set_jd])
        assert abs(sec[0] - rise) < EVENT_TIME_TOLERANCE_S
        assert abs(sec[2] - set_) < EVENT_TIME_TOLERANCE_S
        assert p.max_elevation_deg == pytest.approx(el_max, abs=LOOK_ANGLE_TOLERANCE_DEG)
        assert abs(sec[1] - tca) < 1.0 and not p.open_start and not p.open_end
    assert got[0].element_set_epoch_utc == ref.epoch_iso_s(sats[sw.from_index])
    assert got[1].element_set_epoch_utc == ref.epoch_iso_s(sats[sw.to_index])
