"""Fast, direct tests of sim.mission: sites, the records written to launch_window.json and the
plane-offset curves, against skyfield's vectors and hand arithmetic (mutation run,
docs/mutation.md)."""

from __future__ import annotations

import json
import math
from datetime import datetime

import numpy as np
import pytest
from test_mission import BAIKONUR, LIFT_OFFS, _skyfield_vectors

from sim import mission
from sim.errors import SimError
from sim.mission import Site

DAY_S = 86400.0


def _offset_deg(catalogue, jd):
    pad, h, _ = _skyfield_vectors(catalogue, jd)
    return np.degrees(np.arcsin(np.einsum("ij,ij->i", pad, h)))


def test_met_s_of_arrays_and_before_launch():
    got = mission.met_s(2460393.25, np.array([2460393.0, 2460393.25, 2460394.75]))
    assert got.tolist() == pytest.approx([-21600.0, 0.0, 129600.0])
    assert mission.met_s(2460393.25, [2460393, 2460394]).tolist() == [-21600.0, 64800.0]


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (90.5, 10.0, "site 'pad': latitude 90.5 is outside -90..90"),
        (-90.01, 10.0, "site 'pad': latitude -90.01 is outside -90..90"),
        (10.0, -180.5, "site 'pad': longitude -180.5 is outside -180..360"),
        (10.0, 360.5, "site 'pad': longitude 360.5 is outside -180..360"),
    ],
)
def test_site_refuses_coordinates_off_the_globe(lat, lon, message):
    with pytest.raises(SimError) as err:
        Site("pad", lat, lon)
    assert str(err.value) == message


def test_site_limits_are_inclusive_and_parse_names_the_site():
    for lat, lon in ((90.0, -180.0), (-90.0, 360.0)):
        assert Site("edge", lat, lon).lat_deg == lat
    s = Site.parse("45.9961,63.5639")
    assert (s.name, s.lat_deg, s.lon_deg) == ("45.9961°, 63.5639°", 45.9961, 63.5639)
    assert Site.parse("1,2", "Pad 1").name == "Pad 1"
    for text in ("45.9", "1,2,3", "a,b", ""):
        with pytest.raises(SimError) as err:
            Site.parse(text)
        assert str(err.value) == f"--site {text!r}: expected LAT,LON in degrees"


def test_plane_offset_against_skyfield(catalogue):
    jd = 2460393.0 + np.array([0.0, 0.1, 0.37, 0.81])
    w = np.floor(jd)
    got = mission.plane_offset_deg(catalogue, BAIKONUR, w, jd - w)
    assert np.max(np.abs(got - _offset_deg(catalogue, jd))) < 0.005
    assert np.ptp(got) > 10.0  # the pad swings across the plane over a day


def test_descending_crossings_are_kept_only_when_asked(catalogue):
    span = ("2024-03-22T00:00Z", "2024-03-23T00:00Z")
    both = mission.in_plane_opportunities(catalogue, BAIKONUR, *span, ascending_only=False)
    asc = mission.in_plane_opportunities(catalogue, BAIKONUR, *span)
    assert len(both) == 2 and len(asc) == 1
    assert [o for o in both if o.ascending] == asc
    for o in both:
        before, after = _offset_deg(
            catalogue, [o.in_plane_jd - 0.02 / DAY_S, o.in_plane_jd + 0.02 / DAY_S]
        )
        assert np.sign(before) != np.sign(after)  # to 0.01 s
    # a pad too far north for the orbit never crosses the plane
    north = Site("north", 70.0, 30.0)
    assert mission.in_plane_opportunities(catalogue, north, *span) == []
    with pytest.raises(SimError) as err:
        mission.assess_launch(catalogue, north, "2024-03-22T12:00:00Z", "try")
    assert str(err.value) == (
        "try: the site never crosses the orbital plane near the launch "
        "(its latitude exceeds the inclination)"
    )


