"""Fast, direct tests of sim.passes against independent references: skyfield's altaz() on the set
in force, the Sun from DE421, the conical shadow of tests/reference.py, hand formulas. Every
test calls the code itself (no shared fixture computes passes), because the mutation run
(docs/mutation.md) credits a fixture's work to the first test that uses it only."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
import reference as ref
from conftest import (
    BUNDLED_TLE,
    EVENT_TIME_TOLERANCE_S,
    LOOK_ANGLE_TOLERANCE_DEG,
    MAGNITUDE_TOLERANCE,
    RANGE_TOLERANCE_KM,
    write_decaying_tle,
)
from test_derived import TOLERANCE_S, documented_presets, longest_run

import sim
from sim import passes as P
from sim.errors import SimError
from sim.passes import Pass, Station, find_passes

#: 27 and 28 March 2024: Korolev's pass of 27 March 16:31 UTC crosses the twilight limit.
WINDOW = ("2024-03-27T00:00:00Z", "2024-03-29T00:00:00Z")
STATIONS = [
    Station("Minsk", 53.90, 27.57, 220.0),
    Station("Korolev MCC", 55.91, 37.81, 150.0),
    Station("Houston JSC", 29.56, -95.09, 10.0),
]
SAMPLE_S = 5.0


@pytest.fixture(scope="module")
def cat():
    return sim.load_catalogue(BUNDLED_TLE)


@pytest.fixture(scope="module")
def sats():
    return ref.tle_satellites(BUNDLED_TLE)


def _station(name):
    return next(s for s in STATIONS if s.name == name)


def _reference_visible_parts(passes, sats, limit_deg, stations=STATIONS):
    """Per pass: None, or the (start, end) reference seconds of the longest part with the Sun at
    or below ``limit_deg`` at the station and the object outside the umbra, ends bisected."""
    out = []
    for p in passes:
        st = next(s for s in stations if s.name == p.station)
        a, b = ref.sec_of_jd([p.rise_jd, p.set_jd])
        t = np.append(np.arange(a, b, SAMPLE_S), b)

        def dark_sky(x, st=st):
            return ref.sun_altitude_interp_deg(st.lat_deg, st.lon_deg, st.elevation_m, x) <= (
                limit_deg
            )

        ok = dark_sky(t) & ~ref.in_umbra(sats, t)
        run = longest_run(ok)
        if run is None:
            out.append(None)
            continue
        ends = [a, b]
        if run[0] > 0:
            ends[0] = ref.bisect_time(
                lambda x, d=dark_sky: d(x) & ~ref.in_umbra(sats, x), t[run[0] - 1], t[run[0]]
            )
        if run[1] < t.size - 1:
            ends[1] = ref.bisect_time(
                lambda x, d=dark_sky: d(x) & ~ref.in_umbra(sats, x), t[run[1]], t[run[1] + 1]
            )
        out.append(ends)
    return out


# --------------------------------------------------------------------------------------------
# the pass search against skyfield


def test_passes_over_two_days_against_skyfield(cat, sats):
    passes = find_passes(cat, STATIONS, *WINDOW, visibility=False)
    assert len(passes) > 15
    assert all(not p.visible and p.peak_magnitude is None for p in passes)
    rises = [p.rise_jd for p in passes]
    assert rises == sorted(rises)
    epochs = [ref.epoch_iso_s(s) for s in sats]
    for p in passes:
        st = _station(p.station)
        sec = ref.sec_of_jd([p.rise_jd, p.culmination_jd, p.set_jd])
        look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, sec)
        # rise and set on the naked-eye preset's mask (10 deg), the culmination the highest
        assert np.abs(look[[0, 2], 0] - 10.0).max() < LOOK_ANGLE_TOLERANCE_DEG
        assert abs(p.max_elevation_deg - look[1, 0]) < LOOK_ANGLE_TOLERANCE_DEG
        near = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, sec[1] + [-1.0, 1.0])
        assert (near[:, 0] < look[1, 0] + 1e-6).all()
        got_az = [p.rise_azimuth_deg, p.culmination_azimuth_deg, p.set_azimuth_deg]
        diff = (np.array(got_az) - look[:, 1] + 180.0) % 360.0 - 180.0
        assert np.abs(diff).max() < LOOK_ANGLE_TOLERANCE_DEG
        assert abs(p.min_range_km - look[1, 2]) < RANGE_TOLERANCE_KM
        assert p.element_set_epoch_utc == epochs[int(ref.set_in_force(sats, sec[1])[0])]
        assert not p.open_start and not p.open_end
        assert p.rise_elevation_deg == pytest.approx(10.0, abs=LOOK_ANGLE_TOLERANCE_DEG)
        assert p.set_elevation_deg == pytest.approx(10.0, abs=LOOK_ANGLE_TOLERANCE_DEG)
        switch = ref.set_in_force(sats, sec[0])[0] != ref.set_in_force(sats, sec[2])[0]
        assert p.element_set_switch == bool(switch)
        assert p.timezone == {"Minsk": "Europe/Minsk", "Korolev MCC": "Europe/Moscow"}.get(
            p.station, "America/Chicago"
        )
        assert p.extra["station"].name == p.station and p.extra["catalogue"] is cat
        assert p.duration_s == pytest.approx((sec[2] - sec[0]), abs=1e-3)
    # every skyfield event of the window is found: rises at 10 deg by skyfield's own search
    from skyfield.api import wgs84

    for st in STATIONS:
        mine = [p for p in passes if p.station == st.name]
        topos = wgs84.latlon(st.lat_deg, st.lon_deg, elevation_m=st.elevation_m)
        a, b = (ref.utc(ref.sec_of_iso(w)) for w in WINDOW)
        count = 0
        for k, sat in enumerate(sats):
            lo = ref.epoch_sec(sat)
            hi = ref.epoch_sec(sats[k + 1]) if k + 1 < len(sats) else 1e12
            t, ev = sat.find_events(topos, a, b, altitude_degrees=10.0)
            secs = (t.tt - ref.utc(0.0).tt) * ref.DAY_S
            keep = (ev == 0) & (secs >= lo) & (secs < hi)
            count += int(keep.sum())
        assert abs(len(mine) - count) <= 1, st.name  # a rise at a set switch may split


def test_window_edges_open_passes_and_empty_answers(cat, sats):
    # the window starts and ends in the middle of passes (Minsk, 28 March ~15:45 and ~17:20)
    st = Station("Minsk", 53.90, 27.57, 220.0, 10.0)
    full = find_passes(cat, [st], "2024-03-28T15:00:00Z", "2024-03-28T19:00:00Z", visibility=False)
    assert len(full) >= 2
    first, last = full[0], full[-1]
    start = first.culmination_jd
    end = last.culmination_jd
    cut = find_passes(cat, [st], sim.times.jd_iso(start), sim.times.jd_iso(end), visibility=False)
    assert cut[0].open_start and not cut[0].open_end
    assert cut[-1].open_end and not cut[-1].open_start
    assert cut[0].rise_jd == pytest.approx(start, abs=1e-6 / 86400 * 1e3)
    assert cut[-1].set_jd == pytest.approx(end, abs=1e-6 / 86400 * 1e3)
    assert cut[0].set_jd == pytest.approx(first.set_jd, abs=0.01 / 86400)
    assert cut[-1].rise_jd == pytest.approx(last.rise_jd, abs=0.01 / 86400)
    # the window edge holds the highest point of a cut pass: it is the culmination there
    assert cut[0].culmination_jd == pytest.approx(cut[0].rise_jd, abs=0.01 / 86400)
    sec = ref.sec_of_jd([cut[0].rise_jd, cut[-1].set_jd])
    look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, sec)
    assert cut[0].rise_elevation_deg == pytest.approx(look[0, 0], abs=LOOK_ANGLE_TOLERANCE_DEG)
    assert cut[-1].set_elevation_deg == pytest.approx(look[1, 0], abs=LOOK_ANGLE_TOLERANCE_DEG)
    assert cut[0].rise_elevation_deg > 15.0
    assert find_passes(cat, [], *WINDOW) == []
    south_pole = Station("Pole", -89.0, 0.0, 0.0, 10.0)
    assert find_passes(cat, [south_pole], *WINDOW) == []
    # a mask so high that only maxima below it are found between samples: none clears it
    high = Station("High", 53.90, 27.57, 0.0, 89.0)
    assert find_passes(cat, [high], *WINDOW) == []


def test_horizon_mask_and_many_stations(cat, sats):
    """A horizon mask by azimuth, and 150 stations at once (the golden-section branch)."""
    mask = ((0.0, 30.0), (180.0, 5.0))
    st = Station("Masked", 53.90, 27.57, 220.0, horizon_mask=mask)
    passes = find_passes(cat, [st], *WINDOW, visibility=False)
    assert passes
    for p in passes:
        sec = ref.sec_of_jd([p.rise_jd, p.culmination_jd, p.set_jd])
        look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, sec)
        want_mask = np.interp(look[[0, 2], 1], [0.0, 180.0, 360.0], [30.0, 5.0, 30.0])
        assert np.abs(look[[0, 2], 0] - want_mask).max() < 0.01
        assert abs(p.max_elevation_deg - look[1, 0]) < LOOK_ANGLE_TOLERANCE_DEG
        assert abs(p.min_range_km - look[1, 2]) < RANGE_TOLERANCE_KM
    many = [Station(f"S{k}", 40.0 + 0.1 * (k % 50), 20.0 + k * 0.2, 0.0, 10.0) for k in range(150)]
    short = ("2024-03-28T15:00:00Z", "2024-03-28T18:00:00Z")
    got = find_passes(cat, many, *short, visibility=False)
    assert len(got) > 100
    for p in got[::17]:
        st = next(s for s in many if s.name == p.station)
        sec = ref.sec_of_jd([p.rise_jd, p.culmination_jd, p.set_jd])
        look = ref.look(sats, st.lat_deg, st.lon_deg, 0.0, sec)
        assert np.abs(look[[0, 2], 0] - 10.0).max() < LOOK_ANGLE_TOLERANCE_DEG
        assert abs(p.max_elevation_deg - look[1, 0]) < LOOK_ANGLE_TOLERANCE_DEG


# --------------------------------------------------------------------------------------------
# visibility and magnitude


def test_visibility_twilight_shadow_and_magnitude_against_references(cat, sats):
    from skyfield.api import wgs84

    limit = documented_presets()["naked-eye"]["sun_max_elevation_deg"]
    passes = find_passes(cat, STATIONS, *WINDOW)
    ends = _reference_visible_parts(passes, sats, limit)
    n_visible = n_twilight = n_umbra = 0
    for p, want in zip(passes, ends, strict=True):
        if want is not None and want[1] - want[0] < 2.0:
            continue
        assert p.visible == (want is not None), (p.station, p.rise_jd)
        if want is None:
            assert p.peak_magnitude is None and p.visible_start_jd is None
            assert p.visible_start_azimuth_deg is None
            continue
        n_visible += 1
        st = _station(p.station)
        got = ref.sec_of_jd([p.visible_start_jd, p.visible_end_jd])
        rise, set_ = ref.sec_of_jd([p.rise_jd, p.set_jd])
        for side in (0, 1):
            edge = (rise, set_)[side]
            if abs(want[side] - edge) < 1e-3:
                assert abs(got[side] - edge) < TOLERANCE_S["pass"]
                continue
            sun = ref.sun_altitude_interp_deg(
                st.lat_deg, st.lon_deg, st.elevation_m, np.array([want[side]])
            )[0]
            if abs(sun - limit) < 0.01:  # bounded by twilight
                n_twilight += 1
                assert abs(got[side] - want[side]) < TOLERANCE_S["twilight"]
            else:
                n_umbra += 1
                assert abs(got[side] - want[side]) < EVENT_TIME_TOLERANCE_S
        look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, got)
        assert p.visible_start_elevation_deg == pytest.approx(look[0, 0], abs=1e-3)
        assert p.visible_end_elevation_deg == pytest.approx(look[1, 0], abs=1e-3)
        assert p.visible_start_azimuth_deg == pytest.approx(look[0, 1], abs=1e-3)
        assert p.visible_end_azimuth_deg == pytest.approx(look[1, 1], abs=1e-3)
        # magnitude: the brightest along the visible part, from an independent phase angle
        jd = np.linspace(got[0], got[1], 2 + int((got[1] - got[0]) / 3))
        sat = ref.gcrs_sat_km(sats, jd)
        obs = wgs84.latlon(st.lat_deg, st.lon_deg, elevation_m=st.elevation_m)
        to_obs = obs.at(ref.utc(jd)).position.km.T - sat
        to_sun = ref.gcrs_sun_km(jd) - sat
        cos_p = np.einsum("ij,ij->i", to_obs, to_sun) / (
            np.linalg.norm(to_obs, axis=1) * np.linalg.norm(to_sun, axis=1)
        )
        mags = ref.magnitude(np.linalg.norm(to_obs, axis=1), np.arccos(cos_p))
        assert abs(p.peak_magnitude - mags.min()) < MAGNITUDE_TOLERANCE
    assert n_visible >= 5 and n_twilight >= 1 and n_umbra >= 1
    assert any(not p.visible for p in passes)


def test_visible_parts_that_begin_when_the_iss_leaves_the_umbra(cat, sats):
    """Morning passes far south (30 March 2024, 50 S 30 W): the ISS comes out of the Earth's
    shadow in mid-pass, so the visible part starts at the umbra exit (bisected here)."""
    st = Station("South Atlantic", -50.0, -30.0, 0.0)
    passes = find_passes(cat, [st], "2024-03-30T05:00:00Z", "2024-03-30T08:00:00Z")
    ends = _reference_visible_parts(passes, sats, -6.0, [st])
    exits = 0
    for p, want in zip(passes, ends, strict=True):
        assert p.visible == (want is not None)
        if want is None:
            continue
        got = ref.sec_of_jd([p.visible_start_jd, p.visible_end_jd])
        assert np.abs(got - np.array(want)).max() < EVENT_TIME_TOLERANCE_S
        rise = ref.sec_of_jd(p.rise_jd)
        if want[0] - rise > 10.0:
            assert ref.in_umbra(sats, np.array([want[0] - 1.0]))[0]  # dark before: an exit
            exits += 1
    assert exits == 2


def test_presets_change_the_mask_and_the_peak_rule(cat):
    minsk = Station("Minsk", 53.90, 27.57, 220.0)
    span = ("2024-03-25T15:02:51Z", "2024-03-31T00:00:00Z")
    documented = documented_presets()
    naked = find_passes(cat, [minsk], *span, preset="naked-eye")
    spot = find_passes(cat, [minsk], *span, preset=P.PRESETS["spot-the-station"])
    nasa = find_passes(cat, [minsk], *span, preset="nasa")
    min_peak = documented["spot-the-station"]["min_peak_elevation_deg"]
    assert len(spot) == len(naked)
    assert any(p.visible and p.max_elevation_deg < min_peak for p in naked)
    for a, b in zip(naked, spot, strict=True):
        assert b.visible == (a.visible and a.max_elevation_deg >= min_peak)
    assert all(
        p.rise_elevation_deg == pytest.approx(documented["nasa"]["min_elevation_deg"], abs=0.005)
        for p in nasa
    )
    custom = P.VisibilityPreset("custom", 10.0, -18.0)
    dark = find_passes(cat, [minsk], *span, preset=custom)
    assert sum(p.visible for p in dark) < sum(p.visible for p in naked)
    assert P.get_preset(custom) is custom
    assert P.get_preset("nasa") is P.PRESETS["nasa"]
    with pytest.raises(SimError) as err:
        P.get_preset("bright")
    assert str(err.value) == (
        "visibility preset 'bright' is unknown; expected one of "
        "['naked-eye', 'nasa', 'spot-the-station'] or custom values"
    )
    own = Station("Own", 53.90, 27.57, 220.0, 25.0)
    mine = find_passes(cat, [own], *span, preset="nasa", visibility=False)
    assert mine and all(
        p.rise_elevation_deg == pytest.approx(25.0, abs=0.005) for p in mine if not p.open_start
    )


def test_estimated_magnitude_is_the_diffuse_sphere():
    rng = np.array([400.0, 1000.0, 1000.0, 2500.0, 700.0])
    phase = np.radians([30.0, 90.0, 120.0, 10.0, 170.0])
    got = P.estimated_magnitude(rng, phase)
    assert np.allclose(got, ref.magnitude(rng, phase), atol=1e-9)
    assert P.estimated_magnitude(1000.0, math.pi / 2) == pytest.approx(-1.8 - 2.5 * math.log10(1))
    assert P.ISS_STANDARD_MAGNITUDE == -1.8
    assert P.estimated_magnitude(1000.0, math.pi / 2, standard_magnitude=0.5) == pytest.approx(0.5)
    # a new-moon phase is clamped to a finite (very faint) value, not infinity
    assert P.estimated_magnitude(1000.0, math.pi) == pytest.approx(-1.8 + 15.0)


# --------------------------------------------------------------------------------------------
# search helpers, on functions whose answers are known by hand


def test_search_max_finds_the_peak_of_every_interval():
    centres = np.array([3.3, 17.0, 50.25, 99.9])
    lo, hi = centres - np.array([2.0, 10.0, 0.5, 30.0]), centres + np.array([5.0, 1.0, 0.5, 0.1])

    def f(x, rows):
        return -((x - centres[rows]) ** 2) + rows

    t, fx = P._search_max(f, lo, hi)
    assert np.abs(t - centres).max() < 0.005
    assert np.allclose(fx, np.arange(4), atol=1e-4)
    t, fx = P._search_max(f, lo, hi, tol_s=1e-5)
    assert np.abs(t - centres).max() < 1e-5
    # a NaN (SGP4 failure) is never taken for the maximum
    t, _ = P._search_max(lambda x, r: np.where(x < 1.0, np.nan, -((x - 1.5) ** 2)), [0.0], [3.0])
    assert abs(t[0] - 1.5) < 0.005
    # many intervals: golden section, same answers
    many = np.linspace(0.0, 1000.0, P.MANY_INTERVALS + 7)

    def g(x, rows):
        return -np.abs(x - many[rows])

    t, fx = P._search_max(g, many - 3.0, many + 2.0)
    assert np.abs(t - many).max() < 0.005 and np.abs(fx).max() < 0.005
    t, _ = P._golden_max(g, many - 3.0, many + 2.0, 1e-4)
    assert np.abs(t - many).max() < 1e-4
    empty_t, empty_f = P._search_max(f, [], [])
    assert empty_t.size == 0 and empty_f.size == 0


@pytest.mark.parametrize("n", [1, 3, 500])
def test_search_root_finds_the_first_crossing(n):
    roots = np.linspace(10.0, 20.0, n)
    lo, hi = roots - 7.5, roots + 22.5

    def rising(x, rows):
        return x - roots[rows]

    got = P._search_root(rising, lo, hi, True)
    assert np.abs(got - roots).max() < 0.005
    got = P._search_root(lambda x, r: roots[r] - x, lo, hi, False, tol_s=1e-4)
    assert np.abs(got - roots).max() < 1e-4
    # the first change when there are two: up at the root, down 20 s later
    got = P._search_root(
        lambda x, r: np.where((x >= roots[r]) & (x < roots[r] + 20.0), 1.0, -1.0), lo, hi, True
    )
    assert np.abs(got - roots).max() < 0.005


def test_within_any_against_a_brute_force():
    t = np.arange(0.0, 100.0, 0.5)
    lo = np.array([3.0, 40.0, 41.0, 99.5])
    hi = np.array([10.0, 45.0, 42.5, 120.0])
    want = np.array([any(a <= x <= b for a, b in zip(lo, hi, strict=True)) for x in t])
    assert np.array_equal(P._within_any(t, lo, hi), want)


# --------------------------------------------------------------------------------------------
# stations


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lat_deg": 90.5}, "station 'X': lat_deg = 90.5 is outside -90..90"),
        ({"lat_deg": -91.0}, "station 'X': lat_deg = -91.0 is outside -90..90"),
        ({"lon_deg": -180.5}, "station 'X': lon_deg = -180.5 is outside -180..360"),
        ({"lon_deg": 361.0}, "station 'X': lon_deg = 361.0 is outside -180..360"),
        ({"elevation_m": -501.0}, "station 'X': elevation_m = -501.0 is outside -500..9000"),
        ({"elevation_m": 9001.0}, "station 'X': elevation_m = 9001.0 is outside -500..9000"),
        ({"min_elevation_deg": -6.0}, "station 'X': min_elevation_deg = -6.0 is outside -5..89"),
        ({"min_elevation_deg": 89.5}, "station 'X': min_elevation_deg = 89.5 is outside -5..89"),
        ({"lat_deg": "10"}, "station 'X': lat_deg = '10' is outside -90..90"),
        ({"elevation_m": None}, "station 'X': elevation_m = None is outside -500..9000"),
        (
            {"horizon_mask": ((0.0, 5.0),)},
            "station 'X': horizon_mask needs at least two azimuth/elevation pairs",
        ),
        (
            {"horizon_mask": ((0.0, 5.0), (361.0, 5.0))},
            "station 'X': horizon_mask pair (361, 5) is outside azimuth 0..360 / elevation -5..89",
        ),
        (
            {"horizon_mask": ((-1.0, 5.0), (10.0, 5.0))},
            "station 'X': horizon_mask pair (-1, 5) is outside azimuth 0..360 / elevation -5..89",
        ),
        (
            {"horizon_mask": ((0.0, 5.0), (10.0, 89.5))},
            "station 'X': horizon_mask pair (10, 89.5) is outside azimuth 0..360 / elevation "
            "-5..89",
        ),
        (
            {"horizon_mask": ((0.0, -5.5), (10.0, 5.0))},
            "station 'X': horizon_mask pair (0, -5.5) is outside azimuth 0..360 / elevation -5..89",
        ),
    ],
)
def test_station_refuses_values_off_their_range(kwargs, message):
    base = {"name": "X", "lat_deg": 10.0, "lon_deg": 20.0}
    with pytest.raises(SimError) as err:
        Station(**{**base, **kwargs})
    assert str(err.value) == message


def test_station_limits_zone_and_geometry():
    from skyfield.api import wgs84

    for lat, lon, h, m in ((90.0, -180.0, -500.0, -5.0), (-90.0, 360.0, 9000.0, 89.0)):
        st = Station("edge", lat, lon, h, m, horizon_mask=((0, -5), (360, 89)))
        assert st.horizon_mask == ((0.0, -5.0), (360.0, 89.0))
        assert isinstance(st.horizon_mask[0][0], float)
    assert Station("Minsk", 53.9, 27.57).zone_name == "Europe/Minsk"
    assert Station("Minsk", 53.9, 27.57, timezone="UTC").zone_name == "UTC"
    assert str(Station("Minsk", 53.9, 27.57).zone) == "Europe/Minsk"
    with pytest.raises(SimError, match=r"^station 'Minsk': timezone"):
        Station("Minsk", 53.9, 27.57, timezone="Mars/Olympus")
    st = Station("Korolev", 55.91, 37.81, 150.0)
    topos = wgs84.latlon(55.91, 37.81, elevation_m=150.0)
    assert np.abs(st.itrs_km - topos.itrs_xyz.km).max() < 1e-6
    # rows east, north, up: up is the ellipsoid normal, east horizontal, north completes
    axes = st.enu_axes()
    lat, lon = math.radians(55.91), math.radians(37.81)
    up = [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]
    assert np.allclose(axes[2], up)
    assert np.allclose(axes[0], [-math.sin(lon), math.cos(lon), 0.0])
    assert np.allclose(axes[1], np.cross(axes[2], axes[0]))


def test_sky_track_of_a_pass_against_skyfield(cat, sats):
    st = Station("Minsk", 53.90, 27.57, 220.0, 10.0)
    (p,) = find_passes(cat, [st], "2024-03-28T15:35:00Z", "2024-03-28T15:55:00Z", visibility=False)
    x, az, el = P.pass_track(cat, st, p, step_s=20.0)
    assert x[0] == 0.0 and x[-1] == pytest.approx(p.duration_s)
    assert np.allclose(np.diff(x[:-1]), 20.0) and 0 < x[-1] - x[-2] <= 20.0
    look = ref.look(sats, 53.90, 27.57, 220.0, ref.sec_of_jd(p.rise_jd) + x)
    assert np.abs(el - look[:, 0]).max() < LOOK_ANGLE_TOLERANCE_DEG
    assert np.abs((az - look[:, 1] + 180) % 360 - 180).max() < LOOK_ANGLE_TOLERANCE_DEG
    x2, _, _ = P.pass_track(cat, st, p)
    assert x2[1] - x2[0] == 2.0


# --------------------------------------------------------------------------------------------
# the records of a pass


def _hand_pass(**changes):
    base = {
        "station": "Minsk",
        "rise_jd": 2460397.5 + (18 * 3600 + 30 * 60) / 86400,  # 2024-03-28T18:30:00Z
        "culmination_jd": 2460397.5 + (18 * 3600 + 33 * 60 + 20.25) / 86400,
        "set_jd": 2460397.5 + (18 * 3600 + 36 * 60 + 40.5) / 86400,
        "max_elevation_deg": 45.123456,
        "rise_azimuth_deg": 281.25,
        "culmination_azimuth_deg": 11.3,
        "set_azimuth_deg": 101.24999,
        "min_range_km": 567.89012,
        "open_start": False,
        "open_end": True,
        "element_set_epoch_utc": "2024-03-28T12:00:00.000Z",
        "timezone": "Europe/Minsk",
    }
    base.update(changes)
    return Pass(**base)


def test_pass_record_by_hand():
    p = _hand_pass(
        visible=True,
        visible_start_jd=2460397.5 + (18 * 3600 + 31 * 60) / 86400,
        visible_end_jd=2460397.5 + (18 * 3600 + 35 * 60) / 86400,
        peak_magnitude=-2.345,
        rise_elevation_deg=10.00004,
        set_elevation_deg=12.34567,
        visible_start_elevation_deg=20.00006,
        visible_start_azimuth_deg=300.5,
        visible_end_elevation_deg=30.0,
        visible_end_azimuth_deg=80.12345,
        element_set_switch=True,
    )
    assert p.duration_s == pytest.approx(400.5, abs=1e-4)
    for got, want in (
        (p.rise, datetime(2024, 3, 28, 18, 30, 0, tzinfo=UTC)),
        (p.culmination, datetime(2024, 3, 28, 18, 33, 20, 250000, tzinfo=UTC)),
        (p.set, datetime(2024, 3, 28, 18, 36, 40, 500000, tzinfo=UTC)),
    ):
        assert got.tzinfo is not None and abs((got - want).total_seconds()) < 1e-4
    assert repr(p) == (
        "<Pass Minsk: 2024-03-28 18:30:00 to 18:36:40 UTC, max 45.1° at azimuth 11°, "
        "visible, mag -2.3>"
    )
    assert repr(_hand_pass()) == (
        "<Pass Minsk: 2024-03-28 18:30:00 to 18:36:40 UTC, max 45.1° at azimuth 11°, not visible>"
    )
    assert repr(_hand_pass(visible=True)).endswith("azimuth 11°, visible>")
    d = p.to_dict()
    assert list(d) == P.PASS_FIELDS
    assert d == {
        "station": "Minsk",
        "rise_utc": "2024-03-28T18:30:00.000Z",
        "culmination_utc": "2024-03-28T18:33:20.250Z",
        "set_utc": "2024-03-28T18:36:40.500Z",
        "duration_s": 400.5,
        "max_elevation_deg": 45.1235,
        "rise_azimuth_deg": 281.25,
        "culmination_azimuth_deg": 11.3,
        "set_azimuth_deg": 101.25,
        "min_range_km": 567.8901,
        "open_start": False,
        "open_end": True,
        "visible": True,
        "visible_start_utc": "2024-03-28T18:31:00.000Z",
        "visible_end_utc": "2024-03-28T18:35:00.000Z",
        "peak_magnitude": -2.35,
        "element_set_epoch_utc": "2024-03-28T12:00:00.000Z",
        "element_set_switch": True,
        "rise_elevation_deg": 10.0,
        "rise_compass": "W",
        "culmination_compass": "NNE",
        "set_elevation_deg": 12.3457,
        "set_compass": "E",
        "visible_start_elevation_deg": 20.0001,
        "visible_start_azimuth_deg": 300.5,
        "visible_end_elevation_deg": 30.0,
        "visible_end_azimuth_deg": 80.1235,
        "timezone": "Europe/Minsk",
        "rise_local": "2024-03-28T21:30:00.000+03:00",
        "culmination_local": "2024-03-28T21:33:20.250+03:00",
        "set_local": "2024-03-28T21:36:40.500+03:00",
        "visible_start_local": "2024-03-28T21:31:00.000+03:00",
        "visible_end_local": "2024-03-28T21:35:00.000+03:00",
    }
    plain = _hand_pass().to_dict()
    for key in ("visible_start_utc", "visible_end_utc", "peak_magnitude", "rise_elevation_deg"):
        assert plain[key] is None
    assert plain["visible_start_local"] is None and plain["visible_end_local"] is None
    assert plain["visible"] is False and plain["element_set_switch"] is False
    assert plain["visible_start_azimuth_deg"] is None and plain["set_elevation_deg"] is None


@pytest.mark.parametrize(
    ("az", "point"),
    [
        (0.0, "N"),
        (11.24, "N"),
        (11.26, "NNE"),
        (45.0, "NE"),
        (90.0, "E"),
        (180.0, "S"),
        (225.0, "SW"),
        (270.0, "W"),
        (348.76, "N"),
        (348.74, "NNW"),
        (-90.0, "W"),
        (719.0, "N"),
        (371.3, "NNE"),
    ],
)
def test_compass_point(az, point):
    assert P.compass_point(az) == point


def test_passes_dataframe_columns():
    pd = pytest.importorskip("pandas")
    frame = P.passes_dataframe([_hand_pass(), _hand_pass(station="Korolev")])
    assert list(frame.columns) == P.PASS_FIELDS
    assert frame["station"].tolist() == ["Minsk", "Korolev"]
    assert frame["rise_utc"][0] == pd.Timestamp("2024-03-28T18:30:00Z")
    assert str(frame["culmination_utc"].dt.tz) == "UTC"
    assert frame["element_set_epoch_utc"][0] == "2024-03-28T12:00:00.000Z"  # text, as written


def test_passes_dataframe_without_passes_or_pandas(monkeypatch):
    pytest.importorskip("pandas")
    assert list(P.passes_dataframe([]).columns) == P.PASS_FIELDS
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(SimError) as err:
        P.passes_dataframe([_hand_pass()])
    assert str(err.value) == (
        "passes_dataframe() needs pandas, an optional extra: "
        "pip install 'sim-orbital-replay[pandas]'"
    )


def test_pass_record_rounding_and_local_dates():
    # an odd whole Julian day: local dates must not move by a day
    p = _hand_pass(
        rise_jd=2460397.3,  # 2024-03-27T19:12:00Z
        culmination_jd=2460397.3 + 200.0 / 86400,
        set_jd=2460397.3 + 400.5004 / 86400,
        timezone="UTC",
    )
    d = p.to_dict()
    assert d["rise_local"] == "2024-03-27T19:12:00.000+00:00"
    assert d["set_local"] == "2024-03-27T19:18:40.500+00:00"
    assert d["duration_s"] == 400.5  # to the millisecond
    assert d["rise_utc"] == "2024-03-27T19:12:00.000Z"


def test_station_names_and_the_parsed_time_zone():
    with pytest.raises(SimError) as err:
        Station(" ", 1.0, 2.0)
    assert str(err.value) == "station ' ': the name must be a non-empty string, found ' '"
    st = Station.parse("Pad=45.9,63.3", timezone="Asia/Almaty")
    assert st.timezone == "Asia/Almaty" and st.zone_name == "Asia/Almaty"


def test_search_max_with_the_maximum_at_an_end():
    for sign, want in ((1.0, 10.0), (-1.0, 0.0)):
        t, fx = P._search_max(lambda x, r, s=sign: s * x, [0.0], [10.0])
        assert abs(t[0] - want) < 0.005 and abs(fx[0] - sign * want) < 0.005


def test_masked_and_plain_stations_searched_together(cat):
    mask = ((0.0, 30.0), (180.0, 5.0))
    masked = Station("Masked", 53.90, 27.57, 220.0, horizon_mask=mask)
    plain = Station("Plain", 55.91, 37.81, 150.0, 10.0)
    together = find_passes(cat, [plain, masked], *WINDOW, visibility=False)
    alone = find_passes(cat, [masked], *WINDOW, visibility=False) + find_passes(
        cat, [plain], *WINDOW, visibility=False
    )
    key = sorted((p.station, round(p.rise_jd * 86400, 2)) for p in alone)
    assert sorted((p.station, round(p.rise_jd * 86400, 2)) for p in together) == key


# --------------------------------------------------------------------------------------------
# The Sun's limit and the lit part of a pass, one rule at a time (mutation survivors, issue 18).
# A custom preset puts the Sun's limit where a daytime pass crosses it, so both branches of the
# twilight refinement (Sun climbing, Sun sinking) and the "dark at rise or set" rule are checked
# against the Sun's altitude from DE421 (tests/reference.py).

#: Perth, 28 March 2024 01:10 UTC: a morning pass, the Sun climbing from 32.7 to 33.8 deg.
PERTH = Station("Perth", -31.95, 115.86, 0.0)
PERTH_SPAN = ("2024-03-28T01:00:00Z", "2024-03-28T01:30:00Z")
#: Houston, 27 March 2024 19:20 UTC: an afternoon pass, the Sun sinking from 60.5 to 59.7 deg.
HOUSTON = Station("Houston JSC", 29.56, -95.09, 10.0)
HOUSTON_SPAN = ("2024-03-27T19:15:00Z", "2024-03-27T19:35:00Z")
#: a Sun limit no daytime Sun reaches: the sky counts as dark all day
NEVER_BRIGHT_DEG = 90.0


def _one_pass(cat, station, span, limit_deg, **preset):
    (p,) = find_passes(
        cat, [station], *span, preset=P.VisibilityPreset("t", 10.0, limit_deg, **preset)
    )
    return p


def _sun_at(station, sec):
    return ref.sun_altitude_deg(station.lat_deg, station.lon_deg, station.elevation_m, sec)


def _sun_crossing(station, a, b, limit_deg):
    """Reference time (s) where the Sun's altitude at the station crosses ``limit_deg``."""
    return ref.bisect_time(lambda x: _sun_at(station, x) <= limit_deg, a, b)


