"""Direct tests of sim.ephemeris written against the survivors of the mutation run (issue 18,
docs/mutation.md): the set in force across set changes and out-of-order grids, the trust rule's
shortcut, SGP4 failures, the pole rotation with scalar angles, the shadow cones a few metres
from their surfaces, the Sun table's knots, the parallel path's refusals. References: python-sgp4
through skyfield's own parse of the TLE file, the IERS rotation matrices built here, the conical
shadow of tests/reference.py, the catalogue's trust rule (sim.elements). Each test calls the code
itself and takes well under a second (mutmut runs them per mutant)."""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from conftest import BUNDLED_TLE, write_decaying_tle
from skyfield.sgp4lib import theta_GMST1982

import sim
from sim import ephemeris as se
from sim.elements import tle_checksum
from sim.errors import TimeSpanError
from sim.times import TimeGrid

#: skyfield's EarthSatellite per set of the bundled file (its own TLE parse), epoch order.
SATS = ref.tle_satellites(BUNDLED_TLE)
#: Same SGP4 code, same Julian dates: the states agree to rounding (a micrometre is generous).
ONE_MICROMETRE_KM = 1e-9
#: Just past / inside a day limit of the trust rule: 0.04 s, above the 1e-6 day margin of the
#: shortcut and far above the rounding of a Julian date (5e-10 day).
DELTA_DAYS = 5e-7


def _epochs(cat):
    return [(s.epoch_jd, s.epoch_fraction) for s in cat.sets]


def _grid(cat, pairs):
    """Instants given as (set k, days after set k's epoch): the set in force (rule 'epoch') is k
    by construction as long as the offset stays before the next epoch."""
    ep = _epochs(cat)
    whole = np.array([ep[k][0] for k, _ in pairs])
    fraction = np.array([ep[k][1] + off for k, off in pairs])
    return whole, fraction


def _sgp4_reference(pairs, whole, fraction):
    r = np.empty((len(pairs), 3))
    v = np.empty((len(pairs), 3))
    for i, (k, _) in enumerate(pairs):
        e, rr, vv = SATS[k].model.sgp4(whole[i], fraction[i])
        assert e == 0
        r[i], v[i] = rr, vv
    return r, v


GRIDS = {
    # time-ordered, one run per set, six runs over four sets
    "in runs": [(0, 0.1), (0, 3.0), (1, 0.01), (2, 0.2), (2, 1.0), (3, 0.5)],
    "two sets": [(0, 0.5), (1, 0.2)],
    # out of order, three runs of two sets: back to set 1 after set 0
    "back and forth": [(1, 0.2), (0, 0.5), (1, 0.3)],
    # out of order, more runs (8) than sets (6)
    "more runs than sets": [(k % 2, 0.1 + 0.01 * k) for k in range(8)],
}


@pytest.mark.parametrize("name", list(GRIDS))
def test_teme_by_runs_uses_the_set_in_force_at_every_instant(name):
    cat = sim.load_catalogue(BUNDLED_TLE)
    pairs = GRIDS[name]
    whole, fraction = _grid(cat, pairs)
    r, v, err = se._teme_by_runs(cat, whole, fraction)
    r_want, v_want = _sgp4_reference(pairs, whole, fraction)
    assert not err.any()
    assert np.max(np.abs(r - r_want)) < ONE_MICROMETRE_KM
    assert np.max(np.abs(v - v_want)) < ONE_MICROMETRE_KM


