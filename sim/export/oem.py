"""CCSDS Orbit Ephemeris Message, KVN version 2.0, in EME2000 or ITRF.

EME2000 positions are SGP4's TEME rotated to the GCRS with skyfield's TEME frame (precession,
nutation and the equation of the equinoxes), then by the IAU 2000 frame bias to the J2000 mean
equator and equinox. The rotation is evaluated every 10 minutes and interpolated, which changes
positions by far less than a millimetre.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SimError
from ..times import DAY_S, _utc_jd_to_skyfield, jd_to_iso
from .atomic import atomic_writer

FRAMES = ("EME2000", "ITRF")


def teme_to_eme2000_matrices(whole, fraction, step_s: float = 600.0) -> np.ndarray:
    """(N, 3, 3) rotations from TEME to EME2000 at the instants, interpolated from knots."""
    from skyfield.framelib import ICRS_to_J2000
    from skyfield.sgp4lib import TEME

    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    w0 = float(whole[0])
    days = (whole - w0) + fraction
    n = max(2, int(np.ceil((days.max() - days.min()) * DAY_S / step_s)) + 1)
    knots = np.linspace(days.min(), days.max(), n)
    t = _utc_jd_to_skyfield(np.full(n, w0), knots)
    gcrs_to_teme = TEME.rotation_at(t)  # (3, 3, n)
    m = np.einsum("ij,kjn->nik", ICRS_to_J2000, gcrs_to_teme)  # J2000 <- GCRS <- TEME
    out = np.empty((days.size, 3, 3))
    for a in range(3):
        for b in range(3):
            out[:, a, b] = np.interp(days, knots, m[:, a, b])
    return out


def oem_text(results, frame: str = "EME2000") -> str:
    frame = frame.upper()
    if frame not in FRAMES:
        raise SimError(f"OEM frame {frame!r} is not supported; expected one of {FRAMES}")
    eph = results.ephemeris
    ok = np.nonzero(eph.ok)[0]
    if ok.size < 2:
        raise SimError("OEM export: fewer than two good samples")
    whole, fraction = eph.times.whole[ok], eph.times.fraction[ok]
    if frame == "ITRF":
        r, v = eph.r_itrs_km[ok], eph.v_itrs_km_s[ok]
    else:
        m = teme_to_eme2000_matrices(whole, fraction)
        r = np.einsum("nij,nj->ni", m, eph.r_teme_km[ok])
        v = np.einsum("nij,nj->ni", m, eph.v_teme_km_s[ok])
    times = [t[:-1] for t in eph.iso(3)]  # KVN epochs carry no 'Z'
    times = [times[i] for i in ok]
    cat = results.catalogue
    used = sorted(set(eph.set_index[ok].tolist()))
    newest = max(cat.sets[k].epoch for k in used)
    created = jd_to_iso(math.floor(newest), newest - math.floor(newest), 3)[:-1]
    sc = results.scenario
    lines = [
        "CCSDS_OEM_VERS = 2.0",
        "COMMENT Written by sim (orbital replay simulator) from SGP4 and historical element sets",
        "COMMENT CREATION_DATE is the epoch of the newest element set used, so that the same",
        "COMMENT inputs give the same file",
        f"CREATION_DATE = {created}",
        "ORIGINATOR = sim",
        "",
        "META_START",
        f"OBJECT_NAME = {sc.object_name}",
        f"OBJECT_ID = {_cospar(cat.sets[0].intl_designator)}",
        "CENTER_NAME = EARTH",
        f"REF_FRAME = {frame}",
        "TIME_SYSTEM = UTC",
        f"START_TIME = {times[0]}",
        f"STOP_TIME = {times[-1]}",
        "INTERPOLATION = LAGRANGE",
        "INTERPOLATION_DEGREE = 7",
        "META_STOP",
        "",
    ]
    for k in used:
        s = cat.sets[k]
        sel = eph.set_index[ok] == k
        lines.append(
            f"COMMENT element set epoch {s.epoch_iso[:-1]} ({s.source.split('/')[-1]}:"
            f"{s.line}) used for {int(sel.sum())} samples, age "
            f"{eph.age_h[ok][sel].min():+.1f} to {eph.age_h[ok][sel].max():+.1f} h"
        )
    lines.append(f"COMMENT element-set switching rule: {cat.rule}")
    body = [
        f"{t} {x:.6f} {y:.6f} {z:.6f} {vx:.9f} {vy:.9f} {vz:.9f}"
        for t, (x, y, z), (vx, vy, vz) in zip(times, r.tolist(), v.tolist(), strict=True)
    ]
    return "\n".join(lines + body) + "\n"


def _cospar(designator: str) -> str:
    """98067A -> 1998-067A (the OEM's OBJECT_ID form)."""
    d = designator.strip()
    if len(d) >= 5 and d[:2].isdigit():
        year = int(d[:2])
        return f"{1900 + year if year >= 57 else 2000 + year}-{d[2:]}"
    return d or "UNKNOWN"


def write_oem(results, path, frame: str = "EME2000"):
    text = oem_text(results, frame)
    with atomic_writer(path) as f:
        f.write(text)
    return path
