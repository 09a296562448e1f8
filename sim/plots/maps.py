"""Ground-track maps in longitude/latitude: coastlines, night shading, tracks with time ticks
and direction arrows, stations with footprints, events; and a regional map of each pass."""

from __future__ import annotations

import functools
import math

import numpy as np

from ..times import jd_to_iso
from ..tracks import footprint, footprint_radius_km, split_antimeridian
from .coast import coast_base
from .labels import Label, marker_boxes, place_labels
from .style import (
    ECLIPSE,
    FAINT,
    MAP_SIZE,
    MARKERS,
    NIGHT,
    SMALL_SIZE,
    SUNLIT,
    TITLE_SIZE,
    VISIBLE,
    WATER,
    leg_style,
    plain,
    quiet_glyphs,
    station_colour,
    text_renderer,
)


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value > 0 else negative if value < 0 else ""
    return f"{abs(value):.0f}°{hemisphere}"


def _lon_label(value, _pos=None) -> str:
    return _degrees(value, "E", "W")


def _lat_label(value, _pos=None) -> str:
    return _degrees(value, "N", "S")


def draw_base(ax, resolution: str = "l", extent=(-180, 180, -90, 90), step_deg: int = 30):
    """Ocean, land and lakes from GSHHS, a graticule and degree labels. The land is one artist
    (:func:`coast.coast_base`) that paints the polygons meeting the axes' limits when the
    figure is drawn."""
    ax.set_facecolor(WATER)
    ax.add_artist(coast_base(resolution))
    x0, x1, y0, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks(range(math.ceil(x0 / step_deg) * step_deg, int(x1) + 1, step_deg))
    ax.set_yticks(range(math.ceil(y0 / step_deg) * step_deg, int(y1) + 1, step_deg))
    ax.xaxis.set_major_formatter(_lon_label)
    ax.yaxis.set_major_formatter(_lat_label)
    ax.grid(color="white", linewidth=0.5, alpha=0.8, zorder=0.5)
    ax.tick_params(labelsize=8)


def sun_altitude_grid(subsolar_lat_deg, subsolar_lon_deg, lon, lat):
    """The Sun's altitude (deg) on a lon/lat grid (rows: ``lat``, columns: ``lon``), from the
    sub-solar point (spherical Earth); the trigonometry is taken per row and per column."""
    lat_r = np.radians(np.asarray(lat, dtype=float))[:, None]
    lon_r = np.radians(np.asarray(lon, dtype=float))[None, :]
    d = np.radians(subsolar_lat_deg)
    # sin(alt) = sin(lat) sin(d) + cos(lat) cos(d) cos(dlon), then alt, in one array
    alt = (np.cos(lat_r) * np.cos(d)) * np.cos(lon_r - np.radians(subsolar_lon_deg))
    alt += np.sin(lat_r) * np.sin(d)
    np.clip(alt, -1, 1, out=alt)
    np.arcsin(alt, out=alt)
    return np.degrees(alt, out=alt)