def test_sun_climbing_past_the_limit_ends_the_visible_part(cat):
    p = _one_pass(cat, PERTH, PERTH_SPAN, NEVER_BRIGHT_DEG)
    rise, set_ = ref.sec_of_jd([p.rise_jd, p.set_jd])
    sun = _sun_at(PERTH, np.array([rise, set_]))
    assert 32.0 < sun[0] < sun[1] - 1.0  # the Sun climbs more than a degree over the pass
    for limit in (sun[0] + 0.3, sun[1] - 0.6, sun[1] - 0.05):
        p = _one_pass(cat, PERTH, PERTH_SPAN, limit)
        assert p.visible
        got = ref.sec_of_jd([p.visible_start_jd, p.visible_end_jd])
        assert abs(got[0] - rise) < 1e-3
        assert abs(got[1] - _sun_crossing(PERTH, rise, set_, limit)) < TOLERANCE_S["twilight"]


def test_sun_above_or_below_the_limit_for_the_whole_pass(cat):
    p = _one_pass(cat, PERTH, PERTH_SPAN, NEVER_BRIGHT_DEG)
    rise, set_ = ref.sec_of_jd([p.rise_jd, p.set_jd])
    sun = _sun_at(PERTH, np.array([rise, set_]))
    # the Sun above the limit at rise and at set: not visible, even half a degree above it
    assert not _one_pass(cat, PERTH, PERTH_SPAN, sun[0] - 0.5).visible
    # below it at both: visible from rise to set
    p = _one_pass(cat, PERTH, PERTH_SPAN, sun[1] + 0.5)
    got = ref.sec_of_jd([p.visible_start_jd, p.visible_end_jd])
    assert p.visible and abs(got[0] - rise) < 1e-3 and abs(got[1] - set_) < 1e-3


