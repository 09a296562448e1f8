"""The free flight from insertion to docking: a burn plan with burn times given and vectors solved.

The plan has the shape of the traditional multi-orbit Soyuz rendezvous, and every burn vector is
solved with ``scipy.optimize.least_squares`` in the full force model, in four stages (each stage
solves the burns named in it, starting from the state the earlier stages produced):

1. **phasing** (``DV1``, ``DV2``, along-track only): after them the orbit is near-circular
   (osculating eccentricity 0 just after ``DV2``) and at the first rendezvous burn ``DV4`` the
   Soyuz trails the ISS by the arc a ``transfer_revs``-revolution Hohmann transfer from its
   height up to the station's will close, plus the approach gate distance;
2. **correction** (``DV3``, full vector): reaches that aim point exactly (in the ISS plane, at the
   phasing-orbit radius) at ``DV4``: it takes out the out-of-plane drift the different nodal
   regression of the lower orbit built up since insertion;
3. **rendezvous** (``DV4``, ``DV5``, full vectors): from there to the approach gate at the
   fly-around instant: ``gate_km`` behind the ISS on its orbit, moving with it;
4. **final approach** (``DV6`` at the gate, ``DV7`` the braking burn ``braking_lead_s`` before
   contact): the ISS position and velocity at the docking instant.

Jacobians are finite differences computed by one stacked integration of all perturbed copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..times import DAY_S
from .propagator import (
    MU_KM3_S2,
    ForceModel,
    apply_impulse,
    inertial_to_rtn,
    integrate,
    rtn_basis,
)

#: km (or m/s) of gate residual per m/s of rendezvous burn: the weak pull to small burns
MIN_DV_WEIGHT = 1e-3


@dataclass(frozen=True)
class PlannedBurn:
    """A burn of the plan: its name, time (s after the leg epoch) and which stage solves it."""

    name: str
    t_s: float
    stage: str  #: "phasing", "correction", "rendezvous" or "final"


class IssStates:
    """The ISS TEME state (km, km/s) from the element sets at seconds after an epoch."""

    def __init__(self, catalogue, epoch_whole: float, epoch_fraction: float):
        self.catalogue = catalogue
        self.whole = epoch_whole
        self.fraction = epoch_fraction

    def __call__(self, t_s):
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        r, v, err = self.catalogue.teme(np.full(t.size, self.whole), self.fraction + t / DAY_S)
        if np.any(err):
            raise RuntimeError("SGP4 failed for the ISS at a chase instant")
        return np.concatenate([r, v], axis=1)


def _rotate_about(vec, axis, angle_rad):
    """Rodrigues rotation of ``vec`` about the unit ``axis``."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return vec * c + np.cross(axis, vec) * s + axis * (axis @ vec) * (1 - c)


def co_orbital_point(iss_state, behind_km: float, radius_km: float | None = None):
    """A state on the ISS orbit ``behind_km`` of arc behind it (the ISS state turned back about
    its orbit normal); with ``radius_km`` the position is moved to that radius."""
    r, v = iss_state[:3], iss_state[3:]
    h = np.cross(r, v)
    h /= np.linalg.norm(h)
    ang = -behind_km / np.linalg.norm(r)
    r2 = _rotate_about(r, h, ang)
    v2 = _rotate_about(v, h, ang)
    if radius_km is not None:
        r2 = r2 * (radius_km / np.linalg.norm(r2))
    return np.concatenate([r2, v2])


def lag_km(soyuz_state, iss_state) -> float:
    """Arc (km at the ISS radius) in the ISS plane from the Soyuz forward to the ISS."""
    r_s, r_i, v_i = soyuz_state[:3], iss_state[:3], iss_state[3:]
    h = np.cross(r_i, v_i)
    h /= np.linalg.norm(h)
    ang = math.atan2(float(np.cross(r_s, r_i) @ h), float(r_s @ r_i))
    return ang * float(np.linalg.norm(r_i))


