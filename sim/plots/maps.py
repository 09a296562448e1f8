"""Ground-track maps in longitude/latitude: coastlines, night shading, tracks, stations."""

from __future__ import annotations

import numpy as np

from ..tracks import footprint, split_antimeridian
from .coast import LAND_LEVELS, shorelines
from .style import COAST, ECLIPSE, LAND, NIGHT, STATION_COLOURS, SUNLIT, WATER, new_axes


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value > 0 else negative if value < 0 else ""
    return f"{abs(value):.0f}°{hemisphere}"


def draw_base(ax, resolution: str = "l"):
    """Ocean, land and lakes from GSHHS, a graticule and degree labels."""
    from matplotlib.collections import PolyCollection

    ax.set_facecolor(WATER)
    land = [p for level, p in shorelines(resolution) if level in LAND_LEVELS]
    lakes = [p for level, p in shorelines(resolution) if level in (2, 4)]
    ax.add_collection(
        PolyCollection(land, facecolors=LAND, edgecolors=COAST, linewidths=0.4, zorder=1)
    )
    ax.add_collection(
        PolyCollection(lakes, facecolors=WATER, edgecolors=COAST, linewidths=0.3, zorder=1)
    )
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_aspect("equal")
    ax.set_xticks(range(-180, 181, 30))
    ax.set_yticks(range(-90, 91, 30))
    ax.xaxis.set_major_formatter(
        lambda v, _: f"{abs(v):.0f}°{'E' if v > 0 else 'W' if v < 0 else ''}"
    )
    ax.yaxis.set_major_formatter(
        lambda v, _: f"{abs(v):.0f}°{'N' if v > 0 else 'S' if v < 0 else ''}"
    )
    ax.grid(color="white", linewidth=0.5, alpha=0.8, zorder=0.5)
    ax.tick_params(labelsize=8)


def draw_night(ax, subsolar_lat_deg: float, subsolar_lon_deg: float, label: str | None = None):
    """Shade night (Sun below the horizon) and twilight (down to -18 deg) from the sub-solar
    point; the terminator is the boundary of the shading."""
    lon = np.linspace(-180, 180, 721)
    lat = np.linspace(-90, 90, 361)
    lon2, lat2 = np.meshgrid(np.radians(lon), np.radians(lat))
    d = np.radians(subsolar_lat_deg)
    sin_alt = np.sin(lat2) * np.sin(d) + np.cos(lat2) * np.cos(d) * np.cos(
        lon2 - np.radians(subsolar_lon_deg)
    )
    alt = np.degrees(np.arcsin(np.clip(sin_alt, -1, 1)))
    ax.contourf(
        lon,
        lat,
        alt,
        levels=[-90, -18, -12, -6, 0],
        colors=[NIGHT] * 4,
        alpha=[0.42, 0.32, 0.24, 0.16],
        zorder=2,
    )
    ax.contour(lon, lat, alt, levels=[0], colors=[NIGHT], linewidths=0.8, zorder=2)
    ax.plot(
        [subsolar_lon_deg],
        [subsolar_lat_deg],
        marker="o",
        markersize=9,
        color="#ffd000",
        markeredgecolor="#b08a00",
        zorder=6,
        linestyle="none",
        label=label or "Sun at zenith",
    )


def track_pieces(lon_deg, lat_deg, sunlit, index=None):
    """Two-point pieces (M, 2, 2) of a track split at the antimeridian, and their colours:
    sunlit or eclipse by the state at each piece's first point. ``sunlit`` is looked up by the
    values of ``index`` (default: positions in ``lon_deg``)."""
    lit = np.asarray(sunlit)
    segs, colours = [], []
    for seg in split_antimeridian(lon_deg, lat_deg, index):
        pts = np.column_stack([seg.lon_deg, seg.lat_deg])
        if len(pts) > 1:
            segs.append(np.stack([pts[:-1], pts[1:]], axis=1))
            colours.append(np.where(lit[seg.rows[:-1]], SUNLIT, ECLIPSE))
    if not segs:
        return np.empty((0, 2, 2)), np.empty(0, dtype=str)
    return np.concatenate(segs), np.concatenate(colours)


