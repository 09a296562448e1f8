"""Polar sky plots of single passes (azimuth clockwise from north, elevation to the zenith)."""

from __future__ import annotations

import math

import numpy as np

from .style import ECLIPSE, VISIBLE, save


def sky_plot(
    p,
    seconds=None,
    azimuth_deg=None,
    elevation_deg=None,
    *,
    ax=None,
    title=None,
    local_tz=None,
    start_label=None,
    end_label=None,
):
    """One pass: the path across the sky, minute ticks in local time, the visible part
    highlighted. A pass cut by the window start gets no "rise" marker (the object was already
    up: ``start_label`` names that moment, e.g. "docking"); one cut by the window end gets no
    "set" marker. ``local_tz`` (a ``tzinfo``) defaults to the pass's station zone. Without
    the arrays, a pass from :func:`sim.find_passes` computes its own path (``sky_plot(p)``)."""
    from ..localtime import get_zone

    if seconds is None:  # a pass from find_passes knows its element sets and station
        from ..passes import pass_track

        try:
            catalogue, station = p.extra["catalogue"], p.extra["station"]
        except KeyError:
            raise TypeError(
                "sky_plot: give seconds, azimuth_deg and elevation_deg, or a pass found by "
                "find_passes"
            ) from None
        seconds, azimuth_deg, elevation_deg = pass_track(catalogue, station, p)
    zone = local_tz if local_tz is not None else get_zone(p.timezone)
    own = ax is None
    if own:  # laid out by hand (place_sky), drawn once when saved
        fig, ax = sky_figure()
    else:
        fig = ax.figure
        sky_frame(ax)
    draw_pass_on_sky(
        ax,
        p,
        seconds,
        azimuth_deg,
        elevation_deg,
        zone,
        title=title,
        start_label=start_label,
        end_label=end_label,
    )
    if own:
        place_sky(ax, ax.legend(loc="upper center", fontsize=7, ncol=2))
    else:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.16), fontsize=7, ncol=2)
    return fig


