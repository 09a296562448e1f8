"""Launch-window geometry checked against an independent computation from skyfield vectors.

The test builds the orbit normal from skyfield's GCRS position and velocity (cross product) and
the pad from skyfield's wgs84 position in the same frame; no code of sim.mission is reused.
"""

import math

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84

import sim
from sim.mission import Site, assess_launch, in_plane_opportunities, met_s, phase_angle_deg
from sim.times import _utc_jd_to_skyfield, timescale

BAIKONUR = Site("Baikonur Site 31/6", 45.9961, 63.5639)
LIFT_OFFS = {"scrub": "2024-03-21T13:21:19Z", "launch": "2024-03-23T12:36:10.573Z"}


def _skyfield_vectors(catalogue, jd):
    """Unit pad vector, unit orbit normal, unit ISS position: all GCRS, from skyfield only."""
    jd = np.atleast_1d(jd)
    w = np.floor(jd)
    t = _utc_jd_to_skyfield(w, jd - w)
    k = int(catalogue.index_at(jd)[0])
    sat = EarthSatellite.from_satrec(catalogue.sets[k].satrec, timescale())
    geo = sat.at(t)
    r = geo.position.km.T
    v = geo.velocity.km_per_s.T
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=1)[:, None]
    pad = wgs84.latlon(BAIKONUR.lat_deg, BAIKONUR.lon_deg).at(t).position.km.T
    pad /= np.linalg.norm(pad, axis=1)[:, None]
    return pad, h, r / np.linalg.norm(r, axis=1)[:, None]


@pytest.mark.parametrize("name", sorted(LIFT_OFFS))
def test_in_plane_instant_follows_lift_off_and_offset_is_small(catalogue, name):
    a = assess_launch(catalogue, BAIKONUR, LIFT_OFFS[name], name)
    assert 0 < a.lead_s < 300  # in-plane after lift-off by less than 5 minutes
    assert abs(a.plane_offset_deg) < 0.5
    # independent: the pad's angle to the plane from skyfield's own vectors
    pad, h, _ = _skyfield_vectors(catalogue, a.launch_jd)
    offset = math.degrees(math.asin(float(pad[0] @ h[0])))
    assert offset == pytest.approx(a.plane_offset_deg, abs=0.005)


def test_in_plane_instants_are_zeros_of_the_independent_offset(catalogue):
    opps = in_plane_opportunities(
        catalogue, BAIKONUR, "2024-03-20T00:00Z", "2024-03-26T00:00Z", ascending_only=False
    )
    assert len(opps) == 12  # two crossings a day
    assert [o.ascending for o in opps] == [True, False] * 6
    for o in opps:
        pad, h, _ = _skyfield_vectors(
            catalogue, [o.in_plane_jd - 1 / 86400, o.in_plane_jd + 1 / 86400]
        )
        dots = np.einsum("ij,ij->i", pad, h)
        assert np.sign(dots[0]) != np.sign(dots[1])  # the zero lies within +/- 1 s
        # ascending: the motion h x pad at the pad has a northward part
        north = np.array([0, 0, 1.0]) - pad[0] * pad[0][2]
        assert (np.cross(h[0], pad[0]) @ north > 0) == o.ascending


def test_phase_angle_against_first_principles(catalogue):
    for name, when in LIFT_OFFS.items():
        a = assess_launch(catalogue, BAIKONUR, when, name, insertion_s=529.0, downrange_deg=14.0)
        ins = a.launch_jd + 529.0 / 86400
        pad, h, r = _skyfield_vectors(catalogue, ins)
        p = pad[0] - h[0] * (pad[0] @ h[0])
        p /= np.linalg.norm(p)
        d = math.radians(14.0)
        p = p * math.cos(d) + np.cross(h[0], p) * math.sin(d)
        phase = math.degrees(math.atan2(np.cross(p, r[0]) @ h[0], p @ r[0])) % 360
        assert phase == pytest.approx(a.phase_deg, abs=0.01)
    # the scrubbed attempt had the ISS just ahead (the fast profile, docking the same day);
    # two days later it was far around the orbit (the two-day, 34-orbit profile)
    scrub = assess_launch(catalogue, BAIKONUR, LIFT_OFFS["scrub"])
    launch = assess_launch(catalogue, BAIKONUR, LIFT_OFFS["launch"])
    assert scrub.phase_deg < 45 < launch.phase_deg


def test_phase_advances_with_downrange(catalogue):
    jd = 2460393.0
    a = phase_angle_deg(catalogue, BAIKONUR, jd, 0.0)[0]
    b = phase_angle_deg(catalogue, BAIKONUR, jd, 10.0)[0]
    assert (a - b) % 360 == pytest.approx(10.0, abs=1e-6)


def test_met():
    assert met_s(2460393.0, 2460393.5) == pytest.approx(43200.0)


def test_window_cli_table_and_json(capsys):
    import json

    from sim.cli import main

    args = [
        "window",
        "--tle",
        str(sim.default_tle()),
        "--site",
        "45.9961,63.5639",
        "--start",
        "2024-03-20",
        "--end",
        "2024-03-25",
        "--launch",
        LIFT_OFFS["launch"],
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2024-03-23 12:38:05 UTC" in out and "approximation" in out
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["opportunities"]) == 6  # --end 2024-03-25 includes the 25th
    assert data["launch"]["plane_offset_deg"] < 0.5


def test_window_bad_site_is_exit_2(capsys):
    from sim.cli import main

    assert (
        main(
            [
                "window",
                "--tle",
                str(sim.default_tle()),
                "--site",
                "95,63",
                "--start",
                "2024-03-20",
                "--end",
                "2024-03-25",
            ]
        )
        == 2
    )
    assert "latitude 95.0 is outside" in capsys.readouterr().err