def draw_night(
    ax,
    subsolar_lat_deg: float,
    subsolar_lon_deg: float,
    label: str | None = None,
    grid_deg: float = 0.5,
    animated: bool = False,
    sun: bool = True,
    extent=None,
):
    """Shade night (Sun below the horizon) and twilight (down to -18 deg) from the sub-solar
    point; the terminator is the boundary of the shading. Returns the artists drawn (the
    animation removes and redraws them each frame). With ``extent`` (lon0, lon1, lat0, lat1)
    only the nodes of the world grid that cover it are contoured (the same lines there)."""
    lon = np.linspace(-180, 180, int(round(360 / grid_deg)) + 1)
    lat = np.linspace(-90, 90, int(round(180 / grid_deg)) + 1)
    if extent is not None:
        x0, x1, y0, y1 = extent
        lon = lon[(lon >= x0 - grid_deg) & (lon <= x1 + grid_deg)]
        lat = lat[(lat >= y0 - grid_deg) & (lat <= y1 + grid_deg)]
    alt = sun_altitude_grid(subsolar_lat_deg, subsolar_lon_deg, lon, lat)
    # contourpy's "serial" algorithm: about half the time of matplotlib's default (mpl2014)
    # on this grid, the same pixels on every map of the default run
    shade = ax.contourf(
        lon,
        lat,
        alt,
        levels=[-90, -18, -12, -6, 0],
        colors=[NIGHT] * 4,
        alpha=[0.42, 0.32, 0.24, 0.16],
        zorder=2,
        algorithm="serial",
    )
    # the terminator from the shading's own contour generator (not a second one on the grid)
    line = ax.contour(shade, levels=[0], colors=[NIGHT], linewidths=0.8, zorder=2)
    artists = [shade, line]
    if sun:
        (marker,) = ax.plot(
            [subsolar_lon_deg],
            [subsolar_lat_deg],
            linestyle="none",
            zorder=6,
            clip_on=False,  # a Sun at the map's edge is drawn whole
            label=label or "Sun at zenith",
            **MARKERS["sun"],
        )
        marker.set_in_layout(False)
        artists.append(marker)
    else:
        ax.plot([], [], color=NIGHT, alpha=0.4, linewidth=6, label=label or "night")
    for a in artists:
        a.set_animated(animated)
    return artists


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


def track_runs(lon_deg, lat_deg, sunlit):
    """The track as polylines of one colour each, split at the antimeridian: the pieces of
    :func:`track_pieces` (each coloured by the state at its first point) joined while their
    colour stays the same. Returns (list of (N, 2) lon/lat arrays, colours). One polyline per
    run instead of one path per sample pair: the same line, drawn many times faster."""
    lit = np.asarray(sunlit)
    runs, colours = [], []
    for seg in split_antimeridian(lon_deg, lat_deg):
        pts = np.column_stack([seg.lon_deg, seg.lat_deg])
        if len(pts) < 2:
            continue
        state = lit[seg.rows[:-1]]  # piece k joins points k and k + 1
        cuts = np.flatnonzero(state[1:] != state[:-1]) + 1
        starts = np.concatenate([[0], cuts])
        ends = np.concatenate([cuts, [state.size]])
        for a, b in zip(starts, ends, strict=True):
            runs.append(pts[a : b + 1])
            colours.append(SUNLIT if state[a] else ECLIPSE)
    return runs, colours


def draw_track(ax, lon_deg, lat_deg, sunlit, *, linewidth: float = 1.4, name: str = "ISS"):
    """The ground track coloured by illumination, split at the antimeridian: one polyline per
    stretch of one colour (:func:`track_runs`)."""
    from matplotlib.collections import LineCollection

    runs, colours = track_runs(lon_deg, lat_deg, sunlit)
    lc = LineCollection(runs, colors=colours, linewidths=linewidth, zorder=4)
    ax.add_collection(lc)
    ax.plot([], [], color=SUNLIT, linewidth=2, label=f"{name} track, sunlit at that moment")
    ax.plot([], [], color=ECLIPSE, linewidth=2, label=f"{name} track, in Earth's shadow")
    return lc


def draw_faint(ax, lon_deg, lat_deg, label: str | None = None, **style):
    """A track drawn as context, thin and grey (the rest of the stay)."""
    kw = dict(color=FAINT, linewidth=0.5, alpha=0.45, zorder=3)
    kw.update(style)
    first = True
    for seg in split_antimeridian(lon_deg, lat_deg):
        ax.plot(seg.lon_deg, seg.lat_deg, label=label if first else None, **kw)
        first = False