def sky_figure():
    """(figure, polar axes) of a sky plot laid out by hand (:func:`place_sky`), its frame
    (:func:`sky_frame`) drawn: the part every sky plot shares."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=SKY_SIZE)
    ax = fig.add_subplot(projection="polar")
    sky_frame(ax)
    return fig, ax


def sky_frame(ax):
    """The sky of a polar axes: north up, azimuth clockwise, the zenith in the middle,
    elevation rings and compass names."""
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ax.set_rticks([0, 30, 60, 90])
    ax.set_yticklabels(["0°", "30°", "60°", "90°"], fontsize=7)
    ax.set_xticks(np.radians([0, 45, 90, 135, 180, 225, 270, 315]))
    ax.set_xticklabels(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])


def draw_pass_on_sky(
    ax,
    p,
    seconds,
    azimuth_deg,
    elevation_deg,
    zone,
    *,
    title=None,
    start_label=None,
    end_label=None,
):
    """What one pass adds to a sky frame: its path, the visible part, minute ticks in
    ``zone``, rise and set markers, the title (no legend: the caller places it)."""
    from ..times import human_time, jd_to_datetimes

    theta = np.radians(azimuth_deg)
    elevation_deg = np.asarray(elevation_deg)
    ax.plot(theta, elevation_deg, color=ECLIPSE, linewidth=1.5, label="pass above the mask")
    if p.visible:
        t0 = (p.visible_start_jd - p.rise_jd) * 86400
        t1 = (p.visible_end_jd - p.rise_jd) * 86400
        vis = (seconds >= t0) & (seconds <= t1)
        ax.plot(
            theta[vis],
            elevation_deg[vis],
            color=VISIBLE,
            linewidth=3.5,
            label="visible to the eye (dark sky, ISS sunlit)",
        )
    # minute ticks labelled with local time
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
            f"{jd_to_datetimes(w, t_jd - w, 0, zone)[0]:%H:%M}",
            (az, el),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    if not p.open_start:
        ax.plot(
            [theta[0]],
            [elevation_deg[0]],
            marker=">",
            color="green",
            markersize=8,
            linestyle="none",
            label="rise",
        )
    if not p.open_end:
        ax.plot(
            [theta[-1]],
            [elevation_deg[-1]],
            marker="s",
            color="dimgray",
            markersize=6,
            linestyle="none",
            label="set",
        )
    w0 = math.floor(p.rise_jd)
    start_text = human_time(w0, p.rise_jd - w0, zone)
    if p.open_start:
        head = (
            f"{p.station}: already above the horizon at {start_label or 'the window start'}\n"
            f"{start_text}"
        )
    else:
        head = f"{p.station}: pass rising {start_text}"
    mag = f", est. magnitude {p.peak_magnitude:.1f}" if p.peak_magnitude is not None else ""
    tail = ""
    if p.open_end:
        w1 = math.floor(p.set_jd)
        when = end_label or "the window end"
        tail = f"\nstill above the horizon at {when}, {human_time(w1, p.set_jd - w1, zone)}"
    ax.set_title(
        title or f"{head}\nmax elevation {p.max_elevation_deg:.0f}°{mag}{tail}",
        fontsize=10,
        pad=22,
    )


#: figure size of a sky plot (inches); margins (inches) around the circle: the compass
#: names outside it ("names"), the title above them (measured and added), the legend below
#: (measured and added)
SKY_SIZE = (6.0, 6.6)
SKY_MARGINS_IN = {"side": 0.42, "top": 0.12, "bottom": 0.12, "names": 0.3}


def place_sky(ax, legend):
    """Put the sky circle in its figure by fixed margins: the largest circle between the title
    (its height measured) and the legend (measured, anchored under the "S")."""
    from .style import quiet_glyphs, text_renderer

    fig = ax.figure
    renderer = text_renderer(fig)
    width_in, height_in = fig.get_size_inches()
    with quiet_glyphs():
        title_in = ax.title.get_window_extent(renderer).height / fig.dpi
        legend_in = legend.get_window_extent(renderer).height / fig.dpi
    m = SKY_MARGINS_IN
    top = m["top"] + title_in + 22.0 / 72.0 + m["names"]  # the title's pad is above the "N"
    bottom = m["bottom"] + legend_in + m["names"]
    side = min(width_in - 2 * m["side"], height_in - top - bottom)
    left = 0.5 * (width_in - side)
    low = bottom + 0.5 * (height_in - top - bottom - side)
    ax.set_position([left / width_in, low / height_in, side / width_in, side / height_in])
    legend.set_bbox_to_anchor((0.5, (low - m["names"]) / height_in), transform=fig.transFigure)


def write_skyplots(
    catalogue,
    stations,
    passes,
    folder,
    fmt="png",
    dpi=110,
    tracks=None,
    *,
    start_label=None,
    end_label=None,
):
    """One sky plot per pass into ``folder``; returns the paths. ``tracks`` maps a pass's
    position in ``passes`` to precomputed (seconds, az, el); missing ones are computed.
    ``start_label`` / ``end_label`` name the window edges in titles (e.g. "docking")."""
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
        fig = sky_plot(p, x, az, el, start_label=start_label, end_label=end_label)
        from .render import pass_stem

        path = folder / f"{pass_stem(p, file_names)}.{fmt}"
        save(fig, path, dpi)
        written.append(path)
    return written


def local_time_axis(ax, local_tz=None):
    """Label a date axis (matplotlib date numbers of UTC instants) in ``local_tz`` with the
    zone in the axis label; UTC when ``local_tz`` is None. For the timeline and other
    time-series plots."""
    import matplotlib.dates as mdates

    from ..times import zone_label

    loc = mdates.AutoDateLocator(tz=local_tz)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, tz=local_tz))
    if local_tz is None:
        ax.set_xlabel("UTC")
    else:
        lo = mdates.num2date(ax.get_xlim()[0]).astimezone(local_tz)
        hi = mdates.num2date(ax.get_xlim()[1]).astimezone(local_tz)
        labels = sorted({zone_label(lo), zone_label(hi)})
        name = getattr(local_tz, "key", str(local_tz))
        ax.set_xlabel(f"local time, {name} ({' / '.join(labels)})")
