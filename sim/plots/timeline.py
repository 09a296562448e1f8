"""Mission timeline (events, passes per station) and altitude / element-set age over time."""

from __future__ import annotations

import numpy as np

from .style import ECLIPSE, STATION_COLOURS, VISIBLE, new_axes


def _dates(jd):
    """Matplotlib date numbers from UTC Julian dates."""
    import matplotlib.dates as mdates

    return np.asarray(jd, dtype=float) - 2440587.5 + mdates.date2num(np.datetime64("1970-01-01"))


def _date_axis(ax):
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlabel("UTC")


def timeline(results, *, ax=None):
    """Events as labelled vertical lines; passes per station as bars, visible ones in red."""
    fig, ax = new_axes(ax, figsize=(13, 2.2 + 0.55 * len(results.scenario.stations)))
    stations = results.scenario.stations
    for row, st in enumerate(stations):
        mine = [p for p in results.passes if p.station == st.name]
        # a pass lasts minutes: at a scale of days it is drawn as a tick at culmination
        ax.vlines(
            _dates([p.culmination_jd for p in mine]),
            row - 0.3,
            row + 0.3,
            colors=ECLIPSE,
            linewidth=1.2,
            alpha=0.7,
        )
        vis = [p for p in mine if p.visible]
        ax.vlines(
            _dates([p.culmination_jd for p in vis]),
            row - 0.42,
            row + 0.42,
            colors=VISIBLE,
            linewidth=3.0,
        )
        n_vis = len(vis)
        ax.annotate(
            f"{len(mine)} passes, {n_vis} visible",
            (1.0, row),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(stations)), [s.name for s in stations])
    ax.set_ylim(-0.8, len(stations) + 0.9)
    lo, hi = _dates([results.window_jd[0], results.window_jd[1]])
    for i, ev in enumerate(results.events):
        x = _dates(ev["jd"])
        ax.axvline(x, color="black", linewidth=1.0, linestyle="--")
        inside = lo <= x <= hi
        ax.annotate(
            ev["name"] + ("" if inside else " (outside window)"),
            (x, len(stations) + 0.15 + 0.35 * (i % 2)),
            fontsize=8,
            ha="left",
            xytext=(3, 0),
            textcoords="offset points",
        )
    ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    ax.plot([], [], color=ECLIPSE, linewidth=2, alpha=0.7, label="pass above the mask")
    ax.plot([], [], color=VISIBLE, linewidth=3, label="visible to the eye")
    ax.legend(loc="lower right", fontsize=8, bbox_to_anchor=(1.0, 1.0), ncol=2)
    ax.set_title(f"{results.scenario.mission_name}: events and station passes", loc="left")
    _date_axis(ax)
    return fig


def altitude_and_age(results, *, axes=None):
    """Two panels: altitude (km) and the age of the element set in force (h), switches marked."""
    import matplotlib.pyplot as plt

    eph = results.ephemeris
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(12, 6), sharex=True, layout="constrained")
    else:
        fig = axes[0].figure
    x = _dates(eph.times.jd)
    axes[0].plot(x, eph.alt_km, color=ECLIPSE, linewidth=0.6)
    axes[0].set_ylabel("altitude (km, WGS84)")
    axes[0].set_title(f"{results.scenario.mission_name}: altitude and element-set age", loc="left")
    axes[1].plot(x, eph.age_h, color="black", linewidth=1.0)
    axes[1].axhline(0, color="grey", linewidth=0.6)
    limit = results.catalogue.max_age_days * 24
    axes[1].axhspan(
        limit,
        max(limit, np.nanmax(np.abs(eph.age_h))) * 1.05,
        color=VISIBLE,
        alpha=0.12,
        label=f"older than {results.catalogue.max_age_days:g} days",
    )
    axes[1].axhspan(
        -max(limit, np.nanmax(np.abs(eph.age_h))) * 1.05, -limit, color=VISIBLE, alpha=0.12
    )
    axes[1].set_ylabel("age of set in force (h)\nnegative: propagated backwards")
    for i, sw in enumerate(results.switches):
        xs = _dates(sw.jd)
        if x[0] <= xs <= x[-1]:
            for a in axes:
                a.axvline(xs, color=STATION_COLOURS[1], linewidth=1.0, linestyle=":")
            axes[1].annotate(
                f"switch {sw.from_index + 1}->{sw.to_index + 1}: {sw.jump_km:.1f} km",
                (xs, 0),
                rotation=90,
                fontsize=7,
                xytext=(3, 5),
                textcoords="offset points",
                va="bottom" if i % 2 else "top",
            )
    axes[1].legend(loc="upper left", fontsize=8)
    _date_axis(axes[1])
    return fig