def draw_time_ticks(ax, jd, lon_deg, lat_deg, *, tick_s=600.0, label_s=1800.0, tz=None):
    """Dots on the track at every whole ``tick_s`` (positions interpolated between samples)
    and direction arrows at every whole ``label_s``; returns the optional labels (HH:MM) for
    :func:`place_labels`. Times are UTC unless ``tz``."""
    jd = np.asarray(jd, dtype=float)
    if jd.size < 2:
        return []
    day0 = math.floor(jd[0])
    sec = (jd - day0) * 86400.0
    ticks_s = np.arange(math.ceil(sec[0] / tick_s - 1e-9) * tick_s, sec[-1] + 1e-6, tick_s)
    lon_u = np.degrees(np.unwrap(np.radians(lon_deg)))
    t_lon = (np.interp(ticks_s, sec, lon_u) + 180.0) % 360.0 - 180.0
    t_lat = np.interp(ticks_s, sec, lat_deg)
    ahead = np.interp(ticks_s + 20.0, sec, lon_u) - np.interp(ticks_s, sec, lon_u)
    ahead_lat = np.interp(ticks_s + 20.0, sec, lat_deg) - t_lat
    ax.plot(t_lon, t_lat, "o", color="black", markersize=2.2, zorder=5)
    labels = []
    for k, s in enumerate(ticks_s):
        if abs(s / label_s - round(s / label_s)) > 1e-6:
            continue
        norm = math.hypot(ahead[k], ahead_lat[k])
        if norm > 0:
            direction_arrow(
                ax,
                (t_lon[k] + 3.0 * ahead[k] / norm, t_lat[k] + 3.0 * ahead_lat[k] / norm),
                (float(t_lon[k]), float(t_lat[k])),
            )
        when = day0 + s / 86400.0
        labels.append(
            Label(_clock(when, tz), float(t_lon[k]), float(t_lat[k]), False, SMALL_SIZE, "0.15")
        )
    ax.plot([], [], "o", color="black", markersize=2.2, label=_tick_legend(tick_s, label_s, tz))
    return labels


@functools.cache
def _arrow_class():
    from matplotlib.patches import FancyArrowPatch

    class DirectionArrow(FancyArrowPatch):
        """A FancyArrowPatch between two points in data coordinates, drawn as an annotation
        draws its arrow (see :func:`direction_arrow`)."""

        def draw(self, renderer):
            end = self.axes.transData.transform(self.xy_data)
            if not self.axes.contains_point(end):
                return
            start = self.axes.transData.transform(self.xytext_data)
            # each end shortened by shrink_pt along the straight arrow, as matplotlib's
            # shrinkA and shrinkB do by bisecting a Bezier curve (to 0.01 px, at several
            # times the cost); an arrow too short for both is left to matplotlib
            length = math.hypot(*(end - start))
            cut = self.shrink_pt * renderer.points_to_pixels(1.0)
            if length > 2 * cut + 1.0:
                step = (end - start) * (cut / length)
                start, end = start + step, end - step
                self.shrinkA = self.shrinkB = 0
            else:
                self.shrinkA = self.shrinkB = self.shrink_pt
            self.set_positions(start, end)
            super().draw(renderer)

    return DirectionArrow


def direction_arrow(ax, xy, xytext, zorder: float = 5):
    """An arrow from ``xytext`` to ``xy`` (data coordinates): the arrow of
    ``ax.annotate("", xy, xytext, arrowprops=...)``, drawn only when ``xy`` is inside the axes
    and never clipped, without the empty Text an annotation carries (a map has up to a hundred;
    the Text cost about a third of a map's drawing). Same pixels as the annotation's."""
    from matplotlib.transforms import IdentityTransform

    arrow = _arrow_class()(
        (0, 0),
        (1, 1),
        arrowstyle="-|>",
        color="black",
        linewidth=0.8,
        mutation_scale=9,
        zorder=zorder,
        transform=IdentityTransform(),
        shrinkA=0,
        shrinkB=0,
    )
    arrow.xy_data, arrow.xytext_data = xy, xytext
    arrow.shrink_pt = 2.0  # an annotation's shrinkA and shrinkB
    ax.add_artist(arrow)
    arrow.set_clip_on(False)
    arrow.set_in_layout(False)
    return arrow


def _clock(jd: float, tz=None) -> str:
    if tz is None:
        return jd_to_iso(math.floor(jd), jd % 1, 0)[11:16]
    from ..times import jd_to_datetime

    return jd_to_datetime(math.floor(jd), jd % 1).astimezone(tz).strftime("%H:%M")