@pytest.mark.parametrize("name", list(GRIDS))
def test_propagate_uses_the_set_in_force_at_every_instant(name):
    cat = sim.load_catalogue(BUNDLED_TLE)
    pairs = GRIDS[name]
    whole, fraction = _grid(cat, pairs)
    e = sim.propagate(cat, TimeGrid(whole, fraction), sunlight=False)
    r_want, v_want = _sgp4_reference(pairs, whole, fraction)
    assert e.set_index.tolist() == [k for k, _ in pairs]
    assert np.max(np.abs(e.r_teme_km - r_want)) < ONE_MICROMETRE_KM
    assert np.max(np.abs(e.v_teme_km_s - v_want)) < ONE_MICROMETRE_KM
    assert np.allclose(e.age_h, [24.0 * off for _, off in pairs], rtol=0, atol=1e-6)
    assert e.ok.all() and (e.shadow == -1).all()
    assert np.issubdtype(e.shadow.dtype, np.integer)  # codes, not floats


def test_no_instants_give_empty_results():
    cat = sim.load_catalogue(BUNDLED_TLE)
    r, v, err = se._teme_by_runs(cat, np.array([]), np.array([]))
    assert r.shape == (0, 3) and v.shape == (0, 3) and err.shape == (0,)
    e = sim.propagate(cat, [])
    assert len(e) == 0 and e.r_itrs_km.shape == (0, 3) and e.sun is None
    assert repr(e) == "<Ephemeris NORAD 25544: 0 samples - to - from 6 element sets>"


def test_teme_by_runs_refuses_what_the_catalogue_refuses(tmp_path):
    cat = sim.load_catalogue(BUNDLED_TLE)
    far = _grid(cat, [(5, 0.5), (5, 31.0)])  # 31 days after the last set: past the 30-day limit
    with pytest.raises(TimeSpanError) as rule:
        cat.teme(*far)
    with pytest.raises(TimeSpanError) as got:
        se._teme_by_runs(cat, *far)
    assert "beyond the limit of 30 days" in str(got.value)
    assert str(got.value) == str(rule.value)
    # a decaying object 20 days after its epoch: SGP4 fails at both instants
    decay = sim.load_catalogue(write_decaying_tle(tmp_path))
    dead = _grid(decay, [(0, 20.0), (0, 20.5)])
    with pytest.raises(TimeSpanError) as rule:
        decay.teme(*dead)
    with pytest.raises(TimeSpanError) as got:
        se._teme_by_runs(decay, *dead)
    assert str(got.value).startswith("2024-04-16T12:00:00Z to 2024-04-17T00:00:00Z: SGP4 fails")
    assert str(got.value) == str(rule.value)


def test_one_failed_instant_is_a_failed_row_two_are_refused(tmp_path):
    decay = sim.load_catalogue(write_decaying_tle(tmp_path))
    one = sim.propagate(decay, TimeGrid(*_grid(decay, [(0, 20.0)])), sunlight=False)
    assert one.error.tolist() != [0] and np.isnan(one.r_teme_km).all()
    with pytest.raises(TimeSpanError, match="SGP4 fails at every instant"):
        sim.propagate(decay, TimeGrid(*_grid(decay, [(0, 20.0), (0, 20.5)])), sunlight=False)


#: Grids for the trust rule with a one-day limit: (set k, days after its epoch).
LIMIT_DAYS = 1.0
REFUSED = {
    # the last instant of set 0's run is just too old; the sets after it are fine
    "end of a run": [
        (0, 0.1),
        (0, 0.5),
        (0, LIMIT_DAYS + DELTA_DAYS),
        (1, 0.1),
        (1, 0.2),
        (1, 0.3),
    ],
    # the first instant lies just too long before the first set
    "first instant": [(0, -LIMIT_DAYS - DELTA_DAYS), (0, 0.2)],
    # inside the last set, the last instant of the grid just too old
    "last instant": [(5, 0.1), (5, LIMIT_DAYS + DELTA_DAYS)],
    # out of order, every instant later than the first, the middle one too old
    "out of order": [(0, 0.1), (0, 2.0), (0, 0.2)],
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_propagate_refuses_exactly_what_the_trust_rule_refuses(name):
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=LIMIT_DAYS)
    whole, fraction = _grid(cat, REFUSED[name])
    with pytest.raises(TimeSpanError) as rule:
        cat.check_span(whole, fraction)
    with pytest.raises(TimeSpanError) as got:
        sim.propagate(cat, TimeGrid(whole, fraction), sunlight=False)
    assert f"beyond the limit of {LIMIT_DAYS:g} days" in str(got.value)
    assert str(got.value) == str(rule.value)


