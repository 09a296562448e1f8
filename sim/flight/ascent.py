"""A kinematic ascent from the pad to the insertion state, and the insertion state itself.

This is not a flight-dynamics model of the Soyuz-2.1a: it is a smooth, documented profile that
draws a plausible track from the pad to the insertion point and ends in exactly the modelled
insertion state.

* The insertion point lies in the ISS orbital plane at lift-off: the pad's projection into that
  plane, moved ``downrange_deg`` along the direction of motion (the same construction as
  :func:`sim.mission.phase_angle_deg`). The insertion happens at the perigee of a
  ``perigee_km`` x ``apogee_km`` orbit (heights above the equatorial radius), with the velocity
  horizontal and in the plane, so the inclination is the ISS's.
* In between, in the inertial frame, the downrange angle follows a cubic in the normalised time
  ``tau``: zero angle and zero angular rate at lift-off, the orbital angular rate at insertion.
  The small angle between the pad and the plane (0.15 deg on 2024-03-23) is removed along the
  way by the same smooth step (a "dogleg"); the radius rises as ``1 - (1 - tau)^2``, steep at
  first and level at insertion.
* Velocities of the samples are the time derivative of that path (central differences).
"""

from __future__ import annotations

import math

import numpy as np

from ..ephemeris import geodetic_to_itrs, gmst_rad, itrs_to_teme
from .propagator import MU_KM3_S2, RE_KM, Arc


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _plane_frame(catalogue, pad_lat_deg, pad_lon_deg, whole, fraction):
    """TEME pad position (km), ISS orbit normal, the pad's projection into the plane (units)."""
    r, v, _ = catalogue.teme(np.array([whole]), np.array([fraction]))
    h = _unit(np.cross(r[0], v[0]))
    theta, _ = gmst_rad(np.array([whole]), np.array([fraction]))
    pad_itrs = geodetic_to_itrs(pad_lat_deg, pad_lon_deg, 0.0)[None, :]
    pad = itrs_to_teme(pad_itrs, theta)[0]
    p = _unit(pad - h * (pad @ h))
    return pad, h, p


def insertion_state(
    catalogue,
    launch_whole: float,
    launch_fraction: float,
    *,
    pad_lat_deg: float,
    pad_lon_deg: float,
    downrange_deg: float,
    perigee_km: float,
    apogee_km: float,
    node_offset_deg: float = 0.0,
):
    """TEME state (6,) at insertion: perigee of the insertion orbit, in the ISS plane at lift-off
    (turned about the pole by ``node_offset_deg``, positive east, for what-if runs)."""
    _pad, h, p = _plane_frame(catalogue, pad_lat_deg, pad_lon_deg, launch_whole, launch_fraction)
    if node_offset_deg:
        c, s = math.cos(math.radians(node_offset_deg)), math.sin(math.radians(node_offset_deg))
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        h, p = rot @ h, rot @ p
    d = math.radians(downrange_deg)
    u = p * math.cos(d) + np.cross(h, p) * math.sin(d)
    rp = RE_KM + perigee_km
    a = RE_KM + 0.5 * (perigee_km + apogee_km)
    speed = math.sqrt(MU_KM3_S2 * (2.0 / rp - 1.0 / a))
    return np.concatenate([rp * u, speed * np.cross(h, u)])


def ascent_arc(
    catalogue,
    launch_whole: float,
    launch_fraction: float,
    *,
    pad_lat_deg: float,
    pad_lon_deg: float,
    downrange_deg: float,
    perigee_km: float,
    apogee_km: float,
    insertion_s: float,
    node_offset_deg: float = 0.0,
    step_s: float = 10.0,
) -> Arc:
    """Samples of the kinematic ascent from lift-off (t = 0) to insertion (t = insertion_s)."""
    pad, h, p = _plane_frame(catalogue, pad_lat_deg, pad_lon_deg, launch_whole, launch_fraction)
    state_ins = insertion_state(
        catalogue,
        launch_whole,
        launch_fraction,
        pad_lat_deg=pad_lat_deg,
        pad_lon_deg=pad_lon_deg,
        downrange_deg=downrange_deg,
        perigee_km=perigee_km,
        apogee_km=apogee_km,
        node_offset_deg=node_offset_deg,
    )
    if node_offset_deg:
        c, s = math.cos(math.radians(node_offset_deg)), math.sin(math.radians(node_offset_deg))
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        h, p = rot @ h, rot @ p
    r_pad = float(np.linalg.norm(pad))
    r_ins = float(np.linalg.norm(state_ins[:3]))
    theta_ins = math.radians(downrange_deg)
    rate_ins = float(np.linalg.norm(state_ins[3:])) / r_ins  # rad/s at insertion
    m1 = rate_ins * insertion_s / theta_ins  # end slope of the normalised angle
    pad_hat = pad / r_pad
    off = math.asin(float(np.clip(pad_hat @ h, -1, 1)))  # pad's angle to the plane

    def path(t_s):
        tau = np.clip(np.asarray(t_s, dtype=float) / insertion_s, 0.0, 1.0)
        g = 3 * tau**2 - 2 * tau**3 + m1 * (tau**3 - tau**2)  # g(0)=0 g'(0)=0 g(1)=1 g'(1)=m1
        step = 3 * tau**2 - 2 * tau**3
        ang = theta_ins * g
        inplane = np.cos(ang)[:, None] * p + np.sin(ang)[:, None] * np.cross(h, p)
        c = off * (1.0 - step)
        u = np.cos(c)[:, None] * inplane + np.sin(c)[:, None] * h
        radius = r_pad + (r_ins - r_pad) * (1.0 - (1.0 - tau) ** 2)
        return radius[:, None] * u

    n = int(math.floor(insertion_s / step_s + 1e-9))
    t = np.unique(np.append(step_s * np.arange(n + 1), insertion_s))
    r = path(t)
    dt = 0.5
    v = (path(np.clip(t + dt, 0, insertion_s)) - path(np.clip(t - dt, 0, insertion_s))) / (
        np.clip(t + dt, 0, insertion_s) - np.clip(t - dt, 0, insertion_s)
    )[:, None]
    # the path ends exactly in the insertion state
    r[-1] = state_ins[:3]
    v[-1] = state_ins[3:]
    return Arc(launch_whole, launch_fraction, t, r, v, "insertion")


def downrange_km(r_start, r_end) -> float:
    """Great-circle distance (km, on the equatorial-radius sphere) between two directions."""
    c = float(np.clip(_unit(r_start) @ _unit(r_end), -1, 1))
    return RE_KM * math.acos(c)
