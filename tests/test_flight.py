"""The modelled Soyuz legs (sim.flight) against physics and the mission's published facts.

References are independent of the code under test where possible: energy and the J2 secular
rates from textbook formulas (Vallado 9-41, 9-42), SGP4 for the ISS, skyfield-free WGS84
geodetic positions from sim.ephemeris, the published docking time, orbit count and landing site,
and a re-flight of the reported burns with the vectorised (numpy) force model.
"""

import json
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares

from sim.ephemeris import geodetic, gmst_rad, teme_to_itrs
from sim.flight import FlightParams, fly_first_attempt
from sim.flight import propagator as P
from sim.times import DAY_S, datetime_to_jd, parse_utc

ONE_METRE_KM = 1e-3
HUNDRED_METRES_KM = 0.1
TENTH_M_S_KM_S = 1e-4
PAD = (45.9961, 63.5639)
LANDING = (47.42, 69.65)


def _jd(text):
    return datetime_to_jd(parse_utc(text))


def _circular_state(alt_km, inc_deg, ecc=0.0):
    a = P.RE_KM + alt_km
    rp = a * (1 - ecc)
    v = math.sqrt(P.MU_KM3_S2 * (1 + ecc) / rp)
    i = math.radians(inc_deg)
    return np.array([rp, 0.0, 0.0, 0.0, v * math.cos(i), v * math.sin(i)])


def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------------
# propagator


@pytest.mark.parametrize("force", [P.TWO_BODY, P.GRAVITY_ONLY], ids=["two-body", "J2-J4"])
def test_energy_is_conserved_over_two_days_without_drag(force):
    s0 = _circular_state(400.0, 51.64, ecc=0.001)
    sol = P.integrate(s0, 0.0, 2 * DAY_S, force)
    e = P.specific_energy_km2_s2(sol.y[:3].T, sol.y[3:].T, force)
    assert np.max(np.abs(e / e[0] - 1.0)) < 1e-9
    # the J2 potential term matters: two-body energy alone is not conserved under J2
    if force is P.GRAVITY_ONLY:
        e2 = P.specific_energy_km2_s2(sol.y[:3].T, sol.y[3:].T, P.TWO_BODY)
        assert np.max(np.abs(e2 / e2[0] - 1.0)) > 1e-6


def test_acceleration_is_the_gradient_of_the_potential_and_both_forms_agree():
    rng = np.random.default_rng(1)
    r = rng.normal(size=(5, 3))
    r = r / np.linalg.norm(r, axis=1)[:, None] * 6800.0
    v = rng.normal(size=(5, 3)) * 4.0
    force = P.GRAVITY_ONLY
    a = P.acceleration(r, v, force)
    h = 1e-3
    for k in range(3):
        d = np.zeros(3)
        d[k] = h
        grad = (P.potential_km2_s2(r + d, force) - P.potential_km2_s2(r - d, force)) / (2 * h)
        np.testing.assert_allclose(a[:, k], -grad, atol=1e-11)  # J3 terms are ~1e-8 km/s^2
    # the scalar right-hand side used for integration equals the vectorised form, drag and
    # lift included
    full = P.ForceModel(ballistic_m2_kg=0.01, lift_up_to_drag=0.2, lift_side_to_drag=-0.1)
    low = r * (6378.135 + 80.0) / 6800.0
    rhs = P._rhs_factory(full, 5)
    got = rhs(0.0, np.concatenate([low, v], axis=1).reshape(-1)).reshape(5, 6)[:, 3:]
    np.testing.assert_allclose(got, P.acceleration(low, v, full), rtol=1e-12, atol=1e-18)