def test_propagate_accepts_a_grid_just_inside_the_limit():
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=LIMIT_DAYS)
    pairs = [(0, -LIMIT_DAYS + DELTA_DAYS), (0, LIMIT_DAYS - DELTA_DAYS), (5, LIMIT_DAYS - 1e-3)]
    whole, fraction = _grid(cat, pairs)
    cat.check_span(whole, fraction)  # the rule accepts it
    e = sim.propagate(cat, TimeGrid(whole, fraction), sunlight=False)
    assert e.ok.all() and e.set_index.tolist() == [0, 0, 5]


def _tle_2053(folder):
    """The first bundled ISS set moved to 2053-10-08 (day 281), next to DE421's end."""
    lines = [ln for ln in BUNDLED_TLE.read_text().splitlines() if ln.startswith(("1 ", "2 "))]
    line1 = lines[0][:18] + "53281.00000000" + lines[0][32:68]
    line1 += str(tle_checksum(line1))
    path = folder / "late.tle"
    path.write_text(f"{line1}\n{lines[1]}\n")
    return path


def test_an_instant_past_de421_is_refused_next_to_a_set(tmp_path):
    cat = sim.load_catalogue(_tle_2053(tmp_path))
    times = ["2053-10-08T12:00:00Z", "2053-10-09T12:00:00Z", "2053-10-10T12:00:00Z"]
    with pytest.raises(TimeSpanError, match="outside DE421's range") as got:
        sim.propagate(cat, times, sunlight=False)
    assert str(got.value).startswith("2053-10-08T12:00:00Z to 2053-10-10T12:00:00Z lies outside")


# ------------------------------------------------------------------------------------------
# frames: the IERS matrices, built here


