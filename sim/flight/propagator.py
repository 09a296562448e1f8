"""Cowell propagation of a spacecraft without element sets: gravity, drag, impulsive burns.

Forces: two-body, the zonal harmonics J2, J3 and J4 (each switchable) and drag in a
piecewise-exponential atmosphere (Vallado, *Fundamentals of Astrodynamics*, 4th ed., table 8-4,
from CIRA-72) that co-rotates with the Earth. An optional lift force (a ratio of the drag, in the
plane of the air-relative velocity and the local vertical, turned by a bank angle) serves the entry.

The frame is TEME, treated as inertial over a flight: TEME's pole moves with precession and
nutation by about 0.05 arcsecond a day, some 1.5 m at the ISS's radius over two weeks, far below
the model's other approximations. Gravity constants are WGS72, the ones SGP4 uses, so that a
modelled Soyuz and the SGP4 ISS move in the same field.

Integration is scipy's ``solve_ivp`` (DOP853, relative tolerance 1e-10 by default), in pieces
between impulsive burns. Several trajectories can be integrated at once as one stacked system
(the solvers use this for finite-difference Jacobians: one integration instead of n + 1).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from ..times import DAY_S, TimeGrid

#: WGS72, as in SGP4 (Vallado et al. 2006, "Revisiting Spacetrack Report #3")
MU_KM3_S2 = 398600.8
RE_KM = 6378.135
J2 = 0.001082616
J3 = -0.00000253881
J4 = -0.00000165597
FLATTENING = 1.0 / 298.26
EARTH_ROTATION_RAD_S = 7.292115146706979e-5
G0_M_S2 = 9.80665

# Vallado table 8-4: base altitude (km), density there (kg/m^3), scale height (km)
_ATMOSPHERE = np.array(
    [
        (0.0, 1.225, 7.249),
        (25.0, 3.899e-2, 6.349),
        (30.0, 1.774e-2, 6.682),
        (40.0, 3.972e-3, 7.554),
        (50.0, 1.057e-3, 8.382),
        (60.0, 3.206e-4, 7.714),
        (70.0, 8.770e-5, 6.549),
        (80.0, 1.905e-5, 5.799),
        (90.0, 3.396e-6, 5.382),
        (100.0, 5.297e-7, 5.877),
        (110.0, 9.661e-8, 7.263),
        (120.0, 2.438e-8, 9.473),
        (130.0, 8.484e-9, 12.636),
        (140.0, 3.845e-9, 16.149),
        (150.0, 2.070e-9, 22.523),
        (180.0, 5.464e-10, 29.740),
        (200.0, 2.789e-10, 37.105),
        (250.0, 7.248e-11, 45.546),
        (300.0, 2.418e-11, 53.628),
        (350.0, 9.518e-12, 53.298),
        (400.0, 3.725e-12, 58.515),
        (450.0, 1.585e-12, 60.828),
        (500.0, 6.967e-13, 63.822),
        (600.0, 1.454e-13, 71.835),
        (700.0, 3.614e-14, 88.667),
        (800.0, 1.170e-14, 124.64),
        (900.0, 5.245e-15, 181.05),
        (1000.0, 3.019e-15, 268.00),
    ]
)


def density_kg_m3(alt_km, scale: float = 1.0):
    """Air density (kg/m^3) of the piecewise-exponential atmosphere at altitudes (km).

    ``scale`` multiplies the whole table (the solar cycle moves thermospheric density by a factor
    of several; 2024 was near solar maximum). Below 0 km the sea-level layer is extended.
    """
    alt = np.asarray(alt_km, dtype=float)
    k = np.clip(np.searchsorted(_ATMOSPHERE[:, 0], alt, side="right") - 1, 0, None)
    h0, rho0, big_h = _ATMOSPHERE[k, 0], _ATMOSPHERE[k, 1], _ATMOSPHERE[k, 2]
    return scale * rho0 * np.exp(-(alt - h0) / big_h)


def altitude_km(r_km):
    """Height (km) above the reference ellipsoid, first order in the flattening.

    Within some 20 m of the exact geodetic height below 1000 km: cheap enough for every call of
    the force model. Shape (..., 3) -> (...).
    """
    r = np.linalg.norm(r_km, axis=-1)
    sin2 = (r_km[..., 2] / r) ** 2
    return r - RE_KM * (1.0 - FLATTENING * sin2)


@dataclass(frozen=True)
class ForceModel:
    """What acts on the spacecraft. Fields with units in their names; defaults say what is on.

    ``ballistic_m2_kg`` is C_D * A / m (m^2/kg); drag acceleration is
    ``-0.5 * ballistic * rho * |v_rel| * v_rel`` with ``v_rel`` relative to the co-rotating air.
    Lift, perpendicular to ``v_rel``, is given by two ratios to the drag: ``lift_up_to_drag``
    towards the local vertical and ``lift_side_to_drag`` to the right of the motion (a lift
    ratio L/D flown at bank angle sigma gives L/D cos sigma up and L/D sin sigma to the side).
    """

    j2: bool = True
    j3: bool = True
    j4: bool = True
    drag: bool = True
    ballistic_m2_kg: float = 3.0e-3
    density_scale: float = 1.0
    lift_up_to_drag: float = 0.0
    lift_side_to_drag: float = 0.0

    def with_(self, **changes) -> ForceModel:
        from dataclasses import replace

        return replace(self, **changes)


TWO_BODY = ForceModel(j2=False, j3=False, j4=False, drag=False)
GRAVITY_ONLY = ForceModel(drag=False)


def acceleration(r, v, force: ForceModel):
    """Acceleration (km/s^2) at positions ``r`` and velocities ``v`` (km, km/s), shape (k, 3)."""
    x, y, z = r[:, 0], r[:, 1], r[:, 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    a = -(MU_KM3_S2 / (r2 * rn))[:, None] * r
    if force.j2 or force.j3 or force.j4:
        s = z / rn  # sin of geocentric latitude
        s2 = s * s
        q = RE_KM / rn
        mu_r2 = MU_KM3_S2 / r2
        # Each zonal term written as a_xy = f * (x, y)/r and a_z = g, from the gradient of
        # U_n = -mu/r * J_n * (R/r)^n * P_n(s) (Vallado eq. 8-30 and its J3, J4 analogues).
        fxy = np.zeros_like(rn)
        fz = np.zeros_like(rn)
        if force.j2:
            c = 1.5 * J2 * q * q * mu_r2
            fxy += -c * (1.0 - 5.0 * s2)
            fz += -c * (3.0 - 5.0 * s2) * s
        if force.j3:
            c = 0.5 * J3 * q**3 * mu_r2
            fxy += -c * 5.0 * s * (3.0 - 7.0 * s2)
            fz += -c * (3.0 * (10.0 * s2 - 35.0 / 3.0 * s2 * s2 - 1.0))
        if force.j4:
            c = -0.625 * J4 * q**4 * mu_r2
            fxy += -c * (3.0 - 42.0 * s2 + 63.0 * s2 * s2)
            fz += -c * (15.0 - 70.0 * s2 + 63.0 * s2 * s2) * s
        a[:, 0] += fxy * x / rn
        a[:, 1] += fxy * y / rn
        a[:, 2] += fz
    if force.drag:
        v_rel = v.copy()
        v_rel[:, 0] += EARTH_ROTATION_RAD_S * y
        v_rel[:, 1] -= EARTH_ROTATION_RAD_S * x
        speed = np.sqrt(np.einsum("ij,ij->i", v_rel, v_rel))
        rho = density_kg_m3(altitude_km(r), force.density_scale)
        # (1/m) * (km/s)^2 = 1e3 km/s^2
        k = 0.5e3 * force.ballistic_m2_kg * rho * speed
        a -= k[:, None] * v_rel
        if force.lift_up_to_drag or force.lift_side_to_drag:
            up = r / rn[:, None]
            up_perp = up - (np.einsum("ij,ij->i", up, v_rel) / speed**2)[:, None] * v_rel
            up_perp /= np.linalg.norm(up_perp, axis=1)[:, None]
            right = np.cross(v_rel / speed[:, None], up_perp)
            lift = force.lift_up_to_drag * up_perp + force.lift_side_to_drag * right
            a += (k * speed)[:, None] * lift
    return a


def potential_km2_s2(r, force: ForceModel):
    """Gravity potential energy per unit mass (km^2/s^2) of the zonal field in ``force``."""
    rn = np.linalg.norm(r, axis=-1)
    s = r[..., 2] / rn
    q = RE_KM / rn
    u = 1.0
    if force.j2:
        u = u - J2 * q**2 * 0.5 * (3 * s**2 - 1)
    if force.j3:
        u = u - J3 * q**3 * 0.5 * (5 * s**3 - 3 * s)
    if force.j4:
        u = u - J4 * q**4 * 0.125 * (35 * s**4 - 30 * s**2 + 3)
    return -MU_KM3_S2 / rn * u


def specific_energy_km2_s2(r, v, force: ForceModel):
    """Kinetic plus potential energy per unit mass; conserved without drag."""
    return 0.5 * np.sum(np.asarray(v) ** 2, axis=-1) + potential_km2_s2(np.asarray(r), force)


# --------------------------------------------------------------------------------------------
# frames and elements


def rtn_basis(r, v):
    """Unit vectors radial, transverse (along-track), normal as rows; r, v of shape (3,)."""
    rhat = r / np.linalg.norm(r)
    n = np.cross(r, v)
    nhat = n / np.linalg.norm(n)
    return np.array([rhat, np.cross(nhat, rhat), nhat])


def rtn_to_inertial(r, v, dv_rtn):
    return np.asarray(dv_rtn, dtype=float) @ rtn_basis(r, v)


def inertial_to_rtn(r, v, dv):
    return rtn_basis(r, v) @ np.asarray(dv, dtype=float)


def perigee_apogee_km(r, v):
    """Osculating two-body perigee and apogee heights (km above the equatorial radius)."""
    r = np.atleast_2d(r)
    v = np.atleast_2d(v)
    rn = np.linalg.norm(r, axis=1)
    energy = 0.5 * np.sum(v * v, axis=1) - MU_KM3_S2 / rn
    a = -MU_KM3_S2 / (2.0 * energy)
    h = np.linalg.norm(np.cross(r, v), axis=1)
    e = np.sqrt(np.maximum(0.0, 1.0 - h * h / (MU_KM3_S2 * a)))
    return a * (1 - e) - RE_KM, a * (1 + e) - RE_KM


def orbital_elements(r, v):
    """Osculating a (km), e, i, RAAN, argument of perigee, argument of latitude (rad); (N, 3)."""
    r = np.atleast_2d(r)
    v = np.atleast_2d(v)
    rn = np.linalg.norm(r, axis=1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=1)
    energy = 0.5 * np.sum(v * v, axis=1) - MU_KM3_S2 / rn
    a = -MU_KM3_S2 / (2.0 * energy)
    e_vec = np.cross(v, h) / MU_KM3_S2 - r / rn[:, None]
    e = np.linalg.norm(e_vec, axis=1)
    inc = np.arccos(np.clip(h[:, 2] / hn, -1, 1))
    node = np.stack([-h[:, 1], h[:, 0], np.zeros_like(hn)], axis=1)
    nn = np.linalg.norm(node, axis=1)
    raan = np.arctan2(node[:, 1], node[:, 0]) % (2 * np.pi)
    cos_w = np.einsum("ij,ij->i", node, e_vec) / (nn * e)
    argp = np.arccos(np.clip(cos_w, -1, 1))
    argp = np.where(e_vec[:, 2] < 0, 2 * np.pi - argp, argp)
    cos_u = np.einsum("ij,ij->i", node, r) / (nn * rn)
    u = np.arccos(np.clip(cos_u, -1, 1))
    u = np.where(r[:, 2] < 0, 2 * np.pi - u, u)
    return a, e, inc, raan, argp, u


# --------------------------------------------------------------------------------------------
# integration


@dataclass
class Impulse:
    """An impulsive burn: seconds after the leg's epoch and the velocity change in RTN (m/s)."""

    t_s: float
    dv_rtn_m_s: np.ndarray

    def __post_init__(self):
        self.dv_rtn_m_s = np.asarray(self.dv_rtn_m_s, dtype=float).reshape(3)