def test_sun_sinking_past_the_limit_starts_the_visible_part(cat):
    p = _one_pass(cat, HOUSTON, HOUSTON_SPAN, NEVER_BRIGHT_DEG)
    rise, set_ = ref.sec_of_jd([p.rise_jd, p.set_jd])
    sun = _sun_at(HOUSTON, np.array([rise, set_]))
    assert sun[0] > sun[1] + 0.5 and sun[1] > 59.0  # the Sun sinks, and stays far above 0
    for limit in (sun[1] + 0.05, 0.5 * (sun[0] + sun[1]), sun[0] - 0.1):
        p = _one_pass(cat, HOUSTON, HOUSTON_SPAN, limit)
        assert p.visible
        got = ref.sec_of_jd([p.visible_start_jd, p.visible_end_jd])
        assert abs(got[0] - _sun_crossing(HOUSTON, rise, set_, limit)) < TOLERANCE_S["twilight"]
        assert abs(got[1] - set_) < 1e-3
    assert not _one_pass(cat, HOUSTON, HOUSTON_SPAN, sun[1] - 0.5).visible


def test_a_peak_equal_to_the_minimum_peak_counts(cat):
    p = _one_pass(cat, PERTH, PERTH_SPAN, NEVER_BRIGHT_DEG)
    peak = p.max_elevation_deg
    assert _one_pass(cat, PERTH, PERTH_SPAN, NEVER_BRIGHT_DEG, min_peak_elevation_deg=peak).visible
    above = math.nextafter(peak, math.inf)
    assert not _one_pass(
        cat, PERTH, PERTH_SPAN, NEVER_BRIGHT_DEG, min_peak_elevation_deg=above
    ).visible