def test_nodal_regression_and_apsidal_rotation_match_the_j2_secular_rates():
    force = P.ForceModel(j3=False, j4=False, drag=False)
    s0 = _circular_state(800.0, 51.64, ecc=0.05)
    days = 5.0
    t = np.linspace(0.0, days * DAY_S, 4001)
    sol = solve_ivp(
        P._rhs_factory(force, 1), (0, t[-1]), s0, "DOP853", t_eval=t, rtol=1e-11, atol=1e-9
    )
    a, e, inc, raan, argp, _u = P.orbital_elements(sol.y[:3].T, sol.y[3:].T)
    a_m, e_m, i_m = a.mean(), e.mean(), inc.mean()
    n = math.sqrt(P.MU_KM3_S2 / a_m**3)
    k = n * P.J2 * (P.RE_KM / (a_m * (1 - e_m**2))) ** 2
    raan_rate = -1.5 * k * math.cos(i_m)
    argp_rate = 0.75 * k * (5 * math.cos(i_m) ** 2 - 1)
    fit_raan = np.polyfit(t, np.unwrap(raan), 1)[0]
    fit_argp = np.polyfit(t, np.unwrap(argp), 1)[0]
    assert fit_raan == pytest.approx(raan_rate, rel=0.01)
    assert fit_argp == pytest.approx(argp_rate, rel=0.01)


def test_iss_propagated_numerically_stays_within_a_few_km_of_sgp4(catalogue):
    """From the first bundled set's state at its epoch, two days, drag fitted (one number)."""
    es = catalogue.sets[0]
    w, f = es.epoch_jd, es.epoch_fraction
    t = np.arange(0.0, 2 * DAY_S + 1, 600.0)
    r, v, err = catalogue.teme(np.full(t.size, w), f + t / DAY_S, np.zeros(t.size, int))
    assert not err.any()
    s0 = np.concatenate([r[0], v[0]])

    def fly(ballistic):
        force = P.ForceModel(ballistic_m2_kg=float(ballistic))
        sol = solve_ivp(
            P._rhs_factory(force, 1),
            (0, t[-1]),
            s0,
            "DOP853",
            t_eval=t,
            rtol=1e-10,
            atol=1e-9,
        )
        return sol.y[:3].T

    # B* converted: C_D A / m (m^2/kg) = 12.741621 B* (1/earth radii), Vallado section 9.7.2
    converted = 12.741621 * es.satrec.bstar
    err_converted = np.max(np.linalg.norm(fly(converted) - r, axis=1))
    fit = least_squares(
        lambda b: np.linalg.norm(fly(b[0]) - r, axis=1),
        [converted],
        x_scale=[1e-3],
        bounds=([0.0], [0.1]),
    )
    err_fitted = np.max(np.linalg.norm(fly(fit.x[0]) - r, axis=1))
    print(
        f"ISS 2 days numerical vs SGP4: B* converted ({converted:.4g} m^2/kg) "
        f"{err_converted:.2f} km; drag fitted ({fit.x[0]:.4g} m^2/kg) {err_fitted:.2f} km"
    )
    assert err_fitted < 3.0
    assert err_fitted <= err_converted


# --------------------------------------------------------------------------------------------
# the modelled flight


@pytest.fixture(scope="module")
def flight(catalogue):
    """``fly_soyuz_ms25(catalogue)`` through the replay's once-per-process memo, so a worker that
    also replays the default scenario (same element sets) solves the chase once."""
    from sim.replay import fly

    return fly("soyuz-ms25", catalogue)


def _iss_at(catalogue, text):
    w, f = _jd(text)
    r, v, err = catalogue.teme(np.array([w]), np.array([f]))
    assert not err.any()
    return r[0], v[0]


def test_chase_meets_the_iss_at_the_published_docking_time(flight, catalogue):
    chase = flight.leg("Soyuz MS-25 free flight")
    assert chase.times.iso(0)[-1] == "2024-03-25T15:02:51Z"
    r_iss, v_iss = _iss_at(catalogue, "2024-03-25T15:02:51Z")
    assert np.linalg.norm(chase.r_teme_km[-1] - r_iss) < HUNDRED_METRES_KM
    assert np.linalg.norm(chase.v_teme_km_s[-1] - v_iss) < TENTH_M_S_KM_S