_ATM_BASE = [float(x) for x in _ATMOSPHERE[:, 0]]
_ATM_ROWS = [(float(a), float(b), float(c)) for a, b, c in _ATMOSPHERE]


def _rhs_factory(force: ForceModel, count: int):
    """The right-hand side in plain float arithmetic, one copy at a time.

    For the 6 to 42 numbers integrated here, numpy's per-call overhead costs more than the
    arithmetic; this scalar form is about ten times faster. It computes the same forces as
    :func:`acceleration` (a test compares the two).
    """
    mu = MU_KM3_S2
    use_j2, use_j3, use_j4, use_drag = force.j2, force.j3, force.j4, force.drag
    c2 = 1.5 * J2 * RE_KM**2 * mu
    c3 = 0.5 * J3 * RE_KM**3 * mu
    c4 = -0.625 * J4 * RE_KM**4 * mu
    bc = 0.5e3 * force.ballistic_m2_kg * force.density_scale
    cb, sb = force.lift_up_to_drag, force.lift_side_to_drag
    lifting = bool(cb or sb)
    w = EARTH_ROTATION_RAD_S
    base, rows = _ATM_BASE, _ATM_ROWS
    exp, sqrt = math.exp, math.sqrt

    def one(x, y, z, vx, vy, vz):
        r2 = x * x + y * y + z * z
        rn = sqrt(r2)
        k0 = -mu / (r2 * rn)
        ax, ay, az = k0 * x, k0 * y, k0 * z
        if use_j2 or use_j3 or use_j4:
            s = z / rn
            s2 = s * s
            fxy = 0.0
            fz = 0.0
            inv = 1.0 / r2
            if use_j2:
                c = c2 * inv * inv
                fxy -= c * (1.0 - 5.0 * s2)
                fz -= c * (3.0 - 5.0 * s2) * s
            if use_j3:
                c = c3 * inv * inv / rn
                fxy -= c * 5.0 * s * (3.0 - 7.0 * s2)
                fz -= c * 3.0 * (10.0 * s2 - 35.0 / 3.0 * s2 * s2 - 1.0)
            if use_j4:
                c = c4 * inv * inv * inv
                fxy -= c * (3.0 - 42.0 * s2 + 63.0 * s2 * s2)
                fz -= c * (15.0 - 70.0 * s2 + 63.0 * s2 * s2) * s
            ax += fxy * x / rn
            ay += fxy * y / rn
            az += fz
        if use_drag:
            alt = rn - RE_KM * (1.0 - FLATTENING * (z / rn) ** 2)
            k = bisect_right(base, alt) - 1
            if k < 0:
                k = 0
            h0, rho0, big_h = rows[k]
            rho = rho0 * exp(-(alt - h0) / big_h)
            ux, uy, uz = vx + w * y, vy - w * x, vz
            speed = sqrt(ux * ux + uy * uy + uz * uz)
            kd = bc * rho * speed
            ax -= kd * ux
            ay -= kd * uy
            az -= kd * uz
            if lifting:
                # lift: perpendicular to the air-relative velocity; up is the local vertical
                # made perpendicular to it, side is velocity x up (to the right)
                ex, ey, ez = x / rn, y / rn, z / rn
                d = (ex * ux + ey * uy + ez * uz) / (speed * speed)
                px, py, pz = ex - d * ux, ey - d * uy, ez - d * uz
                pn = sqrt(px * px + py * py + pz * pz)
                px, py, pz = px / pn, py / pn, pz / pn
                tx, ty, tz = ux / speed, uy / speed, uz / speed
                qx, qy, qz = ty * pz - tz * py, tz * px - tx * pz, tx * py - ty * px
                kl = kd * speed
                ax += kl * (cb * px + sb * qx)
                ay += kl * (cb * py + sb * qy)
                az += kl * (cb * pz + sb * qz)
        return vx, vy, vz, ax, ay, az

    if count == 1:

        def rhs(_t, y):
            return np.array(one(*y.tolist()))

        return rhs

    def rhs_many(_t, y):
        vals = y.tolist()
        out = []
        for j in range(0, 6 * count, 6):
            out.extend(one(*vals[j : j + 6]))
        return np.array(out)

    return rhs_many