def _zone_text(tz) -> str:
    return "UTC" if tz is None else str(getattr(tz, "key", tz))


def _tick_legend(tick_s, label_s, tz) -> str:
    zone = _zone_text(tz)
    return f"dots every {tick_s / 60:g} min, time ({zone}) and direction every {label_s / 60:g} min"


def draw_stations(ax, stations, altitude_km: float, object_name: str = "ISS"):
    """Station squares and their visibility footprints; returns their name labels."""
    labels = []
    for i, st in enumerate(stations):
        colour = station_colour(i)
        ax.plot(
            st.lon_deg,
            st.lat_deg,
            linestyle="none",
            zorder=7,
            color=colour,
            label=plain(f"{st.name} (footprint: {object_name} above {st.min_elevation_deg:g}°)"),
            **{k: v for k, v in MARKERS["station"].items()},
        )
        lon, lat = footprint(st.lat_deg, st.lon_deg, altitude_km, st.min_elevation_deg)
        for seg in split_antimeridian(lon, lat):
            ax.plot(seg.lon_deg, seg.lat_deg, color=colour, linewidth=1.2, zorder=5)
        labels.append(Label(st.name, st.lon_deg, st.lat_deg))
    return labels


EVENT_WORDS = {
    "launch": "launch pad",
    "scrub": "scrubbed attempt",
    "docking": "ISS at docking",
    "undocking": "ISS at undocking",
    "landing": "landing site",
}


def draw_markers(ax, markers):
    """``markers``: list of (kind, lon, lat, text), one marker each, named in the legend."""
    for kind, lon, lat, text in markers:
        style = dict(MARKERS.get(kind, MARKERS["burn"]))
        ax.plot(
            lon,
            lat,
            linestyle="none",
            zorder=9,
            label=plain(f"{EVENT_WORDS.get(kind, kind)}: {text}"),
            **style,
        )


def draw_modelled(ax, results, sel_jd=None, faint: bool = False):
    """Every modelled trajectory (the Soyuz legs) in its own line style, named "(model)";
    ``faint``: thin and translucent (the overview, where two days of chase would otherwise
    cover the ISS track)."""
    for traj in results.trajectories.values():
        if not traj.modelled:
            continue
        eph = traj.ephemeris
        rows = np.arange(len(eph))[eph.ok]
        if sel_jd is not None:
            jd = eph.times.jd[rows]
            rows = rows[(jd >= sel_jd[0]) & (jd <= sel_jd[1])]
        if rows.size < 2:
            continue
        style = leg_style(traj.name)
        if faint:
            style["linewidth"] *= 0.5
            style["alpha"] = 0.6
        first = True
        for seg in split_antimeridian(eph.lon_deg[rows], eph.lat_deg[rows]):
            ax.plot(
                seg.lon_deg,
                seg.lat_deg,
                zorder=4.5,
                label=plain(traj.label) if first else None,
                **style,
            )
            first = False


#: margins of a map figure (inches) around the axes box: degree labels and axis names on the
#: left and at the bottom, the half-width of "180°E" on the right; the title and a legend
#: below are measured and added
MAP_MARGINS_IN = {"left": 0.66, "right": 0.24, "bottom": 0.5, "top": 0.18}


