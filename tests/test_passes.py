"""Pass search against skyfield's find_events, invariants and visibility physics."""

import json
import math

import numpy as np
import pytest
from conftest import BUNDLED_TLE
from skyfield.api import EarthSatellite, wgs84

import sim
from sim.elements import Catalogue
from sim.ephemeris import planets
from sim.passes import Station, estimated_magnitude, find_passes, pass_track
from sim.times import _utc_jd_to_skyfield, timescale

WINDOW = ("2024-03-29T00:00:00Z", "2024-04-02T00:00:00Z")
STATIONS = [
    Station("Minsk", 53.90, 27.57, 220.0, 10.0),
    Station("Reykjavik", 64.13, -21.90, 0.0, 0.0),  # high latitude: grazing passes
    Station("Korolev", 55.91, 37.81, 150.0, 10.0),  # near the orbit's edge
    Station("Houston", 29.56, -95.09, 10.0, 10.0),
    Station("Ushuaia", -54.80, -68.30, 0.0, 5.0),
]


def _sf_time_to_jd(t):
    return t.whole + t.tai_fraction - t._leap_seconds() / 86400.0


@pytest.fixture(scope="module")
def one_set():
    cat = sim.load_catalogue(BUNDLED_TLE)
    return Catalogue([cat.sets[1]])


@pytest.fixture(scope="module")
def our_passes(one_set):
    return find_passes(one_set, STATIONS, *WINDOW)


@pytest.mark.parametrize("station", STATIONS, ids=lambda s: s.name)
def test_events_match_skyfield(one_set, our_passes, station):
    ts = timescale()
    sat = EarthSatellite.from_satrec(one_set.sets[0].satrec, ts)
    topos = wgs84.latlon(station.lat_deg, station.lon_deg, station.elevation_m)
    t, events = sat.find_events(
        topos, ts.utc(2024, 3, 29), ts.utc(2024, 4, 2), altitude_degrees=station.min_elevation_deg
    )
    mine = [p for p in our_passes if p.station == station.name]
    rises, culms, sets_ = t[events == 0], t[events == 1], t[events == 2]
    assert len(mine) == len(rises) == len(sets_) == len(culms) > 5
    one_second_days = 1.0 / 86400.0
    np.testing.assert_allclose(
        [p.rise_jd for p in mine], _sf_time_to_jd(rises), atol=one_second_days, rtol=0
    )
    np.testing.assert_allclose(
        [p.set_jd for p in mine], _sf_time_to_jd(sets_), atol=one_second_days, rtol=0
    )
    alt_sf = (sat - topos).at(culms).altaz()[0].degrees
    np.testing.assert_allclose([p.max_elevation_deg for p in mine], alt_sf, atol=0.01, rtol=0)


def test_rise_is_where_elevation_crosses_the_mask_upwards(one_set, our_passes):
    ts = timescale()
    sat = EarthSatellite.from_satrec(one_set.sets[0].satrec, ts)
    for station in STATIONS:
        topos = wgs84.latlon(station.lat_deg, station.lon_deg, station.elevation_m)
        mine = [p for p in our_passes if p.station == station.name and not p.open_start]
        jd = np.array([p.rise_jd for p in mine])
        w = np.floor(jd)
        before = _utc_jd_to_skyfield(w, jd - w - 0.2 / 86400)
        after = _utc_jd_to_skyfield(w, jd - w + 0.2 / 86400)
        el_before = (sat - topos).at(before).altaz()[0].degrees
        el_after = (sat - topos).at(after).altaz()[0].degrees
        assert np.all(el_before < station.min_elevation_deg)
        assert np.all(el_after > station.min_elevation_deg)


def test_never_two_rises_without_a_set(our_passes):
    for station in STATIONS:
        mine = sorted((p for p in our_passes if p.station == station.name), key=lambda p: p.rise_jd)
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.rise_jd < a.culmination_jd < a.set_jd < b.rise_jd


def test_grazing_pass_between_coarse_samples_is_found(one_set):
    # Reykjavik with no mask sees passes shorter than the 120 s coarse step; the coarse and the
    # fine search must find the same passes at the same instants. (Whether a coarse sample lies
    # above the mask is not claimed here: tests/test_derived.py builds a pass with none.)
    station = STATIONS[1]
    fine = find_passes(one_set, [station], *WINDOW, coarse_step_s=10.0, visibility=False)
    coarse = find_passes(one_set, [station], *WINDOW, coarse_step_s=120.0, visibility=False)
    shortest = min(fine, key=lambda p: p.duration_s)
    assert shortest.duration_s < 120.0
    assert len(coarse) == len(fine)
    np.testing.assert_allclose(
        [p.rise_jd for p in coarse], [p.rise_jd for p in fine], atol=0.05 / 86400, rtol=0
    )