def integrate(
    states,
    t0_s: float,
    t1_s: float,
    force: ForceModel,
    *,
    rtol: float = 1e-10,
    atol_km: float = 1e-7,
    events=None,
    dense: bool = False,
):
    """Integrate one state (6,) or several stacked (k, 6) from ``t0_s`` to ``t1_s``.

    Returns scipy's solution object; ``sol.y[:, -1]`` is the final stacked state.
    """
    y0 = np.asarray(states, dtype=float)
    count = 1 if y0.ndim == 1 else y0.shape[0]
    atol = np.tile([atol_km] * 3 + [atol_km * 1e-3] * 3, count)
    # imported here: importing sim.flight (to unpickle a flight) needs no scipy
    from scipy.integrate import solve_ivp

    sol = solve_ivp(
        _rhs_factory(force, count),
        (t0_s, t1_s),
        y0.reshape(-1),
        method="DOP853",
        rtol=rtol,
        atol=atol,
        events=events,
        dense_output=dense,
    )
    if sol.status == -1:
        raise RuntimeError(f"integration failed: {sol.message}")
    return sol


def apply_impulse(state, dv_rtn_m_s):
    """State (6,) or (k, 6) after an impulse given in each state's own RTN frame (m/s)."""
    s = np.array(state, dtype=float)
    flat = s.ndim == 1
    s = np.atleast_2d(s)
    dv = np.broadcast_to(np.asarray(dv_rtn_m_s, dtype=float), (s.shape[0], 3))
    for k in range(s.shape[0]):
        s[k, 3:] += rtn_to_inertial(s[k, :3], s[k, 3:], dv[k]) * 1e-3
    return s[0] if flat else s