def test_the_reported_burns_flown_again_with_the_numpy_forces_meet_the_iss(flight, catalogue):
    """Not the code's echo: the burns as reported (MET, RTN) are flown by an independent loop
    with the vectorised force model and scipy directly."""
    p = flight.params
    asc = flight.leg("Soyuz MS-25 ascent")
    chase = flight.leg("Soyuz MS-25 free flight")
    force = P.ForceModel(ballistic_m2_kg=p.soyuz_ballistic_m2_kg)

    def rhs(_t, y):
        return np.concatenate([y[3:], P.acceleration(y[None, :3], y[None, 3:], force)[0]])

    state = np.concatenate([asc.r_teme_km[-1], asc.v_teme_km_s[-1]])
    t = p.insertion_s
    launch = _jd(p.launch_utc)
    dock_met = ((_jd(p.docking_utc)[0] - launch[0]) + (_jd(p.docking_utc)[1] - launch[1])) * DAY_S
    for b in [*chase.burns, None]:
        t_next = dock_met if b is None else b.met_s
        sol = solve_ivp(rhs, (t, t_next), state, "DOP853", rtol=1e-10, atol=1e-9)
        state = sol.y[:, -1]
        t = t_next
        if b is not None:
            rhat = state[:3] / np.linalg.norm(state[:3])
            nhat = np.cross(state[:3], state[3:])
            nhat /= np.linalg.norm(nhat)
            that = np.cross(nhat, rhat)
            state[3:] += (np.array([rhat, that, nhat]).T @ np.array(b.dv_rtn_m_s)) * 1e-3
    r_iss, v_iss = _iss_at(catalogue, p.docking_utc)
    assert np.linalg.norm(state[:3] - r_iss) < HUNDRED_METRES_KM
    assert np.linalg.norm(state[3:] - v_iss) < TENTH_M_S_KM_S


def test_chase_stays_above_180_km_and_docks_on_orbit_34(flight):
    chase = flight.leg("Soyuz MS-25 free flight")
    _lat, _lon, alt = chase.geodetic()
    assert alt.min() > 180.0
    # published: the two-day profile is 34 orbits
    assert chase.facts["orbit_at_docking"] == 34
    burns = {b.name: b for b in chase.burns}
    assert burns["DV1"].orbit in (3, 4) and burns["DV2"].orbit in (3, 4)
    assert [b.orbit for b in chase.burns] == sorted(b.orbit for b in chase.burns)
    # a two-day profile raises a ~220 km orbit to the ISS's ~415 km: a Hohmann-like minimum of
    # ~110 m/s in the plane; the plane correction (DV3) adds its share
    in_plane = sum(math.hypot(b.dv_rtn_m_s[0], b.dv_rtn_m_s[1]) for b in chase.burns)
    assert 100.0 < in_plane < 150.0


def test_burn_times_and_met_agree_with_the_launch(flight):
    launch = _jd(flight.params.launch_utc)
    for b in flight.leg("Soyuz MS-25 free flight").burns:
        w, f = _jd(b.utc)
        assert ((w - launch[0]) + (f - launch[1])) * DAY_S == pytest.approx(b.met_s, abs=1e-3)
        assert b.dv_m_s == pytest.approx(np.linalg.norm(b.dv_rtn_m_s))


def test_ascent_starts_at_the_pad_and_inserts_into_the_iss_plane(flight, catalogue):
    asc = flight.leg("Soyuz MS-25 ascent")
    lat, lon, alt = asc.geodetic()
    assert lat[0] == pytest.approx(PAD[0], abs=0.01)
    assert lon[0] == pytest.approx(PAD[1], abs=0.01)
    assert abs(alt[0]) < 0.5
    assert asc.times.iso()[-1] == "2024-03-23T12:44:59.573Z"  # T+529 s
    r, v = asc.r_teme_km[-1], asc.v_teme_km_s[-1]
    per, apo = P.perigee_apogee_km(r, v)
    assert 195 < per[0] < 205 and 235 < apo[0] < 245  # typical 200 x 240 km
    h = np.cross(r, v)
    inc = math.degrees(math.acos(h[2] / np.linalg.norm(h)))
    assert 51.55 < inc < 51.75  # the ISS's 51.64 (osculating values vary by a few 0.01 deg)
    r_i, v_i = _iss_at(catalogue, flight.params.launch_utc)
    h_i = np.cross(r_i, v_i)
    angle = math.degrees(math.acos(h @ h_i / np.linalg.norm(h) / np.linalg.norm(h_i)))
    assert angle < 0.01  # in the ISS plane at lift-off
    downrange = _haversine_km(lat[0], lon[0], lat[-1], lon[-1])
    assert 1000 < downrange < 2000  # the ground rotates under the track: ~14 deg, assumption
    assert np.all(np.diff(alt) > -1e-6)  # climbs all the way