def label_stations(ax, stations):
    for st in stations:
        ax.annotate(
            st.name,
            (st.lon_deg, st.lat_deg),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=8,
            zorder=8,
        )


def draw_track(ax, lon_deg, lat_deg, sunlit, *, linewidth: float = 1.4):
    """The ground track coloured by illumination, split at the antimeridian."""
    from matplotlib.collections import LineCollection

    segs, colours = track_pieces(lon_deg, lat_deg, sunlit)
    lc = LineCollection(segs, colors=colours, linewidths=linewidth, zorder=4)
    ax.add_collection(lc)
    ax.plot([], [], color=SUNLIT, linewidth=2, label="track, ISS sunlit")
    ax.plot([], [], color=ECLIPSE, linewidth=2, label="track, ISS in Earth's shadow")
    return lc


def draw_stations(ax, stations, altitude_km: float):
    for i, st in enumerate(stations):
        colour = STATION_COLOURS[i % len(STATION_COLOURS)]
        ax.plot(
            st.lon_deg,
            st.lat_deg,
            marker="s",
            markersize=6,
            color=colour,
            markeredgecolor="black",
            linestyle="none",
            zorder=7,
            label=f"{st.name} (footprint: ISS above {st.min_elevation_deg:g}°)",
        )
        lon, lat = footprint(st.lat_deg, st.lon_deg, altitude_km, st.min_elevation_deg)
        for seg in split_antimeridian(lon, lat):
            ax.plot(seg.lon_deg, seg.lat_deg, color=colour, linewidth=1.2, zorder=5)
    label_stations(ax, stations)


MARKERS = {
    "launch": dict(marker="^", color="#d62728", label="launch pad"),
    "docking": dict(marker="*", color="#2ca02c", label="ISS at docking"),
    "undocking": dict(marker="*", color="#9467bd", label="ISS at undocking"),
    "landing": dict(marker="v", color="#8c564b", label="landing site"),
}


def draw_markers(ax, markers):
    """``markers``: list of (kind, lon, lat, text) with kind in MARKERS."""
    for kind, lon, lat, text in markers:
        style = dict(MARKERS.get(kind, dict(marker="o", color="black", label=kind)))
        label = style.pop("label")
        ax.plot(
            lon,
            lat,
            markersize=11,
            markeredgecolor="black",
            linestyle="none",
            zorder=9,
            label=f"{label}: {text}",
            **style,
        )


def track_map(results, *, day_index=None, ax=None, resolution="l"):
    """The whole replay (``day_index=None``) or one UTC day of it, as a figure."""
    fig, ax = new_axes(ax)
    eph = results.ephemeris
    draw_base(ax, resolution)
    if day_index is None:
        sel = np.arange(len(eph))
        night_at = results.night_instant
        title = f"{results.scenario.mission_name}: ground track {results.window_label}"
    else:
        day = results.days[day_index]
        sel = day["index"]
        night_at = day["night_instant"]
        title = f"{results.scenario.mission_name}: ground track on {day['date']} (UTC)"
    lat_s, lon_s, when = night_at
    draw_night(ax, lat_s, lon_s, label=f"Sun at zenith; night shading at {when}")
    ok = eph.ok[sel]
    sel = sel[ok]
    draw_track(
        ax,
        eph.lon_deg[sel],
        eph.lat_deg[sel],
        eph.sunlit[sel],
        linewidth=1.6 if day_index is not None else 0.6,
    )
    draw_stations(ax, results.scenario.stations, float(np.nanmedian(eph.alt_km)))
    draw_markers(ax, results.map_markers())
    ax.set_title(title, fontsize=12)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude (geodetic)")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9, ncol=2)
    return fig