def fly(
    state0,
    t0_s: float,
    t1_s: float,
    force: ForceModel,
    impulses=(),
    *,
    rtol: float = 1e-10,
):
    """Final state at ``t1_s`` after coasting with ``impulses`` (sorted, within the span).

    ``state0`` may be stacked (k, 6); ``impulses`` then carry (k, 3) Δv arrays or one (3,).
    """
    state = np.array(state0, dtype=float)
    t = t0_s
    for imp in sorted(impulses, key=lambda i: i.t_s):
        if imp.t_s > t:
            state = integrate(state, t, imp.t_s, force, rtol=rtol).y[:, -1].reshape(state.shape)
            t = imp.t_s
        state = apply_impulse(state, imp.dv_rtn_m_s)
    if t1_s > t:
        state = integrate(state, t, t1_s, force, rtol=rtol).y[:, -1].reshape(state.shape)
    return state


@dataclass
class Arc:
    """Samples of a flown trajectory: seconds after the epoch and TEME states.

    ``t_s`` is regular every ``step_s`` from the start, with the instants of burns (before and
    after the impulse, so the jump is visible) and the end added.
    """

    epoch_whole: float
    epoch_fraction: float
    t_s: np.ndarray
    r_teme_km: np.ndarray
    v_teme_km_s: np.ndarray
    end_reason: str = "end of span"
    extras: dict = field(default_factory=dict)

    @property
    def times(self) -> TimeGrid:
        return TimeGrid(
            np.full(self.t_s.size, self.epoch_whole), self.epoch_fraction + self.t_s / DAY_S
        )

    @property
    def state_end(self) -> np.ndarray:
        return np.concatenate([self.r_teme_km[-1], self.v_teme_km_s[-1]])