def test_window_edges_cut_passes_but_keep_them(one_set, our_passes):
    minsk = [p for p in our_passes if p.station == "Minsk"]
    target = minsk[3]
    w = math.floor(target.culmination_jd)
    from sim.times import jd_to_iso

    start = jd_to_iso(w, target.culmination_jd - w, 3)
    cut = find_passes(one_set, [STATIONS[0]], start, WINDOW[1], visibility=False)
    first = cut[0]
    assert first.open_start and not first.open_end
    assert abs(first.set_jd - target.set_jd) * 86400 < 0.1
    assert abs(first.rise_jd - target.culmination_jd) * 86400 < 0.01
    end = jd_to_iso(w, target.culmination_jd - w, 3)
    cut2 = find_passes(one_set, [STATIONS[0]], WINDOW[0], end, visibility=False)
    assert cut2[-1].open_end and abs(cut2[-1].rise_jd - target.rise_jd) * 86400 < 0.1


def test_horizon_mask_by_azimuth(one_set):
    flat = Station("Flat", 53.9, 27.57, 0.0, 10.0)
    # a wall of 40 deg to the west (azimuth 181-359), 10 deg elsewhere
    walled = Station(
        "Walled", 53.9, 27.57, 0.0, 10.0, horizon_mask=((0, 10), (179, 10), (181, 40), (359, 40))
    )
    a = find_passes(one_set, [flat], *WINDOW, visibility=False)
    b = find_passes(one_set, [walled], *WINDOW, visibility=False)
    assert 0 < len(b) < len(a)
    western_rises = 0
    for p in b:
        _, az, el = pass_track(one_set, walled, p, step_s=1.0)
        # the object rises and sets exactly on the mask at that azimuth
        assert abs(el[0] - walled.mask_deg(az[0])) < 0.05
        assert abs(el[-1] - walled.mask_deg(az[-1])) < 0.05
        assert np.all(el[1:-1] > walled.mask_deg(az[1:-1]) - 0.05)
        western_rises += 181 < az[0] < 359
    assert western_rises > 0


def test_visible_means_dark_sky_and_sunlit_station(catalogue):
    minsk = Station("Minsk", 53.90, 27.57, 220.0, 10.0)
    passes = find_passes(catalogue, [minsk], "2024-03-25T15:02:51Z", "2024-04-06T03:54:58Z")
    visible = [p for p in passes if p.visible]
    assert 0 < len(visible) < len(passes)
    ts = timescale()
    eph = planets()
    earth, sun = eph["earth"], eph["sun"]
    topos = earth + wgs84.latlon(minsk.lat_deg, minsk.lon_deg, minsk.elevation_m)
    for p in passes:
        if p.visible:
            probe = np.linspace(p.visible_start_jd, p.visible_end_jd, 7)[1:-1]
        else:
            probe = np.linspace(p.rise_jd, p.set_jd, 9)[1:-1]
        w = np.floor(probe)
        t = _utc_jd_to_skyfield(w, probe - w)
        sun_alt = topos.at(t).observe(sun).apparent().altaz()[0].degrees
        sat = EarthSatellite.from_satrec(catalogue.sets[catalogue.index_at(probe)[0]].satrec, ts)
        lit = sat.at(t).is_sunlit(eph)
        if p.visible:
            assert np.all(sun_alt <= -6.0 + 0.05) and np.all(lit)
        else:
            assert not np.any((sun_alt < -6.05) & lit)


def test_magnitude_model_physics():
    # half phase at 1000 km gives the standard magnitude; farther or fuller changes it right
    assert estimated_magnitude(1000.0, math.pi / 2) == pytest.approx(-1.8)
    assert estimated_magnitude(2000.0, math.pi / 2) == pytest.approx(-1.8 + 5 * math.log10(2))
    assert estimated_magnitude(1000.0, 0.3) < estimated_magnitude(1000.0, 2.0)


def test_passes_cli_json_fields(capsys):
    from sim.cli import main

    code = main(
        [
            "passes",
            "--tle",
            str(BUNDLED_TLE),
            "--station",
            "Minsk=53.90,27.57,220",
            "--start",
            "2024-03-25T15:02:51Z",
            "--end",
            "2024-03-27T00:00Z",
            "--json",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) >= {
        "station",
        "rise_utc",
        "culmination_utc",
        "set_utc",
        "duration_s",
        "max_elevation_deg",
        "rise_azimuth_deg",
        "culmination_azimuth_deg",
        "set_azimuth_deg",
        "min_range_km",
        "open_start",
        "open_end",
        "visible",
        "visible_start_utc",
        "visible_end_utc",
        "peak_magnitude",
        "element_set_epoch_utc",
    }
    assert all(r["rise_utc"].endswith("Z") for r in rows)


@pytest.mark.parametrize("text", ["Minsk=95,27", "Minsk", "Minsk=a,b", "=1,2"])
def test_bad_station_is_exit_2(text, capsys):
    from sim.cli import main

    code = main(
        [
            "passes",
            "--tle",
            str(BUNDLED_TLE),
            "--station",
            text,
            "--start",
            "2024-03-26T00:00Z",
            "--end",
            "2024-03-27T00:00Z",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: ") and err.count("\n") == 1


def test_station_that_never_sees_the_object(one_set):
    # the South Pole cannot see an orbit inclined 51.6 deg above a 40 deg mask
    pole = Station("Pole", -89.9, 0.0, 0.0, 40.0)
    assert find_passes(one_set, [pole], *WINDOW) == []
    r, v, err = one_set.teme(np.array([]), np.array([]))
    assert r.shape == (0, 3) and err.size == 0
