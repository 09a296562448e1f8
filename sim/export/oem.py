"""CCSDS Orbit Ephemeris Message, KVN version 2.0, in EME2000 or ITRF.

One segment per element-set stretch (a new META block at every switch of element set, and after
failed samples), so that STK, GMAT or Orekit never interpolate across a switch, where the
position jumps by up to a few hundred kilometres. CREATION_DATE is the time of writing, or
``SOURCE_DATE_EPOCH`` when that is set, so reruns can be byte-identical.

EME2000 positions are SGP4's TEME rotated to the GCRS with skyfield's TEME frame (precession,
nutation and the equation of the equinoxes), then by the IAU 2000 frame bias to the J2000 mean
equator and equinox. The rotation is evaluated every 10 minutes and interpolated, which changes
positions by far less than a millimetre.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import numpy as np

from ..errors import SimError
from ..times import DAY_S, _utc_jd_to_skyfield
from .atomic import atomic_writer
from .shared import iso_times, once, sharing

FRAMES = ("EME2000", "ITRF")


def teme_to_eme2000_matrices(whole, fraction, step_s: float = 600.0) -> np.ndarray:
    """(N, 3, 3) rotations from TEME to EME2000 at the instants, interpolated from knots."""
    return teme_to_eme2000_matrices_many([(whole, fraction)], step_s)[0]


def teme_to_eme2000_matrices_many(grids, step_s: float = 600.0) -> list[np.ndarray]:
    """:func:`teme_to_eme2000_matrices` for each ``(whole, fraction)`` of ``grids``. Each
    grid's knots are evaluated by skyfield in a call of their own, so that a grid's rotations
    are the same to the last bit whether it is evaluated alone or with others: skyfield sums
    the nutation series with BLAS, whose single-threaded kernels group the instants of a call
    in blocks, so that one call for all grids gave some knots other last bits. (One call was no
    faster: 0.18 s of CPU for the default run's four grids either way.)"""
    from skyfield.framelib import ICRS_to_J2000
    from skyfield.sgp4lib import TEME

    out = []
    for whole, fraction in grids:
        whole = np.asarray(whole, dtype=float)
        fraction = np.asarray(fraction, dtype=float)
        w0 = float(whole[0])
        days = (whole - w0) + fraction
        n = max(2, int(np.ceil((days.max() - days.min()) * DAY_S / step_s)) + 1)
        knots = np.linspace(days.min(), days.max(), n)
        t = _utc_jd_to_skyfield(np.full(n, w0), knots)
        gcrs_to_teme = TEME.rotation_at(t)  # (3, 3, n)
        m = np.einsum("ij,kjn->nik", ICRS_to_J2000, gcrs_to_teme)  # J2000 <- GCRS <- TEME
        rot = np.empty((days.size, 3, 3))
        for a in range(3):
            for b in range(3):
                rot[:, a, b] = np.interp(days, knots, m[:, a, b])
        out.append(rot)
    return out


def _eme2000_rotations(results) -> dict:
    """``id(ephemeris) -> rotations`` for the replay's good samples and, while the writers of
    an output folder share their work (:func:`~.shared.sharing`), every modelled leg too: one
    skyfield evaluation for the replay OEM and the modelled objects' OEMs."""
    from .model import modelled_legs

    def compute():
        eph = results.ephemeris
        ok = eph.ok
        grids = {id(eph): (eph.times.whole[ok], eph.times.fraction[ok])}
        if sharing():
            for ml in modelled_legs(results):
                leg = ml.ephemeris
                grids.setdefault(id(leg), (leg.times.whole, leg.times.fraction))
        return dict(zip(grids, teme_to_eme2000_matrices_many(list(grids.values())), strict=True))

    return once(results, "teme-eme2000", compute)


def _leg_rotations(results, eph) -> np.ndarray:
    """The TEME -> EME2000 rotations at every sample of the modelled leg ``eph``."""
    shared = _eme2000_rotations(results) if sharing() else {}
    if id(eph) in shared:
        return shared[id(eph)]
    return teme_to_eme2000_matrices(eph.times.whole, eph.times.fraction)


#: one state line of the OEM: epoch, position (km), velocity (km/s)
STATE_LINE = "%s %.6f %.6f %.6f %.9f %.9f %.9f"


def state_lines(times, rows, r, v) -> list[str]:
    """The state lines of ``rows``: one column at a time to Python floats, one format each."""
    rv = np.concatenate([r[rows], v[rows]], axis=1)
    cols = [rv[:, k].tolist() for k in range(6)]
    epochs = [times[i] for i in rows.tolist()]
    return [STATE_LINE % row for row in zip(epochs, *cols, strict=True)]


def creation_date_utc() -> datetime:
    """When the file is written: now, or ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when
    set, the reproducible-builds convention for byte-identical reruns."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return datetime.now(UTC)
    try:
        seconds = int(value)
    except ValueError:
        raise SimError(
            f"SOURCE_DATE_EPOCH = {value!r} is not a whole number of seconds since 1970"
        ) from None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def segment_slices(set_index, ok) -> list[np.ndarray]:
    """Row numbers of each OEM segment: a run of good samples under one element set.

    A new segment starts at every element-set switch (the position jumps there) and after
    every stretch of failed samples, so a reader never interpolates across either.
    """
    rows = np.nonzero(ok)[0]
    if rows.size == 0:
        return []
    sets = np.asarray(set_index)[rows]
    cut = np.nonzero((np.diff(rows) != 1) | (np.diff(sets) != 0))[0] + 1
    return np.split(rows, cut)


def _meta(object_name, object_id, frame, start, stop, states: int) -> list[str]:
    """The META block of one segment (Lagrange interpolation of degree up to 7)."""
    degree = min(7, states - 1)
    lines = [
        "",
        "META_START",
        f"OBJECT_NAME = {object_name}",
        f"OBJECT_ID = {object_id}",
        "CENTER_NAME = EARTH",
        f"REF_FRAME = {frame}",
        "TIME_SYSTEM = UTC",
        f"START_TIME = {start}",
        f"STOP_TIME = {stop}",
    ]
    if degree >= 1:
        lines += ["INTERPOLATION = LAGRANGE", f"INTERPOLATION_DEGREE = {degree}"]
    return lines + ["META_STOP", ""]


def oem_text(results, frame: str = "EME2000") -> str:
    frame = frame.upper()
    if frame not in FRAMES:
        raise SimError(f"OEM frame {frame!r} is not supported; expected one of {FRAMES}")
    eph = results.ephemeris
    ok = eph.ok
    if np.count_nonzero(ok) < 2:
        raise SimError("OEM export: fewer than two good samples")
    if frame == "ITRF":
        r, v = eph.r_itrs_km, eph.v_itrs_km_s
    else:
        r = np.full_like(eph.r_teme_km, np.nan)
        v = np.full_like(eph.v_teme_km_s, np.nan)
        m = _eme2000_rotations(results)[id(eph)]
        r[ok] = np.einsum("nij,nj->ni", m, eph.r_teme_km[ok])
        v[ok] = np.einsum("nij,nj->ni", m, eph.v_teme_km_s[ok])
    times = [t[:-1] for t in iso_times(eph)]  # KVN epochs carry no 'Z'
    cat = results.catalogue
    segments = segment_slices(eph.set_index, ok)
    created = creation_date_utc().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    sc = results.scenario
    jumps = {(sw.from_index, sw.to_index): sw.jump_km for sw in cat.switches()}
    lines = [
        "CCSDS_OEM_VERS = 2.0",
        "COMMENT Written by sim (orbital replay simulator) from SGP4 and historical element sets",
        f"COMMENT {len(segments)} segment(s), one per element-set stretch: the position jumps at",
        "COMMENT each switch of element set, so do not interpolate across segments",
        "COMMENT CREATION_DATE is the time of writing (SOURCE_DATE_EPOCH when set)",
        f"CREATION_DATE = {created}",
        "ORIGINATOR = sim",
    ]
    object_id = _cospar(cat.sets[0].intl_designator)
    previous = None
    for rows in segments:
        k = int(eph.set_index[rows[0]])
        s = cat.sets[k]
        lines += _meta(sc.object_name, object_id, frame, times[rows[0]], times[rows[-1]], rows.size)
        age = eph.age_h[rows]
        lines.append(
            f"COMMENT element set epoch {s.epoch_iso[:-1]} ({s.source.split('/')[-1]}:"
            f"{s.line}) used for {rows.size} samples, age "
            f"{age.min():+.1f} to {age.max():+.1f} h"
        )
        if previous is not None and previous != k and (previous, k) in jumps:
            lines.append(
                f"COMMENT switched from the previous element set: the position jumps "
                f"{jumps[(previous, k)]:.3f} km"
            )
        elif previous is not None and previous == k:
            lines.append("COMMENT new segment after samples where SGP4 failed")
        lines.append(f"COMMENT element-set switching rule: {cat.rule}")
        previous = k
        lines += state_lines(times, rows, r, v)
    return "\n".join(lines) + "\n"


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


#: COSPAR designators of modelled objects, from ../shared/data/README.md ("UNKNOWN" otherwise)
MODEL_OBJECT_IDS = {"Soyuz MS-25": "2024-055A"}


def model_oem_texts(results, frame: str = "EME2000") -> dict[str, str]:
    """``slug -> OEM text`` for every modelled object (its legs in time order): one segment per
    leg, and a new segment at every burn (and every other repeated instant, where the force
    model changes), so a reader never interpolates across an impulse. COMMENT lines state that
    the trajectory is a model, its forces, assumptions and solved or fitted values."""
    from .model import FORCES_NOTE, MODEL_NOTE, burn_text, modelled_legs, pieces

    frame = frame.upper()
    if frame not in FRAMES:
        raise SimError(f"OEM frame {frame!r} is not supported; expected one of {FRAMES}")
    by_object: dict[str, list] = {}
    for ml in modelled_legs(results):
        by_object.setdefault(ml.trajectory.slug, []).append(ml)
    created = creation_date_utc().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    out = {}
    for slug, legs in by_object.items():
        object_name = legs[0].trajectory.object_name
        segments = []
        for ml in legs:
            eph = ml.ephemeris
            if frame == "ITRF":
                r, v = eph.r_itrs_km, eph.v_itrs_km_s
            else:
                m = _leg_rotations(results, eph)
                r = np.einsum("nij,nj->ni", m, eph.r_teme_km)
                v = np.einsum("nij,nj->ni", m, eph.v_teme_km_s)
            times = [t[:-1] for t in iso_times(eph)]
            for rows in pieces(eph):
                rows = rows[eph.ok[rows]]
                if rows.size:
                    segments.append((ml, rows, r, v, times))
        lines = [
            "CCSDS_OEM_VERS = 2.0",
            f"COMMENT {object_name}: {MODEL_NOTE}",
            "COMMENT MODEL: there is no element set of this spacecraft behind these states",
            f"COMMENT {FORCES_NOTE}",
            f"COMMENT {len(segments)} segment(s): one per leg, and a new one at every burn "
            "(impulsive: the velocity jumps), so do not interpolate across segments",
            "COMMENT CREATION_DATE is the time of writing (SOURCE_DATE_EPOCH when set)",
            f"CREATION_DATE = {created}",
            "ORIGINATOR = sim",
        ]
        previous_leg = None
        for ml, rows, r, v, times in segments:
            lines += _meta(
                f"{object_name} (model)",
                MODEL_OBJECT_IDS.get(object_name, "UNKNOWN"),
                frame,
                times[rows[0]],
                times[rows[-1]],
                rows.size,
            )
            lines.append(f"COMMENT MODEL leg: {ml.trajectory.label}, {rows.size} states")
            if ml is not previous_leg:
                lines += [f"COMMENT assumption: {a}" for a in ml.assumptions]
                fit = (ml.leg.facts.get("fit") or {}) if ml.leg is not None else {}
                for name, value in (fit.get("parameters") or {}).items():
                    lines.append(f"COMMENT fitted to the published landing: {name} = {value:.6g}")
            starts_after = [b for b, row in ml.burns if _same_time(ml, row, rows[0])]
            ends_at = [b for b, row in ml.burns if row == rows[-1]]
            for b in starts_after:
                lines.append(f"COMMENT starts just after burn {burn_text(b)}")
            for b in ends_at:
                lines.append(f"COMMENT ends just before burn {b.name} (next segment)")
            if not starts_after and ml is previous_leg:
                lines.append("COMMENT new segment where the force model changes (no burn)")
            previous_leg = ml
            lines += state_lines(times, rows, r, v)
        out[slug] = "\n".join(lines) + "\n"
    return out


def _same_time(ml, row_a: int, row_b: int) -> bool:
    t = ml.ephemeris.times
    return abs((t.whole[row_a] - t.whole[row_b]) + (t.fraction[row_a] - t.fraction[row_b])) < (
        1e-6 / DAY_S
    )


def write_model_oems(results, folder, frame: str = "EME2000") -> list:
    """``replay-<slug>.oem`` for every modelled object of the replay; returns the paths."""
    from pathlib import Path

    paths = []
    for slug, text in model_oem_texts(results, frame).items():
        path = Path(folder) / f"replay-{slug}.oem"
        with atomic_writer(path) as f:
            f.write(text)
        paths.append(path)
    return paths
