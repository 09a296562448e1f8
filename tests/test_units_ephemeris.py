"""Fast, direct tests of sim.ephemeris against independent references (skyfield, python-sgp4,
hand geometry), on a few instants each: the mutation run (docs/mutation.md) runs these for every
mutant of the module, so each stays well under a second."""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from conftest import BUNDLED_TLE, POSITION_TOLERANCE_KM
from skyfield.framelib import itrs
from skyfield.sgp4lib import theta_GMST1982

import sim
from sim import ephemeris as eph
from sim.errors import SimError

#: A few instants inside the bundled sets' span, reference seconds (2024-03-28 .. 2024-04-03).
SECONDS = np.array([7_603_200.0, 7_603_200.0 + 3_777.7, 7_700_000.25, 8_100_000.5])
#: GMST from anchors 30 days apart against theta_GMST1982 per instant: a few nanoradians.
GMST_TOLERANCE_RAD = 1e-8
#: The Sun from the hourly table (IAU 2000B nutation at the knots) against skyfield's TEME with
#: full nutation, interpolated at 5 min: measured worst 3.7 km at 1 AU (2.5e-8 rad); an hour's
#: error in time moves the Sun by 2.6 million km.
SUN_TOLERANCE_KM = 10.0
#: ITRS velocity: skyfield's ITRS velocity uses the Earth's rotation rate differently (measured
#: 58 um/s, conftest); the rotation term alone is 0.5 km/s.
ITRS_VELOCITY_TOLERANCE_KM_S = 1e-4
#: Geodetic latitude/longitude (deg) and height (km) against skyfield's wgs84: measured worst
#: 1.9e-8 deg (2 mm) on the ISS; on points built by skyfield's latlon, below 1e-9 deg.
GEODETIC_DEG = 1e-7
GEODETIC_KM = 1e-6


@pytest.fixture(scope="module")
def sats():
    return ref.tle_satellites(BUNDLED_TLE)


def _ut1(sec):
    t = ref.utc(sec)
    return t.whole, t.ut1_fraction


@pytest.mark.parametrize(
    "offsets_days",
    [
        [0.0],  # one instant
        [0.0, 0.3, 1.7, 29.9],  # within one anchor span
        [5.0, 0.0, 40.5, 61.2],  # several anchors, first instant not the earliest
        [3.0, -12.5, -0.25, 2.0],  # before the first instant
    ],
)
def test_gmst_matches_theta_gmst1982_at_every_instant(offsets_days):
    sec = SECONDS[0] + np.array(offsets_days) * ref.DAY_S
    whole, fraction = ref.split_jd(sec)
    theta, rate = eph.gmst_rad(whole, fraction)
    w_ut1, f_ut1 = _ut1(sec)
    want_theta, want_rate = theta_GMST1982(w_ut1, f_ut1)
    diff = (np.asarray(theta) - want_theta + np.pi) % (2 * np.pi) - np.pi
    assert np.max(np.abs(diff)) < GMST_TOLERANCE_RAD
    assert np.allclose(rate, want_rate, rtol=1e-9, atol=0)


def test_gmst_takes_an_explicit_dut1():
    whole, fraction = ref.split_jd(SECONDS[:2])
    theta_0, _ = eph.gmst_rad(whole, fraction, dut1_s=0.0)
    theta_1, _ = eph.gmst_rad(whole, fraction, dut1_s=1.0)
    # one second of UT1 turns the Earth by 7.29e-5 rad
    assert np.allclose(theta_1 - theta_0, 7.2921e-5, rtol=1e-3)


def test_teme_to_itrs_positions_and_velocities_match_skyfield(sats):
    sec = SECONDS
    whole, fraction = ref.split_jd(sec)
    r_teme = ref.teme_sat_km(sats, sec)

    def vel(sat, j):
        _e, _r, v = sat.model.sgp4_array(*ref.split_jd(j))
        return v

    v_teme = ref.per_set(sats, sec, vel)
    theta, theta_dot, xp, yp = eph.earth_orientation(whole, fraction)
    r, v = eph.teme_to_itrs(r_teme, v_teme, theta, theta_dot, xp, yp)

    def sf(sat, j):
        p, vv = sat.at(ref.utc(j)).frame_xyz_and_velocity(itrs)
        return np.hstack([p.km.T, vv.km_per_s.T])

    want = ref.per_set(sats, sec, sf)
    assert np.max(np.abs(r - want[:, :3])) < POSITION_TOLERANCE_KM
    assert np.max(np.abs(v - want[:, 3:])) < ITRS_VELOCITY_TOLERANCE_KM_S
    r_only, none = eph.teme_to_itrs(r_teme, None, theta, theta_dot, xp, yp)
    assert none is None and np.array_equal(r_only, r)
    # itrs_at: the same from the catalogue at arbitrary instants
    cat = sim.load_catalogue(BUNDLED_TLE)
    assert np.max(np.abs(eph.itrs_at(cat, whole, fraction) - want[:, :3])) < POSITION_TOLERANCE_KM