#: Umbra intervals as fractions of a pass (rise 0, set 1) or seconds from rise ("s"), and the
#: visible part they leave: the longest lit piece of more than 0.5 s, or None.
UMBRA_CASES = [
    # one interval before the pass, two inside: three lit pieces, the last the longest
    ([(-0.3, -0.1), (0.2, 0.25), (0.4, 0.45)], (0.45, 1.0)),
    # one inside: the first piece (0.5 of the pass) is longer than the second (0.45)
    ([(0.5, 0.55)], (0.0, 0.5)),
    # lit for 0.3 s or exactly 0.5 s at rise: too short to count; 1 s counts
    ([("s", 0.3, None)], None),
    ([("s", 0.5, None)], None),
    ([("s", 1.0, None)], ("s", 0.0, 1.0)),
    # one after the set: the whole pass
    ([(1.1, 1.3)], (0.0, 1.0)),
    ([(-0.2, 0.3)], (0.3, 1.0)),
]


def test_lit_pieces_of_a_pass_between_umbra_intervals(cat, monkeypatch):
    """The subtraction of the umbra from the dark-sky part, on umbra intervals given by hand
    (a pass lasts minutes and the umbra half an hour, so the real ISS never has two pieces)."""
    made = {}

    def umbra(_geo, _t, rise, set_, _sun):
        starts, ends = [], []
        for n, (a, b) in enumerate(zip(rise, set_, strict=True)):
            made[round(float(a), 6)] = n
            s, e = [], []
            for iv in UMBRA_CASES[n][0]:
                if iv[0] == "s":
                    s.append(a + iv[1])
                    e.append(b)
                else:
                    s.append(a + iv[0] * (b - a))
                    e.append(a + iv[1] * (b - a))
            starts.append(s)
            ends.append(e)
        return starts, ends

    monkeypatch.setattr(P, "_umbra_intervals", umbra)
    span = ("2024-03-27T00:00:00Z", "2024-03-29T00:00:00Z")
    preset = P.VisibilityPreset("t", 10.0, NEVER_BRIGHT_DEG)
    passes = find_passes(cat, [HOUSTON], *span, preset=preset)
    assert len(passes) == len(UMBRA_CASES)
    for p in passes:
        rise_s, set_s = p.extra["t"][0], p.extra["t"][2]
        want = UMBRA_CASES[made[round(float(rise_s), 6)]][1]
        if want is None:
            assert not p.visible and p.visible_start_jd is None and p.peak_magnitude is None
            continue
        if want[0] == "s":
            lo, hi = rise_s + want[1], rise_s + want[2]
        else:
            lo, hi = (rise_s + f * (set_s - rise_s) for f in want)
        assert p.visible and p.peak_magnitude is not None
        assert p.extra["visible_t"] == pytest.approx((lo, hi), abs=1e-6)
        assert (p.visible_start_jd - p.rise_jd) * 86400 == pytest.approx(lo - rise_s, abs=1e-3)
        assert (p.visible_end_jd - p.rise_jd) * 86400 == pytest.approx(hi - rise_s, abs=1e-3)


