"""Polar sky plots of single passes (azimuth clockwise from north, elevation to the zenith)."""

from __future__ import annotations

import math

import numpy as np

from .style import ECLIPSE, VISIBLE, new_axes, save


def sky_plot(p, seconds, azimuth_deg, elevation_deg, *, ax=None, title=None):
    """One pass: the path across the sky, minute ticks, the visible part highlighted."""
    from ..times import jd_to_iso

    fig, ax = new_axes(ax, figsize=(6, 6.4), projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ax.set_rticks([0, 30, 60, 90])
    ax.set_yticklabels(["0°", "30°", "60°", "90°"], fontsize=7)
    ax.set_xticks(np.radians([0, 45, 90, 135, 180, 225, 270, 315]))
    ax.set_xticklabels(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])
    theta = np.radians(azimuth_deg)
    ax.plot(theta, elevation_deg, color=ECLIPSE, linewidth=1.5, label="pass above the mask")
    if p.visible:
        t0 = (p.visible_start_jd - p.rise_jd) * 86400
        t1 = (p.visible_end_jd - p.rise_jd) * 86400
        vis = (seconds >= t0) & (seconds <= t1)
        ax.plot(
            theta[vis],
            np.asarray(elevation_deg)[vis],
            color=VISIBLE,
            linewidth=3.5,
            label="visible to the eye (dark sky, ISS sunlit)",
        )
    # minute ticks labelled with UTC
    rise_jd = p.rise_jd
    first_minute = math.ceil(rise_jd * 1440) / 1440
    for k in range(40):
        t_jd = first_minute + k / 1440
        if t_jd > p.set_jd:
            break
        s = (t_jd - rise_jd) * 86400
        az = np.interp(s, seconds, np.unwrap(np.radians(azimuth_deg)))
        el = np.interp(s, seconds, elevation_deg)
        w = math.floor(t_jd)
        ax.plot([az], [el], marker="o", markersize=4, color="black")
        ax.annotate(
            jd_to_iso(w, t_jd - w, 0)[11:16],
            (az, el),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.plot(
        [theta[0]],
        [elevation_deg[0]],
        marker=">",
        color="green",
        markersize=8,
        linestyle="none",
        label="rise",
    )
    d = p.to_dict()
    mag = f", est. magnitude {p.peak_magnitude:.1f}" if p.peak_magnitude is not None else ""
    ax.set_title(
        title
        or f"{p.station}: pass of {d['rise_utc'][:16].replace('T', ' ')} UTC\n"
        f"max elevation {p.max_elevation_deg:.0f}°{mag}",
        fontsize=10,
    )
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.16), fontsize=7, ncol=2)
    return fig


def write_skyplots(catalogue, stations, passes, folder, fmt="png", dpi=110, tracks=None):
    """One sky plot per pass into ``folder``; returns the paths. ``tracks`` maps a pass's
    position in ``passes`` to precomputed (seconds, az, el); missing ones are computed."""
    from ..export.atomic import output_folder
    from ..names import unique_slugs
    from ..passes import pass_track

    folder = output_folder(folder)
    by_name = {s.name: s for s in stations}
    file_names = unique_slugs(s.name for s in stations)
    written = []
    for i, p in enumerate(passes):
        if tracks is not None and i in tracks:
            x, az, el = tracks[i]
        else:
            x, az, el = pass_track(catalogue, by_name[p.station], p)
        fig = sky_plot(p, x, az, el)
        stamp = p.to_dict()["rise_utc"][:16].replace(":", "").replace("-", "")
        path = folder / f"{file_names[p.station]}-{stamp}.{fmt}"
        save(fig, path, dpi)
        written.append(path)
    return written