def map_figure(ax=None, figsize=MAP_SIZE):
    """(figure, axes) of a map: the given axes as it is, or a new figure without a layout
    engine whose axes :func:`place_map` lays out by fixed margins (a map has a fixed shape, so
    nothing needs a solver, and the figure is drawn once, when saved)."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig, fig.add_subplot()


def place_map(ax, legend=None, legend_below: bool = False, max_height_in: float | None = None):
    """Put the map axes of a :func:`map_figure` in its figure: the largest box of the map's
    shape inside the margins, under the title (measured), above the legend when it goes below
    (measured, then anchored under the axis names). With ``max_height_in`` the figure's height
    is fitted to its content, up to that. Returns the renderer that measured the texts."""
    fig = ax.figure
    renderer = text_renderer(fig)
    dpi = fig.dpi
    width_in, height_in = fig.get_size_inches()
    with quiet_glyphs():
        # the title is centred over the axes, which sit right of the figure's middle
        _fit_title(ax, renderer, width_in - MAP_MARGINS_IN["left"] + MAP_MARGINS_IN["right"] - 0.1)
        title_in = ax.title.get_window_extent(renderer).height / dpi
        legend_in = legend.get_window_extent(renderer).height / dpi if legend_below else 0.0
    top = MAP_MARGINS_IN["top"] + title_in + 6.0 / 72.0  # the title's pad above the axes
    bottom = MAP_MARGINS_IN["bottom"] + (legend_in + 0.12 if legend_below else 0.0)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shape = abs(y1 - y0) / abs(x1 - x0)  # height over width of the box (equal degrees)
    room_w = width_in - MAP_MARGINS_IN["left"] - MAP_MARGINS_IN["right"]
    if max_height_in is not None:
        height_in = min(top + bottom + room_w * shape, max_height_in)
        fig.set_size_inches(width_in, height_in)
        renderer = fig.canvas.get_renderer()  # of the new size: the one savefig draws with
    room_h = height_in - top - bottom
    w = min(room_w, room_h / shape)
    h = w * shape
    left_in = MAP_MARGINS_IN["left"] + 0.5 * (room_w - w)
    bottom_in = bottom + 0.5 * (room_h - h)
    ax.set_position([left_in / width_in, bottom_in / height_in, w / width_in, h / height_in])
    if legend_below:
        anchor = (bottom_in - MAP_MARGINS_IN["bottom"]) / height_in
        legend.set_bbox_to_anchor((0.5, anchor), transform=fig.transFigure)
    return renderer


def _fit_title(ax, renderer, width_in: float) -> None:
    """A title line wider than ``width_in`` is broken at the ", " nearest its middle."""
    lines = ax.title.get_text().split("\n")
    out = []
    for line in lines:
        ax.title.set_text(line)
        parts = line.split(", ")
        if ax.title.get_window_extent(renderer).width / ax.figure.dpi <= width_in or len(parts) < 2:
            out.append(line)
            continue
        k = min(range(1, len(parts)), key=lambda i: abs(len(", ".join(parts[:i])) - len(line) / 2))
        out += [", ".join(parts[:k]) + ",", ", ".join(parts[k:])]
    ax.title.set_text("\n".join(out))


def _finish(ax, labels, title: str, legend_below: bool = False, own=True, max_height_in=None):
    """Title, axis names, legend; the axes placed (when ``own``: a :func:`map_figure`); then
    the labels placed around the legend and the markers, measured without drawing."""
    ax.set_title(plain(title), fontsize=TITLE_SIZE)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude (geodetic)")
    fig = ax.figure
    if legend_below:
        where = "upper center" if own else "outside lower center"
        legend = fig.legend(loc=where, fontsize=SMALL_SIZE, ncol=2)
    else:
        legend = ax.legend(loc="lower left", fontsize=SMALL_SIZE, framealpha=0.92, ncol=2)
    legend.set_zorder(12)
    if own:
        renderer = place_map(ax, legend, legend_below, max_height_in)
    else:
        renderer = text_renderer(fig)
    with quiet_glyphs():
        obstacles = [legend.get_window_extent(renderer)]
    for line in ax.lines:
        if line.get_marker() not in (None, "None", "", "o") or line.get_markersize() >= 6:
            xs, ys = line.get_xdata(), line.get_ydata()
            if len(xs) and len(xs) <= 3:
                obstacles += marker_boxes(ax, xs, ys)
    # required labels first, so optional time labels fill the room that is left
    labels = sorted(labels, key=lambda lab: not lab.required)
    return place_labels(ax, labels, obstacles, renderer=renderer)


def track_map(results, *, day_index=None, ax=None, resolution="l", tz=None):
    """The whole replay (``day_index=None``) or one UTC day of it, as a figure.

    The whole replay shows its first 24 hours coloured, with time ticks, over the rest of the
    stay in faint grey; a day shows that day coloured with time ticks every 10 minutes.
    """
    own = ax is None
    fig, ax = map_figure(ax)
    draw_base(ax, resolution)
    draw_track_map(results, ax, day_index=day_index, tz=tz, own=own)
    return fig


def draw_track_map(results, ax, *, day_index=None, tz=None, own=True):
    """Everything of :func:`track_map` over its base (:func:`draw_base`): night, tracks, time
    ticks, stations, events, title, legend and labels."""
    eph = results.ephemeris
    name = next(iter(results.trajectories.values())).name if results.trajectories else "ISS"
    short = "ISS" if "ISS" in name.upper() else name
    jd = eph.times.jd
    rows = np.arange(len(eph))[eph.ok]
    if day_index is None:
        highlight = rows[jd[rows] <= jd[0] + 1.0]
        draw_faint(ax, eph.lon_deg[rows], eph.lat_deg[rows], label="the rest of the stay")
        night_at = results.night_instant
        title = (
            f"{results.scenario.mission_name}: ground track {results.window_label}; "
            "first 24 h in colour"
        )
        tick_s, label_s = 1800.0, 3 * 3600.0
        sel_jd = None
    else:
        day = results.days[day_index]
        highlight = np.asarray(day["index"])
        highlight = highlight[eph.ok[highlight]]
        night_at = day["night_instant"]
        title = f"{results.scenario.mission_name}: ground track on {day['date']} (UTC)"
        tick_s, label_s = 600.0, 1800.0
        sel_jd = (jd[highlight[0]], jd[highlight[-1]]) if highlight.size else None
    lat_s, lon_s, when = night_at
    draw_night(ax, lat_s, lon_s, label=f"Sun at zenith; night shading at {when} only")
    draw_track(
        ax,
        eph.lon_deg[highlight],
        eph.lat_deg[highlight],
        eph.sunlit[highlight],
        linewidth=1.6,
        name=short,
    )
    tick_labels = draw_time_ticks(
        ax,
        jd[highlight],
        eph.lon_deg[highlight],
        eph.lat_deg[highlight],
        tick_s=tick_s,
        label_s=label_s,
        tz=tz,
    )
    draw_modelled(ax, results, sel_jd, faint=day_index is None)
    labels = draw_stations(ax, results.scenario.stations, float(np.nanmedian(eph.alt_km)), short)
    draw_markers(ax, results.map_markers())
    _finish(ax, labels + tick_labels, title, own=own)


def pass_map(results, pass_index: int, *, ax=None, resolution="l", tz="station"):
    """A regional map of one pass: the station, its footprint, the ground track under the pass
    with minute ticks, and the part visible to the eye in red. Times are the station's local
    time (``tz="station"``), UTC (``tz=None``) or any zoneinfo zone."""
    frame = pass_map_frame(results, pass_index)
    own = ax is None
    fig, ax = map_figure(ax, figsize=frame["figsize"])
    draw_base(ax, resolution, frame["extent"], step_deg=10)
    draw_pass_map(results, pass_index, ax, frame, tz=tz, own=own)
    return fig


def pass_map_frame(results, pass_index: int) -> dict:
    """What a pass map's frame is made of: ``extent`` (lon0, lon1, lat0, lat1), ``figsize``
    (inches), and the pass's ``rows`` of the track, ``alt_km`` and station index ``k``."""
    p = results.passes[pass_index]
    stations = results.scenario.stations
    k = next(i for i, s in enumerate(stations) if s.name == p.station)
    st = stations[k]
    eph = results.ephemeris
    jd = eph.times.jd
    pad = 90.0 / 86400.0
    rows = np.nonzero((jd >= p.rise_jd - pad) & (jd <= p.set_jd + pad) & eph.ok)[0]
    alt_km = float(np.nanmedian(eph.alt_km[rows])) if rows.size else 420.0
    radius_deg = footprint_radius_km(alt_km, st.min_elevation_deg) / 111.2
    # 1.5 footprint radii, up to a whole degree: every pass map of a station has one frame
    # (and shares one drawing of its coastlines)
    half_lat = max(math.ceil(1.5 * radius_deg), 10.0)
    half_lon = min(half_lat / max(math.cos(math.radians(st.lat_deg)), 0.2) * 1.2, 180.0)
    extent = (
        max(st.lon_deg - half_lon, -180.0),
        min(st.lon_deg + half_lon, 180.0),
        max(st.lat_deg - half_lat, -90.0),
        min(st.lat_deg + half_lat, 90.0),
    )
    aspect = (extent[3] - extent[2]) / max(extent[1] - extent[0], 1.0)
    figsize = (9.0, min(max(9.0 * aspect + 2.0, 4.5), 11.0))
    return dict(extent=extent, figsize=figsize, rows=rows, alt_km=alt_km, k=k)