# --------------------------------------------------------------------------------------------
# Windows that cut a pass close to its rise, its set, or on both sides (mutation survivors)


def _minsk_reference_pass(cat):
    """Minsk's pass of 28 March 2024 ~15:42 UTC over a window that holds all of it."""
    (p,) = find_passes(cat, [MINSK10], "2024-03-28T15:30:00Z", "2024-03-28T16:00:00Z")
    return p


MINSK10 = Station("Minsk", 53.90, 27.57, 220.0, 10.0)


def _at(jd, offset_s):
    return sim.times.jd_iso(jd + offset_s / 86400.0)


def _elevation(sats, station, jd):
    sec = ref.sec_of_jd([jd])
    return ref.look(sats, station.lat_deg, station.lon_deg, station.elevation_m, sec)[0, 0]


def test_window_inside_one_pass(cat, sats):
    """No sample of the window is below the mask: one pass, open at both ends."""
    whole = _minsk_reference_pass(cat)
    start, end = _at(whole.rise_jd, 100.0), _at(whole.rise_jd, 160.0)
    (p,) = find_passes(cat, [MINSK10], start, end, visibility=False)
    assert p.open_start and p.open_end
    assert (p.rise_jd - whole.rise_jd) * 86400 == pytest.approx(100.0, abs=1e-3)
    assert (p.set_jd - whole.rise_jd) * 86400 == pytest.approx(160.0, abs=1e-3)
    assert p.rise_elevation_deg == pytest.approx(_elevation(sats, MINSK10, p.rise_jd), abs=1e-3)
    assert p.set_elevation_deg == pytest.approx(_elevation(sats, MINSK10, p.set_jd), abs=1e-3)
    assert p.rise_elevation_deg > 10.5