def test_polar_motion_is_applied_to_first_order():
    r = np.array([[1000.0, 2000.0, 6000.0], [-3000.0, 500.0, -4000.0]])
    xp, yp = 3e-6, -2e-6
    got, _ = eph.teme_to_itrs(r, None, 0.0, 0.0, xp, yp)
    # W = R1(-yp) R2(-xp), exact rotation matrices (IERS 2010 eq. 5.3)
    r1 = np.array([[1, 0, 0], [0, np.cos(yp), -np.sin(yp)], [0, np.sin(yp), np.cos(yp)]])
    r2 = np.array([[np.cos(xp), 0, np.sin(xp)], [0, 1, 0], [-np.sin(xp), 0, np.cos(xp)]])
    want = r @ (r1 @ r2).T
    assert np.max(np.abs(got - want)) < 1e-6
    assert np.max(np.abs(got - r)) > 1e-3  # the pole did move the points
    back = eph.itrs_to_teme(got, 0.0, xp, yp)
    assert np.max(np.abs(back - r)) < 1e-6


def test_itrs_to_teme_matches_skyfield(sats):
    sec = SECONDS
    whole, fraction = ref.split_jd(sec)
    r_itrs = ref.itrs_sat_km(sats, sec)
    theta, _, xp, yp = eph.earth_orientation(whole, fraction)
    got = eph.itrs_to_teme(r_itrs, theta, xp, yp)
    assert np.max(np.abs(got - ref.teme_sat_km(sats, sec))) < POSITION_TOLERANCE_KM


def test_geodetic_matches_skyfield_wgs84(sats):
    from skyfield.api import wgs84

    sec = SECONDS
    r_itrs = ref.itrs_sat_km(sats, sec)
    lat, lon, alt = eph.geodetic(r_itrs)
    want = ref.geodetic_sat(sats, sec)
    assert np.max(np.abs(lat - want[:, 0])) < GEODETIC_DEG
    assert np.max(np.abs(lon - want[:, 1])) < GEODETIC_DEG
    assert np.max(np.abs(alt - want[:, 2])) < GEODETIC_KM
    # points on the ground and far out, every quadrant of longitude, both hemispheres
    lats = np.array([-80.0, -33.3, 0.0, 12.5, 51.6, 89.0])
    lons = np.array([-170.0, -95.0, 10.0, 95.0, 179.0, -5.0])
    heights_km = np.array([0.0, 0.4, 420.0, 3000.0, 20_000.0, 36_000.0])
    xyz = np.array(
        [
            wgs84.latlon(a, o, elevation_m=h * 1000).itrs_xyz.km
            for a, o, h in zip(lats, lons, heights_km, strict=True)
        ]
    )
    assert np.max(np.abs(eph.geodetic_to_itrs(lats, lons, heights_km) - xyz)) < 1e-6
    lat, lon, alt = eph.geodetic(xyz)
    assert np.max(np.abs(lat - lats)) < GEODETIC_DEG
    assert np.max(np.abs(lon - lons)) < GEODETIC_DEG
    assert np.max(np.abs(alt - heights_km)) < GEODETIC_KM
    # the default height is the ellipsoid
    ground = eph.geodetic_to_itrs(lats, lons)
    assert np.max(np.abs(ground - eph.geodetic_to_itrs(lats, lons, 0.0))) == 0.0
    assert np.max(np.abs(eph.geodetic(ground)[2])) < GEODETIC_KM


