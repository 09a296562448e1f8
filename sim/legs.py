"""Modelled legs in the replay: turn the Soyuz flight model's TEME samples into ephemerides of
the same shape as the SGP4 ones (ITRS, geodetic, sunlight), and find their passes over the
stations from the samples. Everything made here is labelled as a model."""

from __future__ import annotations

import numpy as np

from .ephemeris import (
    Ephemeris,
    SunTable,
    earth_orientation,
    geodetic,
    shadow_state,
    teme_to_itrs,
)
from .passes import Pass, Station, get_preset
from .times import DAY_S, TimeGrid

#: what a pass of a modelled leg names instead of an element set
MODEL_LABEL = "model"


def leg_ephemeris(times: TimeGrid, r_teme_km, v_teme_km_s, sunlight: bool = True) -> Ephemeris:
    """An :class:`Ephemeris` of a modelled trajectory: no element set (``set_index`` -1,
    ``age_h`` NaN, ``catalogue`` None); non-finite states are marked failed (``error`` 1)."""
    w, f = times.whole, times.fraction
    r = np.asarray(r_teme_km, dtype=float)
    v = np.asarray(v_teme_km_s, dtype=float)
    n = len(times)
    good = np.isfinite(r).all(axis=1) & np.isfinite(v).all(axis=1)
    r_itrs, v_itrs = teme_to_itrs(r, v, *earth_orientation(w, f))
    lat, lon, alt = geodetic(r_itrs)
    shadow = np.full(n, -1, dtype=np.int8)
    sun = None
    if sunlight and n:
        sun = SunTable.covering(w, f)
        shadow = shadow_state(r, sun.teme(w, f))
        shadow[~good] = -1
    return Ephemeris(
        times=times,
        catalogue=None,
        r_teme_km=r,
        v_teme_km_s=v,
        r_itrs_km=r_itrs,
        v_itrs_km_s=v_itrs,
        lat_deg=lat,
        lon_deg=lon,
        alt_km=alt,
        set_index=np.full(n, -1, dtype=np.int16),
        age_h=np.full(n, np.nan),
        error=np.where(good, 0, 1).astype(np.uint8),
        shadow=shadow,
        sun=sun,
    )


def _look(eph: Ephemeris, st: Station):
    """Elevation, azimuth (deg) and range (km) of every sample seen from ``st``."""
    rho = eph.r_itrs_km - st.itrs_km
    enu = rho @ st.enu_axes().T
    rng = np.linalg.norm(rho, axis=1)
    el = np.degrees(np.arcsin(np.clip(enu[:, 2] / rng, -1.0, 1.0)))
    az = np.degrees(np.arctan2(enu[:, 0], enu[:, 1])) % 360.0
    return el, az, rng


def _crossing(t, m, i):
    """Instant where the margin ``m`` crosses zero between samples i and i+1 (linear)."""
    return t[i] - m[i] * (t[i + 1] - t[i]) / (m[i + 1] - m[i])


