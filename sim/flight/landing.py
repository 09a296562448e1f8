"""The ride home: undocking, separation, de-orbit burn, entry with drag and lift, parachute, ground.

Sequence (times UTC, all seconds counted from the undocking instant):

1. undocking from the ISS state given by the element sets, and at once a small separation
   impulse (RTN, ``separation_dv_rtn_m_s``: an assumption);
2. free flight of the whole Soyuz (``soyuz_ballistic_m2_kg``) to the de-orbit burn, modelled as an
   impulse along minus the velocity at the middle of the planned burn (start + half the duration);
3. after the burn, the descent module alone: drag with ``capsule_ballistic_m2_kg`` and lift as
   two constant ratios to the drag, ``lift_up_to_drag`` (in the vertical plane) and
   ``lift_side_to_drag`` (sideways): the mean effect of the Soyuz's bank-modulated lift (its trim
   L/D is about 0.25-0.3; the bank angle is steered, here held at its fitted mean). The module
   separation about 25 min after the burn happens above 140 km, where drag on either body changes
   nothing measurable;
4. under the parachute from ``parachute_alt_km`` down: drag with ``parachute_ballistic_m2_kg``,
   no lift, no wind; the flight ends at ``ground_alt_km`` (a terminal event).

The landing point is the geodetic position (WGS84, TEME -> ITRS by GMST of UT1) at touchdown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..ephemeris import geodetic, gmst_rad, teme_to_itrs
from ..times import DAY_S
from .propagator import Arc, ForceModel, altitude_km, apply_impulse, integrate, sample

EARTH_MEAN_RADIUS_KM = 6371.0088


def _alt_event(threshold_km):
    def event(_t, y):
        return float(altitude_km(np.asarray(y[:3]))) - threshold_km

    event.terminal = True
    event.direction = -1
    return event


def ground_distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (km) on the mean-radius sphere (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class ReturnSettings:
    """Everything the return leg needs; times in seconds after undocking."""

    burn_mid_s: float
    separation_dv_rtn_m_s: tuple
    deorbit_dv_m_s: float
    soyuz_ballistic_m2_kg: float
    capsule_ballistic_m2_kg: float
    lift_up_to_drag: float
    lift_side_to_drag: float
    parachute_alt_km: float
    parachute_ballistic_m2_kg: float
    ground_alt_km: float
    density_scale: float = 1.0


@dataclass
class Touchdown:
    t_s: float
    lat_deg: float
    lon_deg: float
    arc: Arc = field(repr=False)


def fly_return(
    undock_state, epoch_whole: float, epoch_fraction: float, st: ReturnSettings, *, step_s=10.0
) -> Touchdown:
    """Fly the whole return and sample it every ``step_s``; touchdown place and time."""
    sep = apply_impulse(np.asarray(undock_state, dtype=float), st.separation_dv_rtn_m_s)
    orbit_force = ForceModel(
        ballistic_m2_kg=st.soyuz_ballistic_m2_kg, density_scale=st.density_scale
    )
    pieces = [
        sample(
            sep, 0.0, st.burn_mid_s, orbit_force, epoch=(epoch_whole, epoch_fraction), step_s=step_s
        )
    ]
    state = pieces[-1].state_end
    # retrograde: minus the inertial velocity, which is the -T direction of RTN for a circular
    # orbit; taken exactly along -v here
    v = state[3:]
    state = state.copy()
    state[3:] = v - v / np.linalg.norm(v) * st.deorbit_dv_m_s * 1e-3
    entry_force = orbit_force.with_(
        ballistic_m2_kg=st.capsule_ballistic_m2_kg,
        lift_up_to_drag=st.lift_up_to_drag,
        lift_side_to_drag=st.lift_side_to_drag,
    )
    far = st.burn_mid_s + 3 * 3600.0
    arc = sample(
        state,
        st.burn_mid_s,
        far,
        entry_force,
        epoch=(epoch_whole, epoch_fraction),
        step_s=step_s,
        events=[_alt_event(st.parachute_alt_km)],
        grid_origin_s=0.0,
        rtol=ENTRY_RTOL,
    )
    if arc.end_reason != "terminal event":
        raise RuntimeError("the descent module did not come down within three hours")
    pieces.append(arc)
    chute_force = entry_force.with_(
        ballistic_m2_kg=st.parachute_ballistic_m2_kg, lift_up_to_drag=0.0, lift_side_to_drag=0.0
    )
    arc = sample(
        arc.state_end,
        float(arc.t_s[-1]),
        far,
        chute_force,
        epoch=(epoch_whole, epoch_fraction),
        step_s=step_s,
        events=[_alt_event(st.ground_alt_km)],
        grid_origin_s=0.0,
        rtol=ENTRY_RTOL,
    )
    pieces.append(arc)
    t = np.concatenate([p.t_s for p in pieces])
    r = np.concatenate([p.r_teme_km for p in pieces])
    vv = np.concatenate([p.v_teme_km_s for p in pieces])
    whole = np.full(1, epoch_whole)
    frac = np.array([epoch_fraction + t[-1] / DAY_S])
    theta, theta_dot = gmst_rad(whole, frac)
    r_itrs, _ = teme_to_itrs(r[-1:], None, theta, theta_dot)
    lat, lon, _alt = geodetic(r_itrs)
    full = Arc(epoch_whole, epoch_fraction, t, r, vv, "touchdown")
    full.extras["deorbit_state_index"] = int(pieces[0].t_s.size)
    return Touchdown(float(t[-1]), float(lat[0]), float(lon[0]), full)


def landing_miss(td: Touchdown, target_lat, target_lon, target_s):
    """(north km, east km, late s) of a touchdown from the target."""
    north = math.radians(td.lat_deg - target_lat) * EARTH_MEAN_RADIUS_KM
    east = (
        math.radians(((td.lon_deg - target_lon + 180) % 360) - 180)
        * EARTH_MEAN_RADIUS_KM
        * math.cos(math.radians(target_lat))
    )
    return north, east, td.t_s - target_s


#: the fitted parameters, in this order
FITTED = (
    "deorbit_dv_m_s",
    "lift_up_to_drag",
    "lift_side_to_drag",
    "parachute_ballistic_m2_kg",
)
#: their scales: the step of each that matters about as much as the others'
FIT_SCALES = np.array([1.0, 0.02, 0.02, 0.02])
#: relative tolerance of the descent integration: entry physics (the atmosphere, the lift) is
#: uncertain by far more than 1e-8, and the fit flies the descent dozens of times
ENTRY_RTOL = 1e-8


def fit_return(
    undock_state,
    epoch_whole,
    epoch_fraction,
    st: ReturnSettings,
    target_lat,
    target_lon,
    target_s,
    *,
    seconds_per_km: float = 6.0,
    prior_weight: float = 0.01,
):
    """Fit the de-orbit Δv, the lift-to-drag ratio and the ballistic coefficient under the
    parachute to the published landing place and time (least squares; ``seconds_per_km``
    weighs a second of time against a kilometre of distance). Coasts to the burn only once."""
    from dataclasses import replace

    sep = apply_impulse(np.asarray(undock_state, dtype=float), st.separation_dv_rtn_m_s)
    force = ForceModel(ballistic_m2_kg=st.soyuz_ballistic_m2_kg, density_scale=st.density_scale)
    burn_state = integrate(sep, 0.0, st.burn_mid_s, force).y[:, -1]

    def run(x):
        trial = replace(st, **dict(zip(FITTED, x, strict=True)))
        return _descend(burn_state, epoch_whole, epoch_fraction, trial)

    x0 = np.array([getattr(st, name) for name in FITTED])

    def residual(x):
        n, e, dt = landing_miss(run(x), target_lat, target_lon, target_s)
        # four parameters for three targets: a weak pull towards the defaults picks one solution
        prior = prior_weight * (x - x0) / FIT_SCALES
        return np.concatenate([[n, e, dt / seconds_per_km], prior])

    # imported here: importing sim.flight (to unpickle a flight) needs no scipy
    from scipy.optimize import least_squares

    sol = least_squares(
        residual,
        x0,
        x_scale=FIT_SCALES,
        bounds=([80.0, -0.3, -0.3, 0.05], [200.0, 0.3, 0.3, 2.0]),
        diff_step=1e-5,
        xtol=1e-10,
        max_nfev=60,
    )
    return replace(st, **dict(zip(FITTED, (float(v) for v in sol.x), strict=True))), sol


def _descend(burn_state, epoch_whole, epoch_fraction, st: ReturnSettings):
    """Touchdown only (no samples) from the state just before the de-orbit burn."""
    state = np.array(burn_state, dtype=float)
    v = state[3:]
    state[3:] = v - v / np.linalg.norm(v) * st.deorbit_dv_m_s * 1e-3
    force = ForceModel(
        ballistic_m2_kg=st.capsule_ballistic_m2_kg,
        lift_up_to_drag=st.lift_up_to_drag,
        lift_side_to_drag=st.lift_side_to_drag,
        density_scale=st.density_scale,
    )
    far = st.burn_mid_s + 3 * 3600.0
    sol = integrate(
        state, st.burn_mid_s, far, force, events=[_alt_event(st.parachute_alt_km)], rtol=ENTRY_RTOL
    )
    if sol.status != 1:
        raise RuntimeError("the descent module did not come down within three hours")
    chute = force.with_(
        ballistic_m2_kg=st.parachute_ballistic_m2_kg, lift_up_to_drag=0.0, lift_side_to_drag=0.0
    )
    sol = integrate(
        sol.y[:, -1], sol.t[-1], far, chute, events=[_alt_event(st.ground_alt_km)], rtol=ENTRY_RTOL
    )
    t = float(sol.t[-1])
    r = sol.y[:3, -1][None, :]
    whole = np.full(1, epoch_whole)
    frac = np.array([epoch_fraction + t / DAY_S])
    theta, theta_dot = gmst_rad(whole, frac)
    r_itrs, _ = teme_to_itrs(r, None, theta, theta_dot)
    lat, lon, _alt = geodetic(r_itrs)
    return Touchdown(t, float(lat[0]), float(lon[0]), None)