def test_window_starting_one_sample_before_the_rise(cat):
    """Only the first coarse sample is below the mask before the pass: the pass is closed."""
    whole = _minsk_reference_pass(cat)
    passes = find_passes(
        cat, [MINSK10], _at(whole.rise_jd, -60.0), _at(whole.set_jd, 600.0), visibility=False
    )
    (p,) = passes
    assert not p.open_start and not p.open_end
    assert (p.rise_jd - whole.rise_jd) * 86400 == pytest.approx(0.0, abs=0.01)
    assert p.rise_azimuth_deg == pytest.approx(whole.rise_azimuth_deg, abs=LOOK_ANGLE_TOLERANCE_DEG)


@pytest.mark.parametrize(("edge", "offset_s"), [("start", -2.0), ("end", 2.0)])
def test_window_holding_only_two_seconds_of_a_pass(cat, sats, edge, offset_s):
    """The pass's only sample above the mask is the window's first (last) one, 2 s before the
    set (after the rise), where the elevation clears the mask by a fraction of a degree."""
    whole = _minsk_reference_pass(cat)
    if edge == "start":
        span = (_at(whole.set_jd, offset_s), _at(whole.set_jd, 1000.0))
    else:
        span = (_at(whole.rise_jd, -1030.0), _at(whole.rise_jd, offset_s))
    (p,) = find_passes(cat, [MINSK10], *span, visibility=False)
    assert p.duration_s == pytest.approx(2.0, abs=0.01)
    assert (p.open_start, p.open_end) == (edge == "start", edge == "end")
    inside_jd = p.rise_jd if edge == "start" else p.set_jd
    assert 10.0 < _elevation(sats, MINSK10, inside_jd) < 11.0