def sample(
    state0,
    t0_s: float,
    t1_s: float,
    force: ForceModel,
    impulses=(),
    *,
    epoch=(0.0, 0.0),
    step_s: float = 10.0,
    rtol: float = 1e-10,
    events=None,
    grid_origin_s: float | None = None,
) -> Arc:
    """Fly like :func:`fly` and sample the trajectory every ``step_s`` (dense output).

    ``events`` (scipy event functions of (t, y)) are checked in every piece; a terminal event
    ends the arc there. The grid is aligned on ``grid_origin_s`` (default ``t0_s``).
    """
    origin = t0_s if grid_origin_s is None else grid_origin_s
    state = np.array(state0, dtype=float)
    t = t0_s
    times, rs, vs = [], [], []
    reason = "end of span"
    stops = [i for i in sorted(impulses, key=lambda i: i.t_s) if t0_s <= i.t_s <= t1_s]
    bounds = [*stops, None]
    for imp in bounds:
        t_end = t1_s if imp is None else imp.t_s
        if t_end > t:
            sol = integrate(state, t, t_end, force, rtol=rtol, events=events, dense=True)
            t_stop = sol.t[-1]
            k0 = math.ceil((t - origin) / step_s - 1e-9)
            k1 = math.floor((t_stop - origin) / step_s + 1e-9)
            grid = origin + step_s * np.arange(k0, k1 + 1)
            grid = grid[(grid >= t) & (grid <= t_stop)]
            pts = np.unique(np.concatenate([[t], grid, [t_stop]]))
            ys = sol.sol(pts).T
            ys[0] = state
            ys[-1] = sol.y[:, -1]
            times.append(pts)
            rs.append(ys[:, :3])
            vs.append(ys[:, 3:])
            state = sol.y[:, -1].copy()
            t = t_stop
            if sol.status == 1:
                reason = "terminal event"
                break
        if imp is not None:
            state = apply_impulse(state, imp.dv_rtn_m_s)
            times.append(np.array([t]))
            rs.append(state[None, :3])
            vs.append(state[None, 3:])
    return Arc(
        epoch[0],
        epoch[1],
        np.concatenate(times),
        np.concatenate(rs),
        np.concatenate(vs),
        reason,
    )