def _eccentricity_km(state) -> tuple[float, float]:
    """a * e_vec along r_hat and along the track: both components, signed (smooth through zero,
    unlike |e|)."""
    r, v = state[:3], state[3:]
    rn = float(np.linalg.norm(r))
    a = 1.0 / (2.0 / rn - float(v @ v) / MU_KM3_S2)
    e_vec = np.cross(v, np.cross(r, v)) / MU_KM3_S2 - r / rn
    basis = rtn_basis(r, v)
    return a * float(e_vec @ basis[0]), a * float(e_vec @ basis[1])


def hohmann_lag_km(r_soyuz_km: float, r_iss_km: float, transfer_s: float) -> float:
    """Arc the Soyuz gains on the ISS during a transfer of ``transfer_s`` seconds from its
    radius up to the station's (two-body, circular orbits: an aim, not a constraint)."""
    a_t = 0.5 * (r_soyuz_km + r_iss_km)
    n_t = math.sqrt(MU_KM3_S2 / a_t**3)
    n_i = math.sqrt(MU_KM3_S2 / r_iss_km**3)
    return (n_t - n_i) * transfer_s * r_iss_km


class _Flyer:
    """Fly a (stacked) state through a list of burns with per-copy RTN Δv; states at probes."""

    def __init__(self, force: ForceModel, rtol: float):
        self.force = force
        self.rtol = rtol

    def run(self, state0, t0, burns, probes):
        """``burns``: list of (t_s, dv (k, 3)); ``probes``: sorted times; state after the burns
        at a probe time that equals a burn time. Returns list of (k, 6) states."""
        state = np.array(state0, dtype=float)
        t = t0
        events = sorted(
            [(b[0], 0, i) for i, b in enumerate(burns)] + [(p, 1, i) for i, p in enumerate(probes)]
        )
        out = [None] * len(probes)
        for te, kind, i in events:
            if te > t:
                state = (
                    integrate(state, t, te, self.force, rtol=self.rtol)
                    .y[:, -1]
                    .reshape(state.shape)
                )
                t = te
            if kind == 0:
                state = apply_impulse(state, burns[i][1])
            else:
                out[i] = state.copy()
        return out


def _solve(residual, x0, step, label, xtol=1e-12, max_nfev=30):
    """least_squares with a Jacobian from one stacked evaluation of all perturbed copies.

    ``residual(X)`` takes (k, n) parameter rows and returns (k, m) residual rows.
    """
    x0 = np.asarray(x0, dtype=float)
    cache: dict[bytes, np.ndarray] = {}

    def fun(x):
        key = x.tobytes()
        if key not in cache:
            cache[key] = residual(x[None, :])[0]
        return cache[key]

    def jac(x):
        xs = np.vstack([x, x + np.diag(np.full(x.size, step))])
        res = residual(xs)
        cache[x.tobytes()] = res[0]
        return (res[1:] - res[0]).T / step

    # imported here: importing sim.flight (to unpickle a flight) needs no scipy
    from scipy.optimize import least_squares

    sol = least_squares(
        fun, x0, jac=jac, method="lm", xtol=xtol, ftol=1e-14, gtol=1e-14, max_nfev=max_nfev
    )
    return sol.x, fun(sol.x), sol


@dataclass
class ChaseSolution:
    """Solved burn vectors (RTN, m/s, by name), stage residuals and the aim points used."""

    dv_rtn_m_s: dict
    residuals: dict
    aims: dict
    nfev: dict