def draw_pass_map(results, pass_index: int, ax, frame: dict, *, tz="station", own=True):
    """Everything of :func:`pass_map` over its base (:func:`draw_base` of ``frame``'s
    extent): night, footprint, station, track, visible part, ticks, title, legend, labels."""
    p = results.passes[pass_index]
    k = frame["k"]
    st = results.scenario.stations[k]
    if tz == "station":
        tz = st.zone
    eph = results.ephemeris
    jd = eph.times.jd
    rows, alt_km, extent = frame["rows"], frame["alt_km"], frame["extent"]
    t = p.culmination_jd
    from ..ephemeris import subsolar_point

    lat_s, lon_s = subsolar_point(math.floor(t), t % 1, eph.sun)
    sun_inside = extent[0] <= lon_s <= extent[1] and extent[2] <= lat_s <= extent[3]
    draw_night(
        ax,
        lat_s,
        lon_s,
        label=f"night at culmination, {_clock(t, tz)}",
        sun=sun_inside,
        extent=extent,
    )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    colour = station_colour(k)
    lon, lat = footprint(st.lat_deg, st.lon_deg, alt_km, st.min_elevation_deg)
    for seg in split_antimeridian(lon, lat):
        ax.plot(seg.lon_deg, seg.lat_deg, color=colour, linewidth=1.4, zorder=5)
    ax.plot(
        st.lon_deg,
        st.lat_deg,
        linestyle="none",
        zorder=7,
        color=colour,
        label=plain(f"{st.name}; its circle: object above {st.min_elevation_deg:g}°"),
        **MARKERS["station"],
    )
    labels = [Label(st.name, st.lon_deg, st.lat_deg)]
    if rows.size:
        draw_track(ax, eph.lon_deg[rows], eph.lat_deg[rows], eph.sunlit[rows], linewidth=2.5)
        if p.visible and p.visible_start_jd is not None:
            vis = rows[(jd[rows] >= p.visible_start_jd) & (jd[rows] <= p.visible_end_jd)]
            for seg in split_antimeridian(eph.lon_deg[vis], eph.lat_deg[vis]):
                ax.plot(seg.lon_deg, seg.lat_deg, color=VISIBLE, linewidth=8, alpha=0.6, zorder=3.5)
            ax.plot([], [], color=VISIBLE, linewidth=8, alpha=0.6, label="visible to the eye")
        labels += draw_time_ticks(
            ax, jd[rows], eph.lon_deg[rows], eph.lat_deg[rows], tick_s=60.0, label_s=120.0, tz=tz
        )
    zone = _zone_text(tz)
    title = (
        f"{st.name}: pass of {_clock(p.rise_jd, tz)}-{_clock(p.set_jd, tz)} {zone} on "
        f"{jd_to_iso(math.floor(p.rise_jd), p.rise_jd % 1, 0)[:10]}, "
        f"highest {p.max_elevation_deg:.0f}°"
    )
    if p.peak_magnitude is not None:
        title += f", magnitude {p.peak_magnitude:.1f} (estimate)"
    if p.open_start or p.open_end:
        title += "\n" + (
            "already above the horizon when the replay starts"
            if p.open_start
            else "still above the horizon when the replay ends"
        )
    _finish(ax, labels, title, legend_below=True, own=own, max_height_in=11.0)