def _r3(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def _w(xp, yp):
    """W = R1(-yp) R2(-xp), exact (IERS 2010 eq. 5.3 without s')."""
    r1 = np.array([[1, 0, 0], [0, np.cos(yp), -np.sin(yp)], [0, np.sin(yp), np.cos(yp)]])
    r2 = np.array([[np.cos(xp), 0, np.sin(xp)], [0, 1, 0], [-np.sin(xp), 0, np.cos(xp)]])
    return r1 @ r2


R_TEME = np.array([[6700.0, 1200.0, -300.0], [-2100.0, 4800.0, 4400.0]])
V_TEME = np.array([[-1.0, 6.0, 4.5], [-5.5, -3.0, 3.8]])
THETA = np.array([0.7, 4.1])
THETA_DOT_RAD_DAY = 6.300388098984893  # GMST rate (rad/day)
#: First-order W against the exact rotation at 2e-6 rad: 7e3 km x (2e-6)^2 = 3e-8 km.
POLE_TOLERANCE_KM = 1e-6


@pytest.mark.parametrize(
    "xp, yp",
    [
        (2e-6, 0.0),  # scalar angles, one of them zero
        (0.0, 2e-6),
        (0.0, np.array([1e-6, -2e-6])),  # a scalar zero and an array
        (np.array([2e-6, 0.0]), 0.0),
    ],
)
def test_teme_to_itrs_with_either_pole_angle_alone(xp, yp):
    r, v = se.teme_to_itrs(R_TEME, V_TEME, THETA, THETA_DOT_RAD_DAY, xp, yp)
    omega = np.array([0.0, 0.0, THETA_DOT_RAD_DAY / ref.DAY_S])
    xps = np.broadcast_to(xp, (2,))
    yps = np.broadcast_to(yp, (2,))
    for i in range(2):
        pef = _r3(THETA[i]) @ R_TEME[i]
        v_pef = _r3(THETA[i]) @ V_TEME[i] - np.cross(omega, pef)
        w = _w(xps[i], yps[i])
        assert np.max(np.abs(r[i] - w @ pef)) < POLE_TOLERANCE_KM
        assert np.max(np.abs(v[i] - w @ v_pef)) < POLE_TOLERANCE_KM
    moved = r - np.stack([_r3(THETA[i]) @ R_TEME[i] for i in range(2)])
    assert np.max(np.abs(moved)) > 1e-3  # the pole moved the points by metres


def test_without_pole_angles_the_frames_are_pef():
    r, v = se.teme_to_itrs(R_TEME, V_TEME, THETA, THETA_DOT_RAD_DAY)
    back = se.itrs_to_teme(r, THETA)
    for i in range(2):
        assert np.max(np.abs(r[i] - _r3(THETA[i]) @ R_TEME[i])) < ONE_MICROMETRE_KM
    assert np.max(np.abs(back - R_TEME)) < ONE_MICROMETRE_KM


def test_whole_kilometres_given_as_integers_are_read_as_numbers():
    r_int = np.array([[6700, 1200, -300], [-2100, 4800, 4400]])
    v_int = np.array([[-1, 6, 4], [-5, -3, 3]])
    r, v = se.teme_to_itrs(r_int, v_int, THETA, THETA_DOT_RAD_DAY, 1e-6, 2e-6)
    r_f, v_f = se.teme_to_itrs(r_int * 1.0, v_int * 1.0, THETA, THETA_DOT_RAD_DAY, 1e-6, 2e-6)
    assert np.array_equal(r, r_f) and np.array_equal(v, v_f)
    pos_int = np.array([[6378, 0, 0], [0, 4510, 4510], [3000, -3000, 5500]])
    lat, lon, alt = se.geodetic(pos_int)
    want = se.geodetic(pos_int * 1.0)
    assert np.array_equal(lat, want[0]) and np.array_equal(lon, want[1])
    assert np.array_equal(alt, want[2])
    assert alt[0] == pytest.approx(6378 - ref.EARTH_RADIUS_KM, abs=1e-9)  # on the equator


# ------------------------------------------------------------------------------------------
# shadow: a few metres from the cones' surfaces


def _on_axis(sun, s_km, perp_km):
    u = -sun / np.linalg.norm(sun)
    side = np.cross(u, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    return s_km * u + perp_km * side


#: A tilt of the Sun's apparent radius by its square (1 - sin^2 -> 1 + sin^2) moves the cones
#: by about 50 m at the ISS's height; the probes lie 10 m inside and outside.
PROBE_KM = 0.01


@pytest.mark.parametrize("behind_km", [300.0, 2000.0, 5000.0])
def test_shadow_state_ten_metres_from_each_cone(behind_km):
    sun = ref.teme_sun_km(np.array([7_603_200.0]))[0]
    d = np.linalg.norm(sun)
    a = np.arcsin((ref.SUN_RADIUS_KM - ref.EARTH_RADIUS_KM) / d)
    b = np.arcsin((ref.SUN_RADIUS_KM + ref.EARTH_RADIUS_KM) / d)
    # perpendicular distance of each cone at this distance behind the Earth, along the normal
    r_umbra = (ref.EARTH_RADIUS_KM / np.sin(a) - behind_km) * np.tan(a)
    r_pen = (behind_km + ref.EARTH_RADIUS_KM / np.sin(b)) * np.tan(b)
    perps = [
        r_umbra - PROBE_KM / np.cos(a),
        r_umbra + PROBE_KM / np.cos(a),
        r_pen - PROBE_KM / np.cos(b),
        r_pen + PROBE_KM / np.cos(b),
    ]
    points = np.array([_on_axis(sun, behind_km, p) for p in perps])
    suns = np.repeat(sun[None, :], 4, axis=0)
    umbra = ref.umbra_depth_km(points, suns)
    penumbra = ref.penumbra_depth_km(points, suns)
    assert np.allclose(np.abs(umbra[:2]), PROBE_KM, rtol=1e-3)  # the reference agrees
    assert np.allclose(np.abs(penumbra[2:]), PROBE_KM, rtol=1e-3)
    got = se.shadow_state(points, suns)
    assert got.tolist() == [se.UMBRA, se.PENUMBRA, se.PENUMBRA, se.SUNLIT]


# ------------------------------------------------------------------------------------------
# the Sun table


#: Direction of the Sun from the table against skyfield's TEME: measured worst 2.5e-8 rad
#: (test_units_ephemeris, IAU 2000B nutation at the knots). The distance is off by up to 40 km
#: where the knots are two hours apart (a one-instant table): the chord's sag, along the radius.
SUN_DIRECTION_RAD = 1e-7


def _angle_rad(a, b):
    return float(np.arctan2(np.linalg.norm(np.cross(a, b)), np.dot(a, b)))


def test_sun_tables_are_hourly_by_default_and_over_takes_one_instant():
    whole, fraction = ref.split_jd(np.array([7_603_200.0 + 1234.5]))
    for table in (se.SunTable.covering(whole, fraction), se.SunTable.over(whole, fraction)):
        assert table.step_days == pytest.approx(3600.0 / ref.DAY_S, rel=1e-12)
        got = table.teme(whole, fraction)[0]
        want = ref.teme_sun_km(np.array([7_603_200.0 + 1234.5]))[0]
        assert _angle_rad(got, want) < SUN_DIRECTION_RAD


def test_sun_table_over_refuses_a_gap_of_two_steps_and_takes_its_last_knot():
    sec = 7_603_200.0 + np.array([600.0, 3 * 3600.0 + 600.0])  # cells 0 and 3: knots 0,1,3,4 h
    whole, fraction = ref.split_jd(sec)
    table = se.SunTable.over(whole, fraction)
    assert np.allclose(np.diff(table.knots) * ref.DAY_S, [3600.0, 7200.0, 3600.0])
    between = ref.split_jd(np.array([7_603_200.0 + 2.5 * 3600.0]))
    with pytest.raises(ValueError, match="between the Sun table's knots"):
        table.teme(*between)
    # exactly on the last knot: inside the table, the Sun of that instant
    last = np.array([table.whole0]), np.array([table.knots[-1]])
    got = table.teme(*last)[0]
    want = ref.teme_sun_km(np.array([7_603_200.0 + 4 * 3600.0]))[0]
    assert _angle_rad(got, want) < SUN_DIRECTION_RAD


# ------------------------------------------------------------------------------------------
# the parallel path


def test_a_state_no_orbit_has_in_the_second_process_is_refused(monkeypatch):
    # 2024 instants (good states) in the first half, 1950 ones (SGP4 returns about 1e13 km with
    # error code 0 there: test_parallel) in the second: only the second process sees them
    monkeypatch.setattr(se, "PROPAGATE_CHUNK", 4)
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=3e4)
    good = TimeGrid.span("2024-03-29T00:00Z", "2024-03-29T00:07Z", 60.0)
    bad = TimeGrid.span("1950-01-01T00:00Z", "1950-01-01T00:07Z", 60.0)
    grid = TimeGrid(
        np.concatenate([good.whole, bad.whole]), np.concatenate([good.fraction, bad.fraction])
    )
    with pytest.raises(TimeSpanError) as rule:
        cat.teme(grid.whole, grid.fraction)
    assert "a state no orbit has" in str(rule.value)
    with pytest.raises(TimeSpanError) as got:
        sim.propagate(cat, grid, sunlight=False, workers=2)
    assert str(got.value) == str(rule.value)


def test_an_instant_before_de421_is_refused_with_a_limit_that_reaches_it():
    # a limit of 1e5 days reaches back past 1899-07-29 from the 2024 sets: DE421's start decides
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=1e5)
    times = ["1899-07-01T00:00:00Z", "2024-03-29T00:00:00Z"]
    with pytest.raises(TimeSpanError) as rule:
        grid = TimeGrid.from_datetimes(times)
        cat.check_span(grid.whole, grid.fraction)
    with pytest.raises(TimeSpanError) as got:
        sim.propagate(cat, times, sunlight=False)
    assert str(got.value).startswith("1899-07-01T00:00:00Z to 2024-03-29T00:00:00Z lies outside")
    assert str(got.value) == str(rule.value)


