"""Mission timeline (events, passes per station) and altitude / element-set age over time."""

from __future__ import annotations

import numpy as np

from ..tracks import revolution_starts
from .labels import stack_labels
from .style import (
    ECLIPSE,
    FAINT,
    LABEL_SIZE,
    LEG_STYLES,
    MARKERS,
    SMALL_SIZE,
    SUNLIT,
    VISIBLE,
    leg_style,
    new_axes,
    plain,
    quiet_glyphs,
    text_renderer,
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

    With a modelled flight the time axis spans every trajectory (launch to landing): a row
    "Soyuz (model)" shows each leg and every burn, the station rows add the modelled Soyuz
    passes in the model colour, and the stretches outside the replay window (where the ISS
    passes were not searched) are shaded. Events outside the axis are listed under the title
    instead of drawn as a line. Labels never overlap a line or each other and stay inside the
    frame."""
    stations = results.scenario.stations
    legs = [tr for tr in results.trajectories.values() if tr.modelled and len(tr.ephemeris)]
    burns = _burns(results)
    n_rows = len(stations) + (1 if legs else 0)
    fig, ax = new_axes(ax, figsize=(13, 2.6 + 0.55 * n_rows + (0.5 if legs else 0)))
    model_colour = LEG_STYLES["model"]["color"]
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
        text = f"{len(mine)} passes, {len(vis)} visible"
        if legs:
            model = [p for p in results.model_passes if p.station == st.name]
            model_vis = [p for p in model if p.visible]
            ax.vlines(
                _dates([p.culmination_jd for p in model]),
                row - 0.3,
                row + 0.3,
                colors=model_colour,
                linewidth=1.2,
                linestyles=(0, (1, 1)),
                label=f"Soyuz pass ({MODEL_WORD})" if row == 0 else None,
            )
            ax.vlines(
                _dates([p.culmination_jd for p in model_vis]),
                row - 0.42,
                row + 0.42,
                colors=model_colour,
                linewidth=3.0,
                label=f"Soyuz pass visible to the eye ({MODEL_WORD})" if row == 0 else None,
            )
            counts = f"{len(model)} passes, {len(model_vis)} visible"
            text = f"ISS: {text}\nSoyuz ({MODEL_WORD}): {counts}"
        ax.annotate(
            text,
            (1.0, row),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=LABEL_SIZE if not legs else SMALL_SIZE,
        )
    names = [plain(s.name) for s in stations]
    w_lo, w_hi = _dates([results.window_jd[0], results.window_jd[1]])
    lo, hi = w_lo, w_hi
    if legs:
        soyuz_row = len(stations)
        names.append(f"Soyuz ({MODEL_WORD})")
        for tr in legs:
            x = _dates(tr.ephemeris.times.jd[[0, -1]])
            lo, hi = min(lo, x[0]), max(hi, x[1])
            style = leg_style(tr.name)
            style["linewidth"] = 4.0
            ax.plot(
                x, [soyuz_row, soyuz_row], label=plain(tr.label), solid_capstyle="butt", **style
            )
        if burns:
            ax.plot(
                _dates([jd for _name, _dv, jd in burns]),
                [soyuz_row] * len(burns),
                linestyle="none",
                zorder=6,
                label=f"burn ({MODEL_WORD}: size solved or fitted)",
                **MARKERS["burn"],
            )
    ax.set_yticks(range(n_rows), names)
    span = hi - lo
    n_inside = sum(lo <= _dates(ev["jd"]) <= hi for ev in results.events)
    ax.set_ylim(-0.8, n_rows + 0.6 + 0.4 * max(n_inside, 1))
    ax.set_xlim(lo - 0.02 * span, hi + 0.02 * span)
    if legs:
        shade = dict(color=FAINT, alpha=0.13, linewidth=0, zorder=0)
        label = "outside the replay window: ISS passes not searched"
        if lo < w_lo:
            ax.axvspan(lo - 0.02 * span, w_lo, label=label, **shade)
            label = None
        if hi > w_hi:
            ax.axvspan(w_hi, hi + 0.02 * span, label=label, **shade)
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
        outside.append("before the axis: " + ", ".join(before))
    if after:
        outside.append("after it: " + ", ".join(after))
    ax.plot([], [], color=ECLIPSE, linewidth=2, alpha=0.7, label="ISS pass above the mask")
    ax.plot([], [], color=VISIBLE, linewidth=3, label="ISS pass visible to the eye")
    ax.plot([], [], color="black", linewidth=1, linestyle="--", label="event")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: "model" in labels[i])  # the ISS first
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    engine = fig.get_layout_engine()
    if legs and engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
        # many entries: below the axes, where they cannot meet the title or the event labels
        fig.legend(handles, labels, loc="outside lower center", fontsize=SMALL_SIZE, ncol=4)
    else:
        ax.legend(
            handles,
            labels,
            loc="lower right",
            fontsize=SMALL_SIZE if legs else LABEL_SIZE,
            bbox_to_anchor=(1.0, 1.0),
            ncol=4 if legs else 3,
        )
    title = f"{results.scenario.mission_name}: events and station passes"
    if legs:
        title += "; the Soyuz legs are a MODEL"
    if outside:
        title += "\n" + "; ".join(outside) + " (UTC)"
    ax.set_title(plain(title), loc="left", fontsize=LABEL_SIZE + 2)
    _date_axis(ax, tz)
    texts = stack_labels(ax, inside_x, inside_text)
    if burns:
        with quiet_glyphs():
            _label_burns(ax, burns, len(stations), span, texts)
    return fig


#: how modelled things are named in the timeline
MODEL_WORD = "model"


def _burns(results) -> list[tuple[str, float, float]]:
    """(name, Δv m/s, UTC JD) of every burn of the modelled flight, in time order."""
    from ..times import datetime_to_jd, parse_utc

    if results.flight is None:
        return []
    out = []
    for leg in results.flight.legs:
        for b in leg.burns:
            w, f = datetime_to_jd(parse_utc(b.utc, f"{leg.name} burn {b.name}"))
            out.append((b.name, b.dv_m_s, w + f))
    return sorted(out, key=lambda b: b[2])


def _label_burns(ax, burns, row, span, obstacles):
    """One label per group of burns closer than 3% of the axis (names and total Δv), above the
    Soyuz row: at the group's first burn, in the lowest free level, right of it or left."""
    from matplotlib.transforms import Bbox

    from .labels import _offset, _overlaps

    groups = [[burns[0]]]
    for b in burns[1:]:
        if float(_dates(b[2]) - _dates(groups[-1][-1][2])) < 0.03 * span:
            groups[-1].append(b)
        else:
            groups.append([b])
    fig = ax.figure
    renderer = text_renderer(fig)
    frame = ax.get_window_extent(renderer)
    taken = [t.get_window_extent(renderer) for t in obstacles]
    out = []
    for g in groups:
        if len(g) == 1:
            names = g[0][0]
        elif len(g) == 2:
            names = f"{g[0][0]}, {g[1][0]}"
        else:
            names = f"{g[0][0]}\u2013{g[-1][0]}"
        x = float(_dates(g[0][2]))
        t = ax.text(
            x,
            row,
            plain(f"{names} ({sum(b[1] for b in g):.0f} m/s)"),
            parse_math=False,  # names as written
            fontsize=SMALL_SIZE,
            va="bottom",
            zorder=10,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", alpha=0.85, linewidth=0),
        )
        t.set_in_layout(False)
        chosen = None
        for level in range(8):
            for ha, dx in (("left", 2), ("right", -2)):
                t.set_ha(ha)
                t.set_transform(ax.transData + _offset(fig, dx, 8 + level * (SMALL_SIZE + 5)))
                box = t.get_window_extent(renderer)
                if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y1 > frame.y1:
                    continue
                if not _overlaps(box, taken, pad=2.0):
                    chosen = box
                    break
            if chosen is not None:
                break
        if chosen is None:  # nowhere free: just above the marker
            t.set_ha("left")
            t.set_transform(ax.transData + _offset(fig, 2, 8))
            chosen = t.get_window_extent(renderer)
        taken.append(Bbox(chosen.get_points()))
        out.append(t)
    return out


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
