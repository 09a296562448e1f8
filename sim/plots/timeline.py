"""Mission timeline (events, passes per station) and altitude / element-set age over time."""

from __future__ import annotations

import numpy as np

from ..tracks import revolution_starts
from .labels import stack_labels
from .style import (
    ECLIPSE,
    FAINT,
    LABEL_SIZE,
    MARKERS,
    SMALL_SIZE,
    SUNLIT,
    VISIBLE,
    new_axes,
    plain,
)


def _dates(jd):
    """Matplotlib date numbers from UTC Julian dates."""
    import matplotlib.dates as mdates

    return np.asarray(jd, dtype=float) - 2440587.5 + mdates.date2num(np.datetime64("1970-01-01"))


def _date_axis(ax, tz=None):
    """Days as "25 Mar" (in ``tz``, a zoneinfo zone; default UTC), six-hour minor ticks."""
    import matplotlib.dates as mdates

    lo, hi = ax.get_xlim()
    days = hi - lo
    step = 1 if days <= 16 else 2 if days <= 32 else 7
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=step, tz=tz))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=tz))
    if days <= 16:
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18], tz=tz))
    ax.set_xlabel(f"date ({'UTC' if tz is None else tz})")


def timeline(results, *, ax=None, tz=None):
    """Events as labelled vertical lines; passes per station as bars, visible ones in red.

    Events outside the replay window are listed under the title instead of drawn as a line.
    Labels never overlap a line or each other and stay inside the frame."""
    stations = results.scenario.stations
    fig, ax = new_axes(ax, figsize=(13, 2.6 + 0.55 * len(stations)))
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
        ax.annotate(
            f"{len(mine)} passes, {len(vis)} visible",
            (1.0, row),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=LABEL_SIZE,
        )
    ax.set_yticks(range(len(stations)), [plain(s.name) for s in stations])
    lo, hi = _dates([results.window_jd[0], results.window_jd[1]])
    n_inside = sum(lo <= _dates(ev["jd"]) <= hi for ev in results.events)
    ax.set_ylim(-0.8, len(stations) + 0.6 + 0.4 * max(n_inside, 1))
    ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    inside_x, inside_text = [], []
    before, after = [], []
    for ev in sorted(results.events, key=lambda e: e["jd"]):
        x = float(_dates(ev["jd"]))
        when = ev["utc"][5:16].replace("T", " ")
        if lo <= x <= hi:
            ax.axvline(x, color="black", linewidth=1.0, linestyle="--", zorder=1)
            inside_x.append(x)
            inside_text.append(ev["name"])
        elif x < lo:
            before.append(f"{ev['name']} {when}")
        else:
            after.append(f"{ev['name']} {when}")
    outside = []
    if before:
        outside.append("before the window: " + ", ".join(before))
    if after:
        outside.append("after it: " + ", ".join(after))
    ax.plot([], [], color=ECLIPSE, linewidth=2, alpha=0.7, label="pass above the mask")
    ax.plot([], [], color=VISIBLE, linewidth=3, label="visible to the eye")
    ax.plot([], [], color="black", linewidth=1, linestyle="--", label="event")
    ax.legend(loc="lower right", fontsize=LABEL_SIZE, bbox_to_anchor=(1.0, 1.0), ncol=3)
    title = f"{results.scenario.mission_name}: events and station passes"
    if outside:
        title += "\n" + "; ".join(outside) + " (UTC)"
    ax.set_title(plain(title), loc="left", fontsize=LABEL_SIZE + 2)
    _date_axis(ax, tz)
    stack_labels(ax, inside_x, inside_text)
    return fig


def orbit_altitudes(jd, lat_deg, alt_km):
    """Per revolution (ascending node to ascending node): mid time (JD), lowest, mean and
    highest altitude (km). Partial revolutions at the ends are left out."""
    starts = revolution_starts(lat_deg)
    mid, low, mean, high = [], [], [], []
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        seg = alt_km[a:b]
        mid.append(0.5 * (jd[a] + jd[b - 1]))
        low.append(np.min(seg))
        mean.append(np.mean(seg))
        high.append(np.max(seg))
    return np.array(mid), np.array(low), np.array(mean), np.array(high)


def altitude_and_age(results, *, axes=None, tz=None):
    """Two panels: per-orbit lowest, mean and highest altitude (km), and the age of the element
    set in force (h), switches marked and labelled above the data."""
    import matplotlib.pyplot as plt

    eph = results.ephemeris
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(12, 6.5), sharex=True, layout="constrained")
    else:
        fig = axes[0].figure
    ok = eph.ok
    jd = eph.times.jd[ok]
    mid, low, mean, high = orbit_altitudes(jd, eph.lat_deg[ok], eph.alt_km[ok])
    x = _dates(mid)
    axes[0].plot(x, high, color=SUNLIT, linewidth=1.4, label="highest point of each orbit")
    axes[0].plot(x, mean, color="black", linewidth=1.4, label="mean of each orbit")
    axes[0].plot(x, low, color=ECLIPSE, linewidth=1.4, label="lowest point of each orbit")
    axes[0].set_ylabel("altitude (km, WGS84)")
    axes[0].legend(loc="lower left", fontsize=SMALL_SIZE, ncol=3)
    axes[0].set_title(
        plain(f"{results.scenario.mission_name}: altitude per orbit and element-set age"),
        loc="left",
    )
    xa = _dates(jd)
    age = eph.age_h[ok]
    axes[1].plot(xa, age, color="black", linewidth=1.0, label="age of the set in force")
    axes[1].axhline(0, color=FAINT, linewidth=0.6)
    limit = results.catalogue.max_age_days * 24
    top = max(limit, float(np.nanmax(np.abs(age)))) * 1.05 if age.size else limit
    axes[1].axhspan(
        limit,
        top,
        color=VISIBLE,
        alpha=0.12,
        label=f"more than {results.catalogue.max_age_days:g} days from the set's epoch",
    )
    axes[1].axhspan(-top, -limit, color=VISIBLE, alpha=0.12)
    axes[1].set_ylim(-top, top * 1.9)  # room above the data for the switch labels
    axes[1].set_ylabel("age of set in force (h)\nnegative: propagated backwards")
    xs, texts = [], []
    for sw in results.switches:
        xsw = float(_dates(sw.jd))
        if xa.size and xa[0] <= xsw <= xa[-1]:
            for a in axes:
                a.axvline(xsw, color=MARKERS["undocking"]["color"], linewidth=1.0, linestyle=":")
            xs.append(xsw)
            texts.append(f"switch {sw.from_index + 1}\u2192{sw.to_index + 1}\n{sw.jump_km:.1f} km")
    axes[1].plot([], [], color=MARKERS["undocking"]["color"], linestyle=":", label="set switch")
    axes[1].legend(loc="lower left", fontsize=SMALL_SIZE, ncol=3)
    _date_axis(axes[1], tz)
    stack_labels(axes[1], xs, texts, fontsize=SMALL_SIZE)
    return fig