def test_records_and_the_window_json(catalogue):
    win = mission.launch_window(
        catalogue,
        BAIKONUR,
        "2024-03-20T00:00Z",
        "2024-03-24T00:00Z",
        [("launch", LIFT_OFFS["launch"])],
        insertion_s=600.0,
        downrange_deg=10.0,
    )
    assert len(win.opportunities) == 4 and all(o.ascending for o in win.opportunities)
    (a,) = win.assessments
    launch_jd = 2460392.5 + (12 * 3600 + 36 * 60 + 10.573) / DAY_S
    assert a.launch_jd == pytest.approx(launch_jd, abs=1e-8)
    assert a.plane_offset_deg == pytest.approx(_offset_deg(catalogue, a.launch_jd)[0], abs=0.005)
    assert a.lead_s == pytest.approx((a.in_plane_jd - a.launch_jd) * DAY_S)
    nearest = min(win.opportunities, key=lambda o: abs(o.in_plane_jd - a.launch_jd))
    assert a.in_plane_jd == pytest.approx(nearest.in_plane_jd, abs=0.02 / DAY_S)  # both to 0.01 s
    # phase at lift-off + insertion_s, insertion point 10 deg downrange, from skyfield's vectors
    pad, h, r = _skyfield_vectors(catalogue, a.launch_jd + 600.0 / DAY_S)
    p = pad[0] - h[0] * (pad[0] @ h[0])
    p /= np.linalg.norm(p)
    d = math.radians(10.0)
    p = p * math.cos(d) + np.cross(h[0], p) * math.sin(d)
    phase = math.degrees(math.atan2(np.cross(p, r[0]) @ h[0], p @ r[0])) % 360
    assert a.phase_deg == pytest.approx(phase, abs=0.01)
    minutes, offsets = win.curves["launch"]
    assert minutes[0] == -30.0 and minutes[-1] == 30.0 and np.allclose(np.diff(minutes), 0.5)
    assert np.max(np.abs(offsets - _offset_deg(catalogue, a.launch_jd + minutes / 1440.0))) < 0.005
    d = json.loads(json.dumps(win.to_dict()))
    assert d["site"] == {"name": BAIKONUR.name, "lat_deg": 45.9961, "lon_deg": 63.5639}
    assert d["insertion_s"] == 600.0 and d["downrange_deg"] == 10.0
    assert d["note"] == mission.WINDOW_NOTE and "approximation" in d["note"]
    assert len(d["opportunities"]) == 4
    o = win.opportunities[0]
    first = d["opportunities"][0]
    assert set(first) == {"in_plane_utc", "ascending", "phase_at_insertion_deg"}
    assert first["ascending"] is True
    assert first["phase_at_insertion_deg"] == round(o.phase_deg, 2)
    sec = (o.in_plane_jd - 2460389.5) * DAY_S  # from 2024-03-20 00:00
    hh, rest = divmod(sec, 3600)
    mm, ss = divmod(rest, 60)
    assert first["in_plane_utc"] == f"2024-03-20T{int(hh):02d}:{int(mm):02d}:{ss:04.1f}Z"
    (la,) = d["launches"]
    assert la == {
        "name": "launch",
        "launch_utc": "2024-03-23T12:36:10.573Z",
        "plane_offset_deg": round(a.plane_offset_deg, 4),
        "in_plane_utc": la["in_plane_utc"],
        "lead_s": round(a.lead_s, 1),
        "phase_at_insertion_deg": round(a.phase_deg, 2),
    }
    lead = datetime.fromisoformat(la["in_plane_utc"]) - datetime.fromisoformat(la["launch_utc"])
    assert lead.total_seconds() == pytest.approx(a.lead_s, abs=0.002)
    none = mission.launch_window(catalogue, BAIKONUR, "2024-03-20T00:00Z", "2024-03-21T00:00Z")
    assert "launches" not in none.to_dict() and none.curves == {}
    assert none.insertion_s == mission.DEFAULT_INSERTION_S == 529.0
    assert none.downrange_deg == mission.DEFAULT_DOWNRANGE_DEG == 14.0


def test_a_bad_lift_off_time_names_the_launch(catalogue):
    with pytest.raises(SimError) as err:
        mission.assess_launch(catalogue, BAIKONUR, "yesterday", "scrub")
    assert "scrub" in str(err.value)