def test_sun_table_against_skyfield_teme_and_itrs():
    from skyfield.framelib import itrs as sf_itrs

    sec = SECONDS
    whole, fraction = ref.split_jd(sec)
    want_teme = ref.teme_sun_km(sec)
    e = ref.de421()
    want_itrs = (e["sun"] - e["earth"]).at(ref.utc(sec)).frame_xyz(sf_itrs).km.T
    for table in (
        eph.SunTable.covering(whole, fraction),
        eph.SunTable.over(whole, fraction),
        eph.SunTable.covering(whole, fraction, step_s=1800.0),
    ):
        assert np.max(np.abs(table.teme(whole, fraction) - want_teme)) < SUN_TOLERANCE_KM
        assert np.max(np.abs(table.itrs(whole, fraction) - want_itrs)) < SUN_TOLERANCE_KM
    dense = eph.SunTable.covering(whole, fraction, step_s=1800.0)
    assert dense.step_days == pytest.approx(1800.0 / ref.DAY_S)
    assert dense.dense
    # knots half an hour apart, one beyond each end
    days = (whole - whole[0]) + fraction
    assert dense.knots[0] < days.min() and dense.knots[-1] > days.max()
    assert np.diff(dense.knots).max() < 1.01 * 1800.0 / ref.DAY_S
    assert dense.knots[0] > days.min() - 2 * 1800.0 / ref.DAY_S
    sparse = eph.SunTable.over(whole, fraction)
    assert not sparse.dense
    # only the hours around the instants: 2 knots per distinct hour at most
    assert sparse.knots.size <= 2 * sec.size


def test_sun_table_refuses_instants_it_does_not_cover():
    whole, fraction = ref.split_jd(SECONDS[:1])
    table = eph.SunTable.covering(whole, fraction)
    with pytest.raises(ValueError, match=r"^instant outside the Sun table; build it with "):
        table.teme(whole, fraction + 1.0)
    with pytest.raises(ValueError, match=r"^instant outside the Sun table"):
        table.teme(whole, fraction - 1.0)
    over = eph.SunTable.over(*ref.split_jd(SECONDS[[0, 2]]))
    mid_w, mid_f = ref.split_jd(np.array([0.5 * (SECONDS[0] + SECONDS[2])]))
    with pytest.raises(ValueError, match=r"^instant between the Sun table's knots; build it with"):
        over.teme(mid_w, mid_f)