def test_passes_of_a_decaying_object_end_where_sgp4_fails(tmp_path):
    """Samples where SGP4 fails (the object has decayed) are never above the mask."""
    path = write_decaying_tle(tmp_path)
    cat, sats = sim.load_catalogue(path), ref.tle_satellites(path)
    # a station under the track an hour after the epoch (27 March 2024 12:00 UTC)
    sec = ref.sec_of_iso("2024-03-27T13:00:00Z")
    lat, lon, _h = ref.geodetic_sat(sats, np.array([sec]))[0]
    under = Station("Under", float(lat), float(lon), 0.0)
    start, end = "2024-03-27T12:00:00Z", "2024-04-05T00:00:00Z"
    passes = find_passes(cat, [under, Station("Houston", 29.56, -95.09, 10.0)], start, end)
    eph = sim.propagate(cat, start=start, end=end, step_s=60.0, sunlight=False)
    failed_jd = eph.times.jd[~eph.ok]
    assert failed_jd.size > 1000  # most of the day: SGP4 fails within hours
    (p,) = passes
    assert p.station == "Under" and p.max_elevation_deg > 80.0
    assert abs(ref.sec_of_jd(p.culmination_jd) - sec) < 600.0
    look = ref.look(sats, lat, lon, 0.0, ref.sec_of_jd([p.rise_jd, p.set_jd]))
    assert np.abs(look[:, 0] - 10.0).max() < LOOK_ANGLE_TOLERANCE_DEG
    assert p.set_jd < failed_jd.min()
    # a station the object never reaches before it decays: no pass (the failed samples at the
    # end of the window are not a pass cut by the window)
    assert find_passes(cat, [Station("Houston", 29.56, -95.09, 10.0)], start, end) == []


