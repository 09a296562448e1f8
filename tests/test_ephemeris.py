"""The fast ephemeris against skyfield, physics and the bundled history."""

import json

import numpy as np
import pytest
from conftest import BUNDLED_TLE, ONE_METRE_KM
from skyfield.api import EarthSatellite, wgs84

import sim
from sim.ephemeris import PENUMBRA, UMBRA, geodetic_to_itrs, planets, propagate, subsolar_point
from sim.times import TimeGrid
from sim.tracks import day_starts, footprint, revolution_starts, split_antimeridian

DOCKED = ("2024-03-25T15:02:51Z", "2024-04-06T03:54:58Z")


@pytest.fixture(scope="module")
def random_instants():
    grid = TimeGrid.span(*DOCKED, 1.0)
    rng = np.random.default_rng(20240323)
    return grid.take(np.sort(rng.choice(len(grid), 12_000, replace=False)))


def test_positions_match_skyfield_within_a_metre(catalogue, random_instants):
    eph = propagate(catalogue, random_instants)
    t = random_instants.to_skyfield()
    compared = 0
    for k, s in enumerate(catalogue.sets):
        sel = eph.set_index == k
        if not sel.any():
            continue
        pos = EarthSatellite.from_satrec(s.satrec, t.ts).at(t[sel])
        lat, lon = wgs84.latlon_of(pos)
        ref = geodetic_to_itrs(lat.degrees, lon.degrees, wgs84.height_of(pos).km)
        ours = geodetic_to_itrs(eph.lat_deg[sel], eph.lon_deg[sel], eph.alt_km[sel])
        assert np.linalg.norm(ref - ours, axis=1).max() < ONE_METRE_KM
        compared += int(sel.sum())
    assert compared == len(random_instants) >= 10_000


def test_sunlit_matches_skyfield_outside_penumbra(catalogue, random_instants):
    eph = propagate(catalogue, random_instants)
    t = random_instants.to_skyfield()
    eph_de421 = planets()
    checked = 0
    for k, s in enumerate(catalogue.sets):
        sel = np.nonzero(eph.set_index == k)[0]
        if sel.size == 0:
            continue
        lit = EarthSatellite.from_satrec(s.satrec, t.ts).at(t[sel]).is_sunlit(eph_de421)
        clear = eph.shadow[sel] != PENUMBRA
        assert np.array_equal(lit[clear], eph.sunlit[sel][clear])
        checked += int(clear.sum())
    # both states are well represented
    assert 0.2 < np.mean(eph.shadow == UMBRA) < 0.5
    assert checked > 0.99 * len(random_instants)


def test_switching_uses_the_set_in_force(catalogue):
    grid = TimeGrid.span("2024-03-30T20:00:00Z", "2024-03-30T21:00:00Z", 60)
    eph = propagate(catalogue, grid)
    switch = catalogue.epochs[1]
    before = grid.jd < switch
    assert set(eph.set_index[before]) == {0} and set(eph.set_index[~before]) == {1}
    # position of each row equals that set's own SGP4 output
    for k in (0, 1):
        sel = eph.set_index == k
        _e, r, _v = catalogue.sets[k].satrec.sgp4_array(grid.whole[sel], grid.fraction[sel])
        np.testing.assert_array_equal(eph.r_teme_km[sel], r)


def test_inclination_shows_in_the_track(catalogue):
    eph = propagate(catalogue, start=DOCKED[0], end=DOCKED[1], step_s=10.0, sunlight=False)
    assert 51.7 <= np.abs(eph.lat_deg).max() <= 51.9
    assert 400 < eph.alt_km.min() and eph.alt_km.max() < 440  # the ISS flew at 410-430 km


def test_sgp4_failures_are_nan_rows_with_a_reason(tmp_path):
    # a decaying object: the high drag makes SGP4 report decay within days
    from conftest import write_decaying_tle

    cat = sim.load_catalogue(write_decaying_tle(tmp_path))
    eph = propagate(cat, start="2024-03-27T12:00Z", end="2024-04-20T12:00Z", step_s=3600)
    bad = ~eph.ok
    assert bad.any() and eph.ok[0]
    assert np.isnan(eph.lat_deg[bad]).all() and np.isfinite(eph.lat_deg[~bad]).all()
    reasons = eph.error_reasons()
    assert sum(reasons.values()) == bad.sum()
    from sgp4.api import SGP4_ERRORS

    assert reasons and set(reasons) <= set(SGP4_ERRORS.values())


def test_velocity_is_the_derivative_of_position(catalogue):
    grid = TimeGrid.span("2024-03-28T00:00:00Z", "2024-03-28T00:00:02Z", 1.0)
    eph = propagate(catalogue, grid, sunlight=False)
    finite = (eph.r_itrs_km[2] - eph.r_itrs_km[0]) / 2.0
    assert np.linalg.norm(finite - eph.v_itrs_km_s[1]) < 1e-3  # 1 m/s