def sample_passes(eph: Ephemeris, stations, preset="naked-eye") -> list[Pass]:
    """Passes of a sampled (modelled) trajectory over ``stations``: rise and set interpolated
    linearly between samples, culmination by a parabola through the highest three samples.
    Visibility: the object sunlit and the Sun at the station below the preset's limit. Every
    pass names :data:`MODEL_LABEL` instead of an element set; no magnitude is estimated (the
    brightness model is the ISS's)."""
    preset = get_preset(preset)
    jd = eph.times.jd
    t = (jd - jd[0]) * DAY_S
    out: list[Pass] = []
    if len(eph) < 3:
        return out
    sun_itrs = None
    if eph.sun is not None:
        sun_itrs = eph.sun.itrs(eph.times.whole, eph.times.fraction)
    for st in stations:
        el, az, rng = _look(eph, st)
        if st.horizon_mask:
            mask = st.mask_deg(az)
        elif st.min_elevation_deg is not None:
            mask = st.min_elevation_deg
        else:  # no mask of its own: the preset's, as find_passes does
            mask = preset.min_elevation_deg
        margin = np.where(eph.ok, el - mask, -90.0)
        above = margin >= 0
        edges = np.flatnonzero(np.diff(above.astype(np.int8)))
        starts = list(edges[~above[edges]] + 1)  # first sample above
        ends = list(edges[above[edges]])  # last sample above
        if above[0]:
            starts.insert(0, 0)
        if above[-1]:
            ends.append(len(t) - 1)
        for a, b in zip(starts, ends, strict=True):
            open_start, open_end = a == 0, b == len(t) - 1
            rise = t[a] if open_start else _crossing(t, margin, a - 1)
            set_ = t[b] if open_end else _crossing(t, margin, b)
            k = a + int(np.argmax(el[a : b + 1]))
            t_max, el_max = t[k], el[k]
            if 0 < k < len(t) - 1:
                y0, y1, y2 = el[k - 1], el[k], el[k + 1]
                den = y0 - 2 * y1 + y2
                if den < 0:
                    shift = 0.5 * (y0 - y2) / den
                    t_max = t[k] + shift * (t[k + 1] - t[k])
                    el_max = y1 - 0.25 * (y0 - y2) * shift
            if el_max < preset.min_peak_elevation_deg:
                continue
            vis_start = vis_end = None
            visible = False
            if sun_itrs is not None:
                up = st.enu_axes()[2]
                sun_dir = sun_itrs[a : b + 1] - st.itrs_km
                sun_el = np.degrees(
                    np.arcsin(np.clip(sun_dir @ up / np.linalg.norm(sun_dir, axis=1), -1, 1))
                )
                ok = eph.sunlit[a : b + 1] & (sun_el <= preset.sun_max_elevation_deg)
                if ok.any():
                    visible = True
                    idx = np.flatnonzero(ok)
                    vis_start, vis_end = t[a + idx[0]], t[a + idx[-1]]

            def jd_at(seconds):
                return None if seconds is None else float(jd[0] + seconds / DAY_S)

            out.append(
                Pass(
                    station=st.name,
                    rise_jd=jd_at(rise),
                    culmination_jd=jd_at(t_max),
                    set_jd=jd_at(set_),
                    max_elevation_deg=float(el_max),
                    rise_azimuth_deg=float(az[a]),
                    culmination_azimuth_deg=float(az[k]),
                    set_azimuth_deg=float(az[b]),
                    min_range_km=float(rng[k]),
                    open_start=bool(open_start),
                    open_end=bool(open_end),
                    element_set_epoch_utc=MODEL_LABEL,
                    visible=visible,
                    visible_start_jd=jd_at(vis_start),
                    visible_end_jd=jd_at(vis_end),
                    peak_magnitude=None,
                )
            )
    out.sort(key=lambda p: (p.rise_jd, p.station))
    return out


def concat_ephemerides(ephs) -> Ephemeris:
    """One ephemeris of consecutive legs of the same object (an instant shared by two legs is
    kept once, from the later leg)."""
    ephs = [e for e in ephs if len(e)]
    if len(ephs) == 1:
        return ephs[0]
    keep = []
    for k, e in enumerate(ephs):
        jd = e.times.jd
        if k + 1 < len(ephs):
            nxt = ephs[k + 1].times.jd[0]
            keep.append(jd < nxt - 1e-9)
        else:
            keep.append(np.ones(len(e), dtype=bool))

    def cat(name):
        return np.concatenate([getattr(e, name)[m] for e, m in zip(ephs, keep, strict=True)])

    times = TimeGrid(
        np.concatenate([e.times.whole[m] for e, m in zip(ephs, keep, strict=True)]),
        np.concatenate([e.times.fraction[m] for e, m in zip(ephs, keep, strict=True)]),
    )
    sun = SunTable.covering(times.whole, times.fraction)
    return Ephemeris(
        times=times,
        catalogue=None,
        r_teme_km=cat("r_teme_km"),
        v_teme_km_s=cat("v_teme_km_s"),
        r_itrs_km=cat("r_itrs_km"),
        v_itrs_km_s=cat("v_itrs_km_s"),
        lat_deg=cat("lat_deg"),
        lon_deg=cat("lon_deg"),
        alt_km=cat("alt_km"),
        set_index=cat("set_index"),
        age_h=cat("age_h"),
        error=cat("error"),
        shadow=cat("shadow"),
        sun=sun,
    )
