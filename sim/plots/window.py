"""The launch-window plot: daily in-plane instants, plane offset around lift-offs, phase angle."""

from __future__ import annotations

import math

import numpy as np

from .style import ECLIPSE, VISIBLE, station_colour


def launch_window_plot(window, *, axes=None):
    """Three panels: time of day of each ascending in-plane instant (lift-offs marked), the plane
    offset around each lift-off, and the phase angle at insertion for each daily opportunity."""
    import matplotlib.pyplot as plt

    from .timeline import _date_axis, _dates

    if axes is None:
        fig, axes = plt.subplots(3, 1, figsize=(11, 10), layout="constrained")
    else:
        fig = axes[0].figure
    opp_jd = np.array([o.in_plane_jd for o in window.opportunities])
    day_x = _dates(np.floor(opp_jd - 0.5) + 0.5)
    hours = ((opp_jd - 0.5) % 1.0) * 24.0
    ax = axes[0]
    ax.plot(day_x, hours, "o-", color=ECLIPSE, label="ascending in-plane instant")
    for i, a in enumerate(window.assessments):
        x = _dates(math.floor(a.launch_jd - 0.5) + 0.5)
        ax.plot(
            x,
            ((a.launch_jd - 0.5) % 1.0) * 24.0,
            marker="*",
            markersize=14,
            color=station_colour(i),
            linestyle="none",
            label=f"{a.name}: lift-off {a.lead_s:.0f} s before the in-plane instant",
        )
    ax.set_ylabel("time of day (UTC hours)")
    ax.set_title(
        f"Launch window from {window.site.name}: the pad under the ISS orbital plane", loc="left"
    )
    ax.legend(fontsize=8, loc="upper right")  # where 'best' put it, without its search
    _date_axis(ax)
    ax = axes[1]
    for i, a in enumerate(window.assessments):
        minutes, offset = window.curves[a.name]
        ax.plot(
            minutes,
            offset,
            color=station_colour(i),
            label=f"{a.name}: {a.plane_offset_deg:.2f}° at lift-off",
        )
        ax.axvline(a.lead_s / 60.0, color=station_colour(i), linestyle=":")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=1.0, label="lift-off")
    ax.set_xlabel("minutes from lift-off (dotted: in-plane instant)")
    ax.set_ylabel("pad angle to the orbital plane (deg)")
    ax.legend(fontsize=8, loc="upper right")  # where 'best' put it, without its search
    ax = axes[2]
    phases = np.array([o.phase_deg for o in window.opportunities])
    ax.bar(
        day_x,
        phases,
        width=0.6,
        color=ECLIPSE,
        alpha=0.7,
        label=f"launch at the in-plane instant (insertion {window.insertion_s:g} s later)",
    )
    for i, a in enumerate(window.assessments):
        x = _dates(math.floor(a.launch_jd - 0.5) + 0.5)
        ax.plot(
            x,
            a.phase_deg,
            marker="*",
            markersize=14,
            color=station_colour(i),
            linestyle="none",
            label=f"{a.name}: {a.phase_deg:.0f}°",
        )
    ax.set_ylim(0, 470)  # headroom for the legend above the 360 deg scale
    ax.set_yticks(range(0, 361, 45))
    ax.axhspan(0, 45, color=VISIBLE, alpha=0.12, label="ISS just ahead: short chase")
    ax.set_ylabel("phase angle at insertion (deg)\nISS ahead of the insertion point")
    ax.set_title(
        f"insertion point approximated {window.downrange_deg:g}° downrange of the pad",
        loc="left",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    _date_axis(ax)
    return fig