def test_subsolar_point_at_equinox():
    # 2024-03-20 03:06 UTC March equinox: the Sun crosses the equator
    lat, lon = subsolar_point(2460389.5, (3 + 6 / 60) / 24)
    assert abs(lat) < 0.02
    # local apparent noon at lon: 12h UTC - lon/15 - equation of time (about 7.5 min)
    assert abs(lon - (12 - 3.1) * 15 - 7.5 / 4) < 0.5


def test_antimeridian_split_never_draws_across_the_map():
    lon = np.array([170.0, 175.0, 179.5, -179.0, -174.0, -170.0])
    lat = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    a, b = split_antimeridian(lon, lat)
    assert a.lon_deg[-1] == 180.0 and b.lon_deg[0] == -180.0
    assert a.lat_deg[-1] == pytest.approx(2.0 + 0.5 / 1.5)
    assert b.lat_deg[0] == a.lat_deg[-1]
    for seg in (a, b):
        assert np.all(np.abs(np.diff(seg.lon_deg)) < 180)


def test_revolutions_and_days(catalogue):
    eph = propagate(
        catalogue, start="2024-03-28T00:00Z", end="2024-03-30T00:00Z", step_s=30, sunlight=False
    )
    revs = revolution_starts(eph.lat_deg)
    assert len(revs) in (30, 31)  # 15.5 revolutions a day
    assert list(day_starts(eph.times.whole, eph.times.fraction)) == [0, 2880, 5760]


def test_footprint_radius_matches_the_horizon_geometry():
    lon, lat = footprint(53.9, 27.57, 420.0, 0.0)
    # horizon distance for 420 km: R * acos(R / (R + h)) = 2,236 km
    centre = geodetic_to_itrs(53.9, 27.57) / np.linalg.norm(geodetic_to_itrs(53.9, 27.57))
    edge = geodetic_to_itrs(lat, lon)
    edge = edge / np.linalg.norm(edge, axis=1)[:, None]
    dist = np.degrees(np.arccos(edge @ centre)) * 111.2
    assert np.all(np.abs(dist - 2236) < 40)


def test_track_cli_writes_csv_json_geojson(tmp_path):
    from sim.cli import main

    for ext in ("csv", "json", "geojson"):
        out = tmp_path / f"t.{ext}"
        code = main(
            [
                "track",
                "--tle",
                str(BUNDLED_TLE),
                "--start",
                "2024-03-26T00:00Z",
                "--end",
                "2024-03-26T03:00Z",
                "--step",
                "30",
                "--output",
                str(out),
            ]
        )
        assert code == 0 and out.exists()
    header = (tmp_path / "t.csv").read_text().splitlines()[0]
    assert header == (
        "time_utc,lat_deg,lon_deg,alt_km,x_km,y_km,z_km,sunlit,"
        "element_set_epoch_utc,element_set_age_h"
    )
    rows = (tmp_path / "t.csv").read_text().splitlines()[1:]
    assert len(rows) == 361
    data = json.loads((tmp_path / "t.json").read_text())
    assert len(data["lat_deg"]) == 361
    gj = json.loads((tmp_path / "t.geojson").read_text())
    for feature in gj["features"]:
        lons = np.array(feature["geometry"]["coordinates"])[:, 0]
        assert np.all(np.abs(np.diff(lons)) < 180)
    assert sum(len(f["properties"]["times_utc"]) for f in gj["features"]) == 361


def test_subsolar_point_from_the_ephemeris_sun_table_matches_a_fresh_one(catalogue):
    eph = propagate(catalogue, start="2024-03-26T00:00Z", end="2024-03-27T00:00Z", step_s=600)
    w, f = eph.times.whole[40], eph.times.fraction[40]
    fresh = subsolar_point(w, f)
    reused = subsolar_point(w, f, eph.sun)
    assert np.allclose(fresh, reused, atol=1e-4)  # 1e-4 deg: 11 m on the ground


def test_edge_points_stand_for_their_nearest_sample():
    lon = np.array([170.0, 179.5, -179.0, -170.0])
    lat = np.array([0.0, 1.0, 2.0, 3.0])
    a, b = split_antimeridian(lon, lat)
    assert list(a.rows) == [0, 1, 1] and list(b.rows) == [2, 2, 3]
    assert len(a.rows) == len(a.lon_deg) and len(b.rows) == len(b.lon_deg)


def test_geodetic_of_one_vector_gives_the_numbers_of_a_row():
    from sim.ephemeris import geodetic

    one = geodetic(np.array([4000.0, -3000.0, 4500.0]))
    rows = geodetic(np.array([[4000.0, -3000.0, 4500.0], [0.0, 7000.0, -300.0]]))
    assert all(np.ndim(x) == 0 for x in one)
    assert [float(x) for x in one] == [float(r[0]) for r in rows]