def solve_chase(
    state0,
    t0_s: float,
    plan: list[PlannedBurn],
    dock_s: float,
    iss: IssStates,
    force: ForceModel,
    *,
    gate_km: float = 1.0,
    rtol: float = 1e-10,
) -> ChaseSolution:
    """Solve the burn vectors of ``plan`` (see the module notes) so that the state flown from
    ``state0`` at ``t0_s`` meets the ISS at ``dock_s``."""
    by_stage: dict[str, list[PlannedBurn]] = {}
    for b in plan:
        by_stage.setdefault(b.stage, []).append(b)
    for need, count in (("phasing", 2), ("correction", 1), ("rendezvous", 2), ("final", 2)):
        if len(by_stage.get(need, [])) != count:
            raise ValueError(f"the plan needs {count} burns in stage {need!r}")
    ph, cor, rdv, fin = (by_stage[s] for s in ("phasing", "correction", "rendezvous", "final"))
    times = [b.t_s for b in plan]
    if sorted(times) != times or not (t0_s < times[0] and times[-1] < dock_s):
        raise ValueError("burn times must increase, after insertion and before docking")
    fly = _Flyer(force, rtol)
    dv: dict[str, np.ndarray] = {}
    res: dict[str, float] = {}
    aims: dict[str, float] = {}
    nfev: dict[str, int] = {}
    t4, t5, t6 = rdv[0].t_s, rdv[1].t_s, fin[0].t_s
    iss4, iss5, iss6, iss_dock = iss([t4, t5, t6, dock_s])
    transfer_s = t5 - t4
    r_iss5 = float(np.linalg.norm(iss5[:3]))

    # stage 1: phasing, along-track magnitudes of DV1 and DV2
    s1_start = fly.run(state0, t0_s, [], [ph[0].t_s])[0]
    r1 = np.linalg.norm(s1_start[:3])
    v1 = np.linalg.norm(s1_start[3:])
    # first guess: a circular orbit that spreads the catch-up evenly until DV4
    lag0 = lag_km(s1_start, iss([ph[0].t_s])[0]) % (2 * math.pi * np.linalg.norm(iss4[:3]))
    guess_da = (lag0 / (t4 - ph[0].t_s)) / (1.5 * math.sqrt(MU_KM3_S2 / r1**3))
    a_target = r_iss5 - guess_da
    dv_total = v1 * (a_target - r1) / (2 * r1) * 1e3
    x0 = np.array([0.5 * dv_total, 0.5 * dv_total, 0.0])

    def phasing_residual(x):
        k = x.shape[0]
        burns = [
            (ph[0].t_s, np.column_stack([np.zeros(k), x[:, 0], np.zeros(k)])),
            (ph[1].t_s, np.column_stack([x[:, 2], x[:, 1], np.zeros(k)])),
        ]
        s_after2, s4 = fly.run(np.repeat(s1_start[None], k, 0), ph[0].t_s, burns, [ph[1].t_s, t4])
        out = np.empty((k, 3))
        for j in range(k):
            lag = lag_km(s4[j], iss4)
            aim = hohmann_lag_km(float(np.linalg.norm(s4[j, :3])), r_iss5, transfer_s) + gate_km
            out[j] = (lag - aim, *_eccentricity_km(s_after2[j]))
        return out

    x, r, sol = _solve(phasing_residual, x0, 1e-3, "phasing")
    dv["DV1"] = np.array([0.0, x[0], 0.0])
    dv["DV2"] = np.array([x[2], x[1], 0.0])
    res["phasing_lag_km"] = float(r[0])
    res["phasing_eccentricity_km"] = float(np.hypot(r[1], r[2]))
    nfev["phasing"] = int(sol.nfev)

    # stage 2: the day-2 correction to the aim point at DV4 (in the plane, phasing radius)
    burns12 = [(ph[0].t_s, dv["DV1"][None]), (ph[1].t_s, dv["DV2"][None])]
    s3_start, s4_nom = fly.run(s1_start[None], ph[0].t_s, burns12, [cor[0].t_s, t4])
    s3_start, s4_nom = s3_start[0], s4_nom[0]
    behind = hohmann_lag_km(float(np.linalg.norm(s4_nom[:3])), r_iss5, transfer_s) + gate_km
    aim4 = co_orbital_point(iss4, behind, float(np.linalg.norm(s4_nom[:3])))
    aims["dv4_behind_km"] = behind
    aims["dv4_below_km"] = float(np.linalg.norm(iss4[:3]) - np.linalg.norm(s4_nom[:3]))

    def correction_residual(x):
        k = x.shape[0]
        (s4,) = fly.run(np.repeat(s3_start[None], k, 0), cor[0].t_s, [(cor[0].t_s, x)], [t4])
        return s4[:, :3] - aim4[:3]

    x, r, sol = _solve(correction_residual, np.zeros(3), 1e-3, "correction")
    dv["DV3"] = x
    res["correction_km"] = float(np.linalg.norm(r))
    nfev["correction"] = int(sol.nfev)

    # stage 3: rendezvous burns DV4, DV5 to the approach gate at DV6
    (s4_start,) = fly.run(s3_start[None], cor[0].t_s, [(cor[0].t_s, dv["DV3"][None])], [t4])
    s4_start = s4_start[0]
    gate = co_orbital_point(iss6, gate_km)
    r4 = float(np.linalg.norm(s4_start[:3]))
    v4 = float(np.linalg.norm(s4_start[3:]))
    hoh = v4 * (r_iss5 - r4) / (4 * r4) * 1e3
    # the out-of-plane velocity relative to the ISS plane, taken out by DV4 as a first guess
    n_iss = np.cross(iss4[:3], iss4[3:])
    n_iss /= np.linalg.norm(n_iss)
    w = -float(s4_start[3:] @ n_iss) * 1e3
    x0 = np.array([0.0, hoh, w, 0.0, hoh, 0.0])

    def rendezvous_residual(x):
        k = x.shape[0]
        burns = [(t4, x[:, :3]), (t5, x[:, 3:])]
        (s6,) = fly.run(np.repeat(s4_start[None], k, 0), t4, burns, [t6])
        # the two burns about half a revolution apart leave one direction of their normal
        # components (equal and the same sign) with almost no effect at the gate: a weak
        # pull to small burns picks the cheapest solution along it
        return np.column_stack(
            [s6[:, :3] - gate[:3], (s6[:, 3:] - gate[3:]) * 1e3, MIN_DV_WEIGHT * x]
        )

    x, r, sol = _solve(rendezvous_residual, x0, 1e-3, "rendezvous")
    dv["DV4"], dv["DV5"] = x[:3], x[3:]
    res["gate_km"] = float(np.linalg.norm(r[:3]))
    res["gate_m_s"] = float(np.linalg.norm(r[3:6]))
    nfev["rendezvous"] = int(sol.nfev)

    # stage 4: final approach, DV6 at the gate and DV7 braking, to the ISS state at docking
    (s6_start,) = fly.run(s4_start[None], t4, [(t4, dv["DV4"][None]), (t5, dv["DV5"][None])], [t6])
    s6_start = s6_start[0]
    t7 = fin[1].t_s

    def final_residual(x):
        k = x.shape[0]
        burns = [(t6, x[:, :3]), (t7, x[:, 3:])]
        (sd,) = fly.run(np.repeat(s6_start[None], k, 0), t6, burns, [dock_s])
        return np.column_stack([sd[:, :3] - iss_dock[:3], (sd[:, 3:] - iss_dock[3:]) * 1e3])

    # first guess: close the gate distance at constant speed, stop before contact
    rel = iss_dock[:3] - s6_start[:3]
    closing = rel / (dock_s - t6) * 1e3
    x0 = np.concatenate(
        [
            inertial_to_rtn(s6_start[:3], s6_start[3:], closing),
            -inertial_to_rtn(iss_dock[:3], iss_dock[3:], closing),
        ]
    )
    x, r, sol = _solve(final_residual, x0, 1e-4, "final")
    dv["DV6"], dv["DV7"] = x[:3], x[3:]
    res["dock_km"] = float(np.linalg.norm(r[:3]))
    res["dock_m_s"] = float(np.linalg.norm(r[3:]))
    nfev["final"] = int(sol.nfev)
    return ChaseSolution(dv, res, aims, nfev)


__all__ = [
    "ChaseSolution",
    "IssStates",
    "PlannedBurn",
    "co_orbital_point",
    "hohmann_lag_km",
    "lag_km",
    "rtn_basis",
    "solve_chase",
]