def test_landing_fitted_within_10_km_and_a_minute_of_the_published_one(flight):
    ret = flight.leg("Soyuz MS-24 return")
    lat, lon, alt = ret.geodetic()
    assert alt[-1] == pytest.approx(flight.params.ground_alt_km, abs=0.05)
    assert _haversine_km(lat[-1], lon[-1], *LANDING) < 10.0
    w, f = _jd("2024-04-06T07:17:00Z")
    late_s = ((ret.times.whole[-1] - w) + (ret.times.fraction[-1] - f)) * DAY_S
    assert abs(late_s) < 60.0
    assert ret.times.iso(0)[0] == "2024-04-06T03:54:58Z"
    assert any("FITTED" in a for a in ret.assumptions)
    # the de-orbit burn stays near the typical 128 m/s, retrograde
    deorbit = ret.burns[1]
    assert 110 < deorbit.dv_m_s < 145 and deorbit.dv_rtn_m_s[1] < -0.99 * deorbit.dv_m_s


def test_unfitted_landing_miss_is_computed_and_reported(flight):
    ret = flight.leg("Soyuz MS-24 return")
    un = ret.facts["unfitted_landing"]
    miss = _haversine_km(un["lat_deg"], un["lon_deg"], *LANDING)
    print(f"unfitted landing: {miss:.1f} km, {un['late_s']:+.0f} s from the published landing")
    assert un["miss_km"] == pytest.approx(miss, rel=1e-3)
    assert miss > 1.0  # the defaults are not secretly the fitted values
    assert any(f"{un['miss_km']:.1f} km" in a for a in ret.assumptions)


def test_every_leg_is_labelled_a_model_and_serialises(flight):
    d = json.loads(json.dumps(flight.to_dict()))
    assert d["source"] == "model"
    assert [leg["slug"] for leg in d["legs"]] == ["soyuz-ms-25", "soyuz-ms-25", "soyuz-ms-24"]
    for leg in d["legs"]:
        assert leg["source"] == "model"
        assert any("MODEL" in a for a in leg["assumptions"])
    kinds = {p["kind"] for p in d["parameters"]}
    assert kinds == {"published", "typical", "assumption"}
    for leg in flight.legs:  # regular grid: 10 s steps apart from burns and ends
        steps = np.diff(leg.times.seconds_since(leg.times.whole[0], leg.times.fraction[0]))
        assert steps.max() <= FlightParams().step_s + 1e-6


def test_first_attempt_two_orbit_profile_meets_the_iss(catalogue):
    fl = fly_first_attempt(catalogue)
    chase = fl.legs[1]
    assert chase.times.iso(0)[-1] == "2024-03-21T16:39:42Z"
    r_iss, v_iss = _iss_at(catalogue, "2024-03-21T16:39:42Z")
    assert np.linalg.norm(chase.r_teme_km[-1] - r_iss) < HUNDRED_METRES_KM
    assert np.linalg.norm(chase.v_teme_km_s[-1] - v_iss) < TENTH_M_S_KM_S
    assert chase.facts["orbit_at_docking"] <= 4  # a two-orbit profile
    assert any("WHAT-IF" in a for a in chase.assumptions)
    theta, dtheta = gmst_rad(chase.times.whole, chase.times.fraction)
    _lat, _lon, alt = geodetic(teme_to_itrs(chase.r_teme_km, None, theta, dtheta)[0])
    assert alt.min() > 180.0
