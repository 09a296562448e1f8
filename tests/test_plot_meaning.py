"""What the pictures mean, read from the artists (issue 18): which colour marks sunlit track,
where the night is, which way the sky plot turns, which part of a pass is drawn as visible,
timeline counts, the altitude panel's data, footprint radii from the mask, the phase bars.

These read line data and legend entries, never label positions, so a redesign that keeps the
meaning keeps them passing. References are independent (tests/reference.py).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import reference as ref  # noqa: E402
from conftest import BUNDLED_TLE  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

DAY_S = 86400.0


@pytest.fixture(scope="module")
def sats():
    return ref.tle_satellites(BUNDLED_TLE)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_colour(ax, words: str) -> str:
    """Colour of the legend entry whose label contains ``words``."""
    for line in ax.get_lines():
        if words in str(line.get_label()):
            return to_hex(line.get_color())
    raise AssertionError(f"no legend entry mentions {words!r}")


def test_map_colours_sunlit_track_by_the_conical_shadow(replay, sats):
    from matplotlib.collections import LineCollection

    from sim.plots.maps import track_map

    day = 3
    fig = track_map(replay, day_index=day)
    ax = fig.axes[0]
    lit_colour = legend_colour(ax, "sunlit")
    dark_colour = legend_colour(ax, "shadow")
    assert lit_colour != dark_colour
    tracks = [c for c in ax.collections if isinstance(c, LineCollection) and len(c.get_segments())]
    track = max(tracks, key=lambda c: sum(len(s) for s in c.get_segments()))
    # each polyline of the track is drawn in one colour: every piece of it (a point and the
    # next) says the state at the piece's first point
    segs = track.get_segments()
    colours = [to_hex(c) for c in track.get_colors()]
    eph = replay.ephemeris
    rows = replay.days[day]["index"]
    key = {
        (round(float(a), 6), round(float(b), 6)): r
        for a, b, r in zip(eph.lon_deg[rows], eph.lat_deg[rows], rows, strict=True)
    }
    starts, drawn = [], []
    for seg, colour in zip(segs, colours, strict=True):
        for point in seg[:-1]:
            r = key.get((round(float(point[0]), 6), round(float(point[1]), 6)))
            if r is not None:
                starts.append(r)
                drawn.append(colour)
    pieces = sum(len(seg) - 1 for seg in segs)
    assert len(starts) > 0.9 * pieces > 1000
    starts = np.array(starts)
    sec = ref.sec_of_split(eph.times.whole[starts], eph.times.fraction[starts])
    depth = ref.umbra_depth_km(ref.teme_sat_km(sats, sec), ref.teme_sun_km(sec))
    clear = np.abs(depth) > 0.05
    expected = np.where(depth <= 0, lit_colour, dark_colour)
    assert np.array_equal(np.array(drawn)[clear], expected[clear])
    assert {lit_colour, dark_colour} <= set(drawn)


def filled_paths(ax):
    """Paths of the filled contour sets (night shading), darkest level first."""
    from matplotlib.contour import QuadContourSet

    sets = [c for c in ax.collections if isinstance(c, QuadContourSet) and c.filled]
    assert sets, "no filled contour set (night shading) on the map"
    return sets[0].get_paths(), sets[0].levels


def test_night_is_drawn_opposite_the_subsolar_point(replay):
    from skyfield.framelib import itrs

    from sim.plots.maps import track_map

    day = 5
    fig = track_map(replay, day_index=day)
    ax = fig.axes[0]
    paths, levels = filled_paths(ax)
    assert levels[0] == -90 and levels[-1] == 0
    # the instant of the shading, from the day's noon (or the window edge), by skyfield
    text = replay.days[day]["night_instant"][2]
    date = replay.days[day]["date"]
    sec = ref.sec_of_iso(f"{date}T{text[:5]}:00Z")
    e = ref.de421()
    lat, lon, _ = (e["sun"] - e["earth"]).at(ref.utc(sec)).frame_latlon(itrs)
    sub = (lon.degrees, lat.degrees)
    anti = (((lon.degrees + 360.0) % 360.0) - 180.0, -lat.degrees)
    deepest = paths[0]  # Sun below -18 deg
    shaded = [p for p in paths if len(p.vertices)]
    assert deepest.contains_point(anti, radius=0)
    assert not any(p.contains_point(sub) for p in shaded)
    # the Sun marker stands at the sub-solar point (within the minute the label rounds to)
    sun = next(ln for ln in ax.get_lines() if "Sun at zenith" in str(ln.get_label()))
    assert abs(sun.get_xdata()[0] - sub[0]) < 0.3 and abs(sun.get_ydata()[0] - sub[1]) < 0.1


def test_sky_plot_east_is_right_and_the_path_is_the_pass(replay, sats):
    """Minsk, 2024-03-25 18:05:59 UTC: rises in the west (az 269) and sets in the south-east
    (az 131). North is up and azimuth runs clockwise (east on the right) as on a map of the sky
    seen from above the observer, the convention of satellite sky plots (Heavens-Above)."""
    from sim.plots.sky import sky_plot

    i, p = next(
        (i, p)
        for i, p in enumerate(replay.passes)
        if p.station == "Minsk" and p.to_dict()["rise_utc"].startswith("2024-03-25T18:05")
    )
    seconds, az, el = replay.pass_tracks[i]
    fig = sky_plot(p, seconds, az, el)
    ax = fig.axes[0]
    path = next(ln for ln in ax.get_lines() if "pass above the mask" in str(ln.get_label()))
    theta, r = path.get_xdata(), path.get_ydata()
    st = next(s for s in replay.scenario.stations if s.name == "Minsk")
    sec = ref.sec_of_jd(p.rise_jd) + np.asarray(seconds)
    look = ref.look(sats, st.lat_deg, st.lon_deg, st.elevation_m, sec)
    dtheta = (np.degrees(theta) - look[:, 1] + 180.0) % 360.0 - 180.0
    assert np.abs(dtheta).max() < 0.01 and np.abs(r - look[:, 0]).max() < 0.01
    centre = ax.transData.transform((0.0, 90.0))
    east = ax.transData.transform((np.radians(90.0), 0.0))
    north = ax.transData.transform((0.0, 0.0))
    rise = ax.transData.transform((theta[0], r[0]))
    assert east[0] > centre[0] + 10  # east on the right
    assert north[1] > centre[1] + 10  # north up
    assert rise[0] < centre[0]  # this pass rises in the west: left of the centre
    assert 250 < look[0, 1] < 290


def test_sky_plot_marks_only_the_visible_part(replay, sats):
    """Minsk, 2024-03-26 18:55 UTC: visible from rise until the ISS enters the umbra, about two
    minutes before it sets. The red line covers that part and no more."""
    from sim.plots.sky import sky_plot

    i, p = next(
        (i, p)
        for i, p in enumerate(replay.passes)
        if p.station == "Minsk" and p.to_dict()["rise_utc"].startswith("2024-03-26T18:55")
    )
    assert p.visible
    seconds, az, el = replay.pass_tracks[i]
    # the umbra entry by the reference, bisected between the pass's samples
    sec = ref.sec_of_jd(p.rise_jd) + np.asarray(seconds)
    dark = ref.in_umbra(sats, sec)
    assert not dark[0] and dark[-1]
    k = int(np.argmax(dark))
    entry = ref.bisect_time(lambda x: ref.in_umbra(sats, x), sec[k - 1], sec[k])
    fig = sky_plot(p, seconds, az, el)
    ax = fig.axes[0]
    vis = [ln for ln in ax.get_lines() if "visible" in str(ln.get_label())]
    assert len(vis) == 1
    theta = np.degrees(vis[0].get_xdata())
    drawn = np.isin(np.round(theta, 9), np.round(np.asarray(az) % 360.0, 9))
    assert drawn.all()
    shown = sec[np.isin(np.round(np.asarray(az), 9), np.round(theta, 9))]
    assert shown.min() == sec[0] and entry - 2.5 < shown.max() <= entry
    # a pass that is not visible gets no red line at all
    j, q = next((j, q) for j, q in enumerate(replay.passes) if not q.visible)
    from sim.passes import pass_track

    st = next(s for s in replay.scenario.stations if s.name == q.station)
    x, a, e = pass_track(replay.catalogue, st, q)
    fig = sky_plot(q, x, a, e)
    assert not [ln for ln in fig.axes[0].get_lines() if "visible" in str(ln.get_label())]


def test_timeline_counts_and_places_every_pass(replay):
    from matplotlib.collections import LineCollection

    from sim.plots.timeline import timeline

    fig = timeline(replay)
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert set(names) >= {s.name for s in replay.scenario.stations}
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    visible_colour = legend_colour(ax, "visible to the eye")
    model_colours = {
        to_hex(c.get_colors()[0])
        for c in bars
        if "model" in str(c.get_label()) and len(c.get_colors())
    }
    assert model_colours.isdisjoint({visible_colour})
    for st in replay.scenario.stations:
        row = ax.get_yticks()[names.index(st.name)]
        mine = [p for p in replay.passes if p.station == st.name]
        in_row = [
            (seg, to_hex(c.get_colors()[0]))
            for c in bars
            for seg in c.get_segments()
            if len(c.get_colors()) and abs(np.mean(seg[:, 1]) - row) < 1e-9
        ]
        # passes of the modelled Soyuz share the rows in colours of their own
        in_row = [(s, colour) for s, colour in in_row if colour not in model_colours]
        red = [s for s, colour in in_row if colour == visible_colour]
        other = [s for s, colour in in_row if colour != visible_colour]
        assert len(other) == len(mine) and len(red) == sum(p.visible for p in mine)
        # each tick stands at a culmination (matplotlib days since 1970)
        x = np.sort([s[0, 0] for s in other])
        expected = np.sort([p.culmination_jd - 2440587.5 for p in mine])
        assert np.abs(x - expected).max() * DAY_S < 1.0
    texts = " ".join(t.get_text() for t in ax.texts)
    for st in replay.scenario.stations:
        mine = [p for p in replay.passes if p.station == st.name]
        assert f"{len(mine)} passes, {sum(p.visible for p in mine)} visible" in texts


def test_altitude_panel_plots_the_height_above_wgs84(replay, sats):
    """Per orbit: the highest and lowest height above WGS84, checked against the reference's
    heights over the same revolution (not latitude, not the 1 s comb)."""
    from sim.plots.timeline import altitude_and_age

    fig = altitude_and_age(replay)
    lines = {str(ln.get_label()): ln for ln in fig.axes[0].get_lines()}
    high = lines["highest point of each orbit"]
    low = lines["lowest point of each orbit"]
    x = np.asarray(high.get_xdata())
    period_s = DAY_S / 15.5
    for k in np.linspace(2, x.size - 3, 5).astype(int):
        mid = (x[k] - (ref.JD_2024 - 2440587.5)) * DAY_S
        sec = np.arange(mid - 0.47 * period_s, mid + 0.47 * period_s, 10.0)
        heights = ref.geodetic_sat(sats, sec)[:, 2]
        assert abs(high.get_ydata()[k] - heights.max()) < 0.3  # km
        assert abs(low.get_ydata()[k] - heights.min()) < 0.3
    y = np.concatenate([low.get_ydata(), high.get_ydata()])
    assert 400 < y.min() and y.max() < 440
    idx = np.linspace(0, len(replay.ephemeris) - 1, 300).astype(int)
    xs = np.asarray(
        next(
            ln for ln in fig.axes[1].get_lines() if len(ln.get_xdata()) == len(replay.ephemeris)
        ).get_xdata()
    )
    sec = (xs[idx] - (ref.JD_2024 - 2440587.5)) * DAY_S
    age_line = next(
        ln for ln in fig.axes[1].get_lines() if len(ln.get_xdata()) == len(replay.ephemeris)
    )
    age = np.asarray(age_line.get_ydata())[idx]
    k = ref.set_in_force(sats, sec)
    epoch = np.array([ref.epoch_sec(sats[i]) for i in k])
    assert np.abs(age - (sec - epoch) / 3600).max() < 1e-3


@pytest.mark.parametrize("mask_deg", [0.0, 25.0])
def test_footprint_radius_follows_the_mask(replay, mask_deg):
    """Every point of a station's footprint circle is where the ISS, at the drawn altitude above
    that point, stands exactly at the mask elevation seen from the station (spherical Earth)."""
    import dataclasses

    from sim.plots.maps import draw_stations

    st = dataclasses.replace(replay.scenario.stations[0], min_elevation_deg=mask_deg)
    fig, ax = plt.subplots()
    altitude_km = 420.0
    draw_stations(ax, [st], altitude_km)
    circle = max(ax.get_lines(), key=lambda ln: len(ln.get_xdata()))
    lon, lat = np.radians(circle.get_xdata()), np.radians(circle.get_ydata())
    radius = 6378.137

    def unit(la, lo):
        return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)

    station = unit(np.radians(st.lat_deg), np.radians(st.lon_deg)) * radius
    sat = unit(lat, lon) * (radius + altitude_km)
    los = sat - station
    up = station / radius
    elevation = np.degrees(np.arcsin(los @ up / np.linalg.norm(los, axis=1)))
    assert np.abs(elevation - mask_deg).max() < 0.01


def test_phase_bars_are_the_phase_angles_of_the_opportunities(replay, sats):
    """The bars of the launch-window plot stand for the phase angle at insertion of each daily
    opportunity: their heights are those angles, which drift by about 88 deg a day."""
    from matplotlib.container import BarContainer

    from sim.plots.window import launch_window_plot

    window = replay.launch_window
    fig = launch_window_plot(window)
    containers = [c for c in fig.axes[2].containers if isinstance(c, BarContainer)]
    assert len(containers) == 1
    bars = list(containers[0])
    heights = np.array([b.get_height() for b in bars])
    expected = np.array([o.phase_deg for o in window.opportunities])
    assert len(bars) == len(expected) >= 5
    assert np.allclose(heights, expected)
    assert np.ptp(heights) > 90
    drift = (np.diff(heights) + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(np.abs(drift) - 88.0) < 15.0), drift