def test_a_pass_across_a_switch_of_element_set(cat, sats):
    """A station under the ISS at the instant the set in force changes: its pass starts under
    one set and ends under the next (skyfield's epochs decide which set is in force)."""
    sw = cat.switches()[3]
    sec = ref.sec_of_jd([sw.jd]) + 120.0  # the culmination two minutes after the switch
    lat, lon, _h = ref.geodetic_sat(sats, sec)[0]
    st = Station("Under", float(lat), float(lon), 0.0, 10.0)
    (p,) = find_passes(cat, [st], _at(sw.jd, -900.0), _at(sw.jd, 900.0), visibility=False)
    ends = ref.sec_of_jd([p.rise_jd, p.set_jd])
    in_force = ref.set_in_force(sats, ends)
    assert in_force[0] == sw.from_index and in_force[1] == sw.to_index
    assert p.element_set_switch
    # the set named on the pass is the one in force at the culmination
    at_culmination = int(ref.set_in_force(sats, ref.sec_of_jd([p.culmination_jd]))[0])
    assert at_culmination == sw.to_index
    assert p.element_set_epoch_utc == ref.epoch_iso_s(sats[at_culmination])


def test_search_max_of_a_lopsided_peak():
    """A unimodal function ten times steeper on the left: the best of the 16 samples (1 apart)
    is 0.9 from the peak, and the next bracket must still hold the peak."""

    def f(x, _rows):
        return np.where(x < 7.1, 10.0 * (x - 7.1), 7.1 - x)

    t, fx = P._search_max(f, [0.0], [15.0])
    assert abs(t[0] - 7.1) < 0.005 and fx[0] > -0.05


def test_umbra_exit_after_the_last_coarse_sample_of_a_pass(cat, sats):
    """South Atlantic, 30 March 2024 ~05:38:30 UTC: the ISS leaves the umbra two minutes before
    the set. With a 300 s grid from 05:22:30 the last sample inside the pass (05:37:30) is still
    in the umbra, so the exit lies between it and the set, the last instant of the window's
    only pass."""
    st = Station("South Atlantic", -50.0, -30.0, 0.0)
    (p,) = find_passes(
        cat, [st], "2024-03-30T05:22:30Z", "2024-03-30T05:41:30Z", coarse_step_s=300.0
    )
    rise, set_ = ref.sec_of_jd([p.rise_jd, p.set_jd])
    last_sample = ref.sec_of_iso("2024-03-30T05:37:30Z")
    assert rise < last_sample < set_ and ref.in_umbra(sats, [rise, last_sample]).all()
    assert not ref.in_umbra(sats, [set_])[0]
    exit_s = ref.bisect_time(lambda x: ref.in_umbra(sats, x), last_sample, set_)
    assert p.visible
    assert abs(ref.sec_of_jd(p.visible_start_jd) - exit_s) < EVENT_TIME_TOLERANCE_S
    assert abs(ref.sec_of_jd(p.visible_end_jd) - set_) < 1e-3
