"""Pictures of the modelled Soyuz legs: the chase from the pad to docking and the ride home,
as maps with the burns, and altitude profiles. Every title and legend says MODEL."""

from __future__ import annotations

import math

import numpy as np

from ..times import jd_to_iso
from ..tracks import split_antimeridian
from .labels import Label, marker_boxes, place_labels, stack_labels
from .maps import draw_base, draw_night, map_figure, place_map
from .style import (
    MARKERS,
    SMALL_SIZE,
    TITLE_SIZE,
    leg_style,
    plain,
    quiet_glyphs,
    text_renderer,
)


def _legs(results, words):
    return [
        tr
        for tr in results.trajectories.values()
        if tr.modelled and any(w in tr.name.lower() for w in words)
    ]


def _burn_rows(results, legs):
    """(label, lon, lat, jd) of each burn of the given legs, at the burn's sample."""
    out = []
    if results.flight is None:
        return out
    names = {tr.name for tr in legs}
    for leg in results.flight.legs:
        if leg.name not in names:
            continue
        eph = results.trajectories[leg.name].ephemeris
        jd = eph.times.jd
        for b in leg.burns:
            from ..times import datetime_to_jd, parse_utc

            w, f = datetime_to_jd(parse_utc(b.utc, "burn"))
            k = int(np.clip(np.searchsorted(jd, w + f), 0, len(jd) - 1))
            out.append((f"{b.name} {b.dv_m_s:.1f} m/s", eph.lon_deg[k], eph.lat_deg[k], w + f))
    return out


def flight_map(results, which: str = "chase", *, ax=None):
    """The modelled ascent and chase (``which="chase"``) or the return (``"return"``) on the
    world map: the track coloured sunlit/shadow, each burn marked and labelled."""
    legs = _legs(results, ("ascent", "free flight") if which == "chase" else ("return",))
    own = ax is None
    fig, ax = map_figure(ax)
    draw_base(ax)
    if not legs:
        ax.set_title("no modelled leg in this replay")
        if own:
            place_map(ax)
        return fig
    jd_mid = 0.5 * (legs[0].ephemeris.times.jd[0] + legs[-1].ephemeris.times.jd[-1])
    from ..ephemeris import subsolar_point

    lat_s, lon_s = subsolar_point(math.floor(jd_mid), jd_mid % 1)
    when = jd_to_iso(math.floor(jd_mid), jd_mid % 1, 0)[:16].replace("T", " ")
    draw_night(ax, lat_s, lon_s, label=f"Sun at zenith; night shading at {when} UTC only")
    for tr in legs:
        eph = tr.ephemeris
        rows = np.flatnonzero(eph.ok)
        style = leg_style(tr.name)
        many = (eph.times.jd[-1] - eph.times.jd[0]) > 0.5  # days of orbits: thin, translucent
        style.update(linewidth=0.8, alpha=0.55) if many else style.update(linewidth=2.4)
        first = True
        for seg in split_antimeridian(eph.lon_deg[rows], eph.lat_deg[rows]):
            ax.plot(
                seg.lon_deg,
                seg.lat_deg,
                zorder=4,
                label=plain(tr.label) if first else None,
                **style,
            )
            first = False
    labels = []
    burns = _burn_rows(results, legs)
    if burns:
        ax.plot(
            [b[1] for b in burns],
            [b[2] for b in burns],
            linestyle="none",
            zorder=9,
            label="burn (modelled; size solved or fitted)",
            **MARKERS["burn"],
        )
        labels += [Label(text, lon, lat, True, SMALL_SIZE) for text, lon, lat, _ in burns]
    first, last = legs[0].ephemeris, legs[-1].ephemeris
    if which == "chase":
        ax.plot(
            first.lon_deg[0],
            first.lat_deg[0],
            linestyle="none",
            zorder=9,
            label="launch pad (lift-off)",
            **MARKERS["launch"],
        )
        ax.plot(
            last.lon_deg[-1],
            last.lat_deg[-1],
            linestyle="none",
            zorder=9,
            label="docking with the ISS",
            **MARKERS["docking"],
        )
        title = "Soyuz MS-25 from the pad to docking: MODEL (ascent, solved two-day chase)"
    else:
        ax.plot(
            first.lon_deg[0],
            first.lat_deg[0],
            linestyle="none",
            zorder=9,
            label="undocking from the ISS",
            **MARKERS["undocking"],
        )
        ax.plot(
            last.lon_deg[-1],
            last.lat_deg[-1],
            linestyle="none",
            zorder=9,
            label="modelled landing",
            **MARKERS["landing"],
        )
        facts = results.flight.params if results.flight is not None else None
        if facts is not None:
            ax.plot(
                facts.landing_lon_deg,
                facts.landing_lat_deg,
                linestyle="none",
                zorder=9,
                marker="o",
                markersize=12,
                markerfacecolor="none",
                markeredgecolor="black",
                label="published landing site (about)",
            )
        title = "Soyuz MS-24 ride home: MODEL (de-orbit and entry fitted to the landing)"
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude (geodetic)")
    legend = ax.legend(loc="lower left", fontsize=SMALL_SIZE, framealpha=0.92, ncol=2)
    renderer = place_map(ax, legend) if own else text_renderer(fig)
    with quiet_glyphs():
        obstacles = [legend.get_window_extent(renderer)]
    obstacles += marker_boxes(ax, [b[1] for b in burns], [b[2] for b in burns])
    place_labels(ax, labels, obstacles, renderer=renderer)
    return fig


def flight_profile(results, *, axes=None):
    """Altitude of the modelled legs against time: the chase (hours from lift-off) and the ride
    home (minutes from undocking), burns as labelled lines."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(
            1, 2, figsize=(13, 5), layout="constrained", gridspec_kw={"width_ratios": [3, 1.3]}
        )
    else:
        fig = axes[0].figure
    labels = []  # placed once every panel is drawn: they are measured in the final layout
    for ax, words, unit, scale in (
        (axes[0], ("ascent", "free flight"), "hours from lift-off", 24.0),
        (axes[1], ("return",), "minutes from undocking", 1440.0),
    ):
        legs = _legs(results, words)
        if not legs:
            ax.set_title("no modelled leg")
            continue
        t0 = legs[0].ephemeris.times.jd[0]
        for tr in legs:
            eph = tr.ephemeris
            ax.plot(
                (eph.times.jd - t0) * scale, eph.alt_km, label=plain(tr.label), **leg_style(tr.name)
            )
        burns = _burn_rows(results, legs)
        xs = [(jd - t0) * scale for *_, jd in burns]
        for x in xs:
            ax.axvline(x, color=MARKERS["burn"]["color"], linewidth=0.9, linestyle=":")
        top = max(float(np.nanmax(tr.ephemeris.alt_km)) for tr in legs)
        ax.set_ylim(0, top * 1.45)
        ax.set_xlabel(unit)
        ax.set_ylabel("altitude (km, WGS84)")
        ax.legend(loc="lower right", fontsize=SMALL_SIZE)
        labels.append((ax, xs, [b[0].split(" ")[0] for b in burns]))
    axes[0].set_title("Soyuz MS-25 chase: MODEL", loc="left", fontsize=TITLE_SIZE)
    axes[1].set_title("Soyuz MS-24 return: MODEL", loc="left", fontsize=TITLE_SIZE)
    for ax, xs, texts in labels:
        stack_labels(ax, xs, texts, fontsize=SMALL_SIZE)
    return fig