def _on_axis(sun, s_km, perp_km):
    """Points at distance s behind the Earth along the anti-Sun axis, perp_km off it."""
    u = -sun / np.linalg.norm(sun)
    side = np.cross(u, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    return s_km * u + perp_km * side


def test_shadow_state_against_the_conical_shadow():
    sun = ref.teme_sun_km(np.array([SECONDS[0]]))[0]
    rng = np.random.default_rng(18)
    s = rng.uniform(-7000.0, 9000.0, 6000)
    perp = rng.uniform(0.0, 7200.0, 6000)
    outside = np.hypot(s, perp) > ref.EARTH_RADIUS_KM + 100.0  # satellites, not the ground
    s, perp = s[outside], perp[outside]
    points = np.array([_on_axis(sun, a, b) for a, b in zip(s, perp, strict=True)])
    suns = np.repeat(sun[None, :], s.size, axis=0)
    state = eph.shadow_state(points, suns)
    umbra = ref.umbra_depth_km(points, suns)
    penumbra = ref.penumbra_depth_km(points, suns)
    clear = (np.abs(umbra) > 0.1) & (np.abs(penumbra) > 0.1)
    assert np.array_equal((state == eph.UMBRA)[clear], (umbra > 0)[clear])
    assert np.array_equal((state == eph.PENUMBRA)[clear], ((penumbra > 0) & (umbra <= 0))[clear])
    assert np.array_equal((state == eph.SUNLIT)[clear], (penumbra <= 0)[clear])
    assert {eph.SUNLIT, eph.PENUMBRA, eph.UMBRA} <= set(state.tolist())
    assert state.dtype == np.int8
    # just inside and just outside each cone, 1 km from its surface, 700 km behind the Earth
    d = np.linalg.norm(sun)
    a = np.arcsin((ref.SUN_RADIUS_KM - ref.EARTH_RADIUS_KM) / d)
    b = np.arcsin((ref.SUN_RADIUS_KM + ref.EARTH_RADIUS_KM) / d)
    r_umbra = (ref.EARTH_RADIUS_KM / np.sin(a) - 700.0) * np.tan(a)
    r_pen = (700.0 + ref.EARTH_RADIUS_KM / np.sin(b)) * np.tan(b)
    probes = np.array([_on_axis(sun, 700.0, r) for r in (r_umbra - 1, r_umbra + 1, r_pen - 1)])
    probes = np.vstack([probes, _on_axis(sun, 700.0, r_pen + 1)])
    got = eph.shadow_state(probes, np.repeat(sun[None, :], 4, axis=0))
    assert got.tolist() == [eph.UMBRA, eph.PENUMBRA, eph.PENUMBRA, eph.SUNLIT]


def test_shadow_names_and_codes():
    assert (eph.SUNLIT, eph.PENUMBRA, eph.UMBRA) == (0, 1, 2)
    assert eph.SHADOW_NAMES == ("sunlit", "penumbra", "umbra")


@pytest.fixture(scope="module")
def short(sats):
    cat = sim.load_catalogue(BUNDLED_TLE)
    # 2024-03-29 00:00 .. 00:20 every 60 s, across no set change
    return cat, sim.propagate(
        cat, start="2024-03-29T00:00:00Z", end="2024-03-29T00:20:00Z", step_s=60.0
    )


def test_propagate_short_span_against_skyfield(sats, short):
    _cat, e = short
    sec = ref.sec_of_split(e.times.whole, e.times.fraction)
    assert len(e) == 21
    assert np.allclose(np.diff(sec), 60.0, atol=1e-4) and sec[0] == pytest.approx(
        ref.sec_of_iso("2024-03-29T00:00:00Z"), abs=1e-4
    )
    assert np.max(np.abs(e.r_teme_km - ref.teme_sat_km(sats, sec))) < POSITION_TOLERANCE_KM
    assert np.max(np.abs(e.r_itrs_km - ref.itrs_sat_km(sats, sec))) < POSITION_TOLERANCE_KM
    geo = ref.geodetic_sat(sats, sec)
    assert np.max(np.abs(e.lat_deg - geo[:, 0])) < 1e-7
    assert np.max(np.abs(e.lon_deg - geo[:, 1])) < 1e-7
    assert np.max(np.abs(e.alt_km - geo[:, 2])) < 1e-5

    def sf(sat, j):
        p, v = sat.at(ref.utc(j)).frame_xyz_and_velocity(itrs)
        return v.km_per_s.T

    v_want = ref.per_set(sats, sec, sf)
    assert np.max(np.abs(e.v_itrs_km_s - v_want)) < ITRS_VELOCITY_TOLERANCE_KM_S

    def vel(sat, j):
        return sat.model.sgp4_array(*ref.split_jd(j))[2]

    assert np.max(np.abs(e.v_teme_km_s - ref.per_set(sats, sec, vel))) < 1e-9
    idx = ref.set_in_force(sats, sec)
    assert e.set_index.tolist() == idx.tolist()
    epochs = np.array([ref.epoch_sec(s) for s in sats])
    assert np.allclose(e.age_h, (sec - epochs[idx]) / 3600.0, atol=1e-6)
    assert e.element_set_epochs_iso() == [ref.epoch_iso_s(sats[i]) for i in idx]
    dark = ref.in_umbra(sats, sec)
    assert np.array_equal(e.shadow == eph.UMBRA, dark)
    assert np.array_equal(e.sunlit, ~dark)
    assert e.ok.all() and e.error_reasons() == {}
    assert e.sun is not None


def test_ephemeris_texts_and_frame(short):
    pd = pytest.importorskip("pandas")
    cat, e = short
    assert e.iso()[0] == "2024-03-29T00:00:00.000Z"
    assert e.iso(0)[-1] == "2024-03-29T00:20:00Z"
    assert repr(e) == (
        f"<Ephemeris NORAD 25544: 21 samples 2024-03-29T00:00:00Z to 2024-03-29T00:20:00Z "
        f"from {len(cat)} element sets>"
    )
    df = e.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "time_utc"
    assert str(df.index.tz) == "UTC"
    assert df.index[1] - df.index[0] == pd.Timedelta(seconds=60)
    assert df.index[0] == pd.Timestamp("2024-03-29T00:00:00Z")
    assert list(df.columns) == [
        "lat_deg",
        "lon_deg",
        "alt_km",
        *[f"{a}_teme_km" for a in "xyz"],
        *[f"v{a}_teme_km_s" for a in "xyz"],
        *[f"{a}_itrs_km" for a in "xyz"],
        *[f"v{a}_itrs_km_s" for a in "xyz"],
        "sunlit",
        "shadow",
        "element_set_epoch_utc",
        "element_set_age_h",
        "sgp4_error",
    ]
    for k, a in enumerate("xyz"):
        assert np.array_equal(df[f"{a}_teme_km"], e.r_teme_km[:, k])
        assert np.array_equal(df[f"v{a}_teme_km_s"], e.v_teme_km_s[:, k])
        assert np.array_equal(df[f"{a}_itrs_km"], e.r_itrs_km[:, k])
        assert np.array_equal(df[f"v{a}_itrs_km_s"], e.v_itrs_km_s[:, k])
    for col, arr in (
        ("lat_deg", e.lat_deg),
        ("lon_deg", e.lon_deg),
        ("alt_km", e.alt_km),
        ("sunlit", e.sunlit),
        ("shadow", e.shadow),
        ("element_set_age_h", e.age_h),
        ("sgp4_error", e.error),
    ):
        assert np.array_equal(df[col].to_numpy(), arr)
    assert df["element_set_epoch_utc"].tolist() == e.element_set_epochs_iso()


def test_propagate_time_inputs_and_errors(short):
    cat, e = short
    with pytest.raises(TypeError, match=r"^propagate needs times, or start, end and step_s$"):
        sim.propagate(cat, start="2024-03-29T00:00:00Z", end="2024-03-29T00:20:00Z")
    with pytest.raises(TypeError, match=r"^propagate needs times"):
        sim.propagate(cat, end="2024-03-29T00:20:00Z", step_s=60.0)
    with pytest.raises(TypeError, match=r"^propagate needs times"):
        sim.propagate(cat, start="2024-03-29T00:00:00Z", step_s=60.0)
    same = sim.propagate(cat, e.times)
    assert np.array_equal(same.r_itrs_km, e.r_itrs_km)
    texts = sim.propagate(cat, ["2024-03-29T00:00:00Z", "2024-03-29T00:01:00Z"])
    assert np.max(np.abs(texts.r_itrs_km - e.r_itrs_km[:2])) < POSITION_TOLERANCE_KM
    sky = sim.propagate(cat, ref.utc(ref.sec_of_split(e.times.whole[:3], e.times.fraction[:3])))
    assert np.max(np.abs(sky.r_itrs_km - e.r_itrs_km[:3])) < POSITION_TOLERANCE_KM
    dark = sim.propagate(cat, e.times, sunlight=False)
    assert dark.sun is None and (dark.shadow == -1).all()
    # the sample cap applies to spans
    with pytest.raises(SimError):
        sim.propagate(
            cat,
            start="2024-03-29T00:00:00Z",
            end="2024-03-29T00:20:00Z",
            step_s=1.0,
            max_samples=100,
        )


def test_subsolar_point_against_skyfield():
    from skyfield.api import wgs84

    e = ref.de421()
    for sec in (SECONDS[0], SECONDS[3]):
        whole, fraction = ref.split_jd(np.array([sec]))
        lat, lon = eph.subsolar_point(float(whole[0]), float(fraction[0]))
        sun = (e["sun"] - e["earth"]).at(ref.utc(sec))
        want = wgs84.subpoint_of(sun)
        # the sub-solar point here is geocentric: the direction of the Sun
        r = sun.frame_xyz(itrs).km
        assert lat == pytest.approx(np.degrees(np.arctan2(r[2], np.hypot(r[0], r[1]))), abs=1e-5)
        assert lon == pytest.approx(want.longitude.degrees, abs=1e-5)
        table = eph.SunTable.covering(whole, fraction)
        assert (lat, lon) == eph.subsolar_point(float(whole[0]), float(fraction[0]), table)


def test_sun_table_over_keeps_its_step_and_failed_rows_have_no_shadow(tmp_path, monkeypatch):
    whole, fraction = ref.split_jd(SECONDS[[0, 2]])
    half_hour = eph.SunTable.over(whole, fraction, step_s=1800.0)
    assert half_hour.step_days == pytest.approx(1800.0 / ref.DAY_S)
    assert np.allclose(np.diff(half_hour.knots)[0], 1800.0 / ref.DAY_S)
    from test_units_export import _decaying

    e = _decaying(tmp_path)
    failed = ~e.ok
    assert failed.any() and (e.shadow[failed] == -1).all() and (e.shadow[~failed] >= 0).all()
    assert repr(e).endswith(f", SGP4 failed at {int(failed.sum()):,}>")
    pytest.importorskip("pandas")
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(SimError) as err:
        e.to_dataframe()
    assert str(err.value).startswith("Ephemeris.to_dataframe() needs pandas, an optional extra")