def test_a_track_too_large_for_memory_is_refused_before_any_work(monkeypatch):
    from sim.elements import trust

    monkeypatch.setattr(trust, "available_memory_bytes", lambda: 10**9)
    cat = sim.load_catalogue(BUNDLED_TLE)
    samples = 86_400 * 100 + 2  # a day every 0.01 s, as TimeGrid.span counts (the end too)
    with pytest.raises(TimeSpanError) as got:
        # 2030 is also past the trust limit: that refusal must not be the one reached
        sim.propagate(
            cat, start="2030-01-01T00:00Z", end="2030-01-02T00:00Z", step_s=0.01, max_samples=10**7
        )
    need_gb = samples * trust.BYTES_PER_SAMPLE / 1e9
    assert str(got.value) == (
        f"track: {samples:,} samples need about {need_gb:.1f} GB of memory, more than the 1.0 GB "
        "available; use a larger step or a shorter span"
    )


def test_a_state_no_orbit_has_next_to_a_chunk_where_sgp4_fails_is_refused(monkeypatch):
    # two chunks of 3 and 2: three 1950 instants (SGP4 returns about 1e13 km with error code 0
    # there, test_parallel), then one in 2050 (SGP4 fails: error 1) and one in 2024 (good); the
    # rule refuses the 1950 states whatever the other chunk holds
    monkeypatch.setattr(se, "PROPAGATE_CHUNK", 4)
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=36000.0)
    times = [f"1950-01-01T00:0{k}:00Z" for k in range(3)]
    grid = TimeGrid.from_datetimes([*times, "2050-01-01T00:00:00Z", "2024-03-29T00:00:00Z"])
    with pytest.raises(TimeSpanError) as rule:
        cat.teme(grid.whole, grid.fraction)
    assert "a state no orbit has" in str(rule.value)
    with pytest.raises(TimeSpanError) as got:
        sim.propagate(cat, grid, sunlight=False, workers=1)
    assert str(got.value) == str(rule.value)


def test_sun_table_over_a_grid_that_runs_backwards():
    # the first instant is the latest: the table must still reach 10 days back, hourly
    sec = 7_603_200.0 + np.array([0.0, -10.0 * ref.DAY_S])
    whole, fraction = ref.split_jd(sec)
    table = se.SunTable.covering(whole, fraction)
    assert np.diff(table.knots).max() < 1.01 * 3600.0 / ref.DAY_S
    probe = np.array([7_603_200.0 - 2.3 * ref.DAY_S])
    got = table.teme(*ref.split_jd(probe))[0]
    assert _angle_rad(got, ref.teme_sun_km(probe)[0]) < SUN_DIRECTION_RAD


def test_gmst_over_ten_years_keeps_its_anchors():
    # one anchor's linear rate drifts by 7e-8 rad over ten years: the 30-day anchors must be used
    days = np.array([0.0, 365.25 * 3, 365.25 * 10 + 0.4])
    whole = 2460400.0 + np.floor(days)
    fraction = days - np.floor(days) + 0.3
    theta, rate = se.gmst_rad(whole, fraction, dut1_s=0.0)
    want, want_rate = theta_GMST1982(whole, fraction)
    diff = (theta - want + np.pi) % (2 * np.pi) - np.pi
    assert np.max(np.abs(diff)) < 1e-8  # GMST_TOLERANCE_RAD of test_units_ephemeris
    assert np.allclose(rate, want_rate, rtol=1e-9, atol=0)
