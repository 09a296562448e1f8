"""What the pictures show, read from the drawn artists (not pixels): labels never overlap and
stay inside the figure, every marker kind has a legend entry, daily maps carry time ticks, the
altitude panel draws per-orbit extremes, and the animation has the documented frame count."""

import matplotlib
import numpy as np
import pytest

from sim.plots.render import draw, figure_jobs

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def results(replay):
    """The session's default replay (conftest ``replay``: computed once per worker), read only."""
    return replay


def _texts(fig):
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.figure is fig:
            out.append((t.get_text(), t.get_window_extent(renderer)))
    return out


def _assert_readable(fig):
    boxes = _texts(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for text, b in boxes:
        assert b.x0 >= -1 and b.y0 >= -1 and b.x1 <= width + 1 and b.y1 <= height + 1, (
            f"{text!r} leaves the figure: {b}"
        )
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1 :]:
            overlap = (
                a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5
            )
            assert not overlap, f"labels {ta!r} and {tb!r} overlap"


@pytest.mark.parametrize(
    "kind,args",
    [("map", {}), ("map", {"day_index": 1}), ("map", {"day_index": 5}), ("timeline", {})],
    ids=["overview", "day-2", "day-6", "timeline"],
)
def test_labels_do_not_overlap_and_stay_inside(results, kind, args):
    import matplotlib.pyplot as plt

    fig = draw(results, kind, args)
    try:
        _assert_readable(fig)
    finally:
        plt.close(fig)


def test_overlap_check_can_fail(results):
    """The check above is not vacuous: two labels put on the same spot are caught."""
    import matplotlib.pyplot as plt

    fig = draw(results, "timeline", {})
    ax = fig.axes[0]
    ax.text(0.5, 0.5, "one", transform=ax.transAxes)
    ax.text(0.5, 0.5, "two", transform=ax.transAxes)
    with pytest.raises(AssertionError, match="overlap"):
        _assert_readable(fig)
    plt.close(fig)


def test_every_marker_kind_has_a_legend_entry(results):
    import matplotlib.pyplot as plt

    from sim.plots.style import MARKERS

    fig = draw(results, "map", {"day_index": 1})
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    shown = {h.get_marker() for h in handles if hasattr(h, "get_marker")}
    drawn = {
        line.get_marker()
        for line in ax.lines
        if line.get_marker() not in (None, "None", "", "o") and len(line.get_xdata())
    }
    assert drawn <= shown, f"markers drawn without a legend entry: {drawn - shown}"
    # each event of the scenario with a place has its own entry, named by kind
    for kind in ("launch", "docking", "undocking", "landing"):
        assert any(label.startswith(("launch pad", "ISS at", "landing")) for label in labels)
        assert MARKERS[kind]["marker"] in shown
    assert MARKERS["sun"]["marker"] in shown and any("Sun" in label for label in labels)
    # stations: a square per station, named in the legend
    for st in results.scenario.stations:
        assert any(label.startswith(st.name) for label in labels)
    plt.close(fig)


def test_daily_map_has_time_ticks_at_the_right_places(results):
    """Every HH:MM label sits where the station was at that whole minute (UTC), checked against
    a fresh propagation at exactly that instant."""
    import matplotlib.pyplot as plt

    from sim.ephemeris import propagate

    fig = draw(results, "map", {"day_index": 1})
    ax = fig.axes[0]
    day = results.days[1]["date"]
    labels = [t for t in ax.texts if len(t.get_text()) == 5 and t.get_text()[2] == ":"]
    assert len(labels) >= 10, "too few HH:MM labels on a daily map"
    instants = [f"{day}T{t.get_text()}:00Z" for t in labels]
    eph = propagate(results.catalogue, instants, sunlight=False)
    for t, lon, lat in zip(labels, eph.lon_deg, eph.lat_deg, strict=True):
        x, y = t.xy
        assert abs((x - lon + 180) % 360 - 180) < 0.01 and abs(y - lat) < 0.01, t.get_text()
    plt.close(fig)


def test_altitude_panel_draws_per_orbit_extremes(results):
    """Lowest/highest per revolution, checked against the track itself (not the comb)."""
    import matplotlib.pyplot as plt

    from sim.tracks import revolution_starts

    fig = draw(results, "altitude", {})
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    high = lines["highest point of each orbit"].get_ydata()
    low = lines["lowest point of each orbit"].get_ydata()
    eph = results.ephemeris
    starts = revolution_starts(eph.lat_deg)
    assert len(high) == len(starts) - 1
    k = len(starts) // 2
    seg = eph.alt_km[starts[k] : starts[k + 1]]
    assert high[k] == pytest.approx(seg.max()) and low[k] == pytest.approx(seg.min())
    assert 400 < np.min(low) < np.max(high) < 450  # kilometres, not degrees of latitude
    plt.close(fig)


def test_animation_frame_count_is_as_documented(results):
    from sim.plots.animate import DEFAULT_SECONDS_PER_FRAME, frame_rows

    w0 = results.window_jd[0]
    rows = frame_rows(results, None, w0, w0 + 100 / 1440)
    # one frame per 2 minutes of replay, first and last instant included: 100 min -> 51
    assert DEFAULT_SECONDS_PER_FRAME == 120
    assert len(rows) == 51
    step_s = np.diff(results.ephemeris.times.jd[rows]) * 86400
    assert np.allclose(step_s, 120, atol=1e-3)


def test_every_visible_pass_gets_a_regional_map(results):
    jobs = figure_jobs(results, "png")
    maps = [rel for kind, _, rel in jobs if kind == "pass_map"]
    assert len(maps) == sum(p.visible for p in results.passes) > 0
    assert len(set(maps)) == len(maps)
    assert all(rel.startswith("maps/pass-") for rel in maps)


def test_sky_plot_of_a_found_pass_computes_its_own_path(results):
    """sky_plot(p) for a pass from find_passes draws the same path as with explicit arrays."""
    import matplotlib.pyplot as plt

    from sim.passes import pass_track
    from sim.plots.sky import sky_plot

    p = next(p for p in results.passes if p.visible)
    st = next(s for s in results.scenario.stations if s.name == p.station)
    own = sky_plot(p)
    given = sky_plot(p, *pass_track(results.catalogue, st, p))
    a = [line.get_xydata() for line in own.axes[0].lines]
    b = [line.get_xydata() for line in given.axes[0].lines]
    assert len(a) == len(b) > 0
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y)
    with pytest.raises(TypeError, match="find_passes"):
        sky_plot(
            results.model_passes[0]
            if results.model_passes
            else type(p)(**{**{f: getattr(p, f) for f in p.__dataclass_fields__ if f != "extra"}})
        )
    plt.close("all")


@pytest.mark.parametrize(
    "kind,args",
    [("map", {"day_index": 1}), ("pass_map", {"pass_index": 3}), ("sky", {"pass_index": 3})],
    ids=["daily-map", "pass-map", "sky-plot"],
)
def test_a_picture_is_drawn_once_when_saved(results, kind, args, tmp_path, monkeypatch):
    """Labels are measured without drawing; the only full draw of a map or sky plot is the
    one savefig makes (issue 14: it was four)."""
    from matplotlib.figure import Figure

    from sim.plots.style import save

    if kind != "map":
        args = {"pass_index": next(i for i, p in enumerate(results.passes) if p.visible)}
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, r: draws.append(fig) or real(fig, r))
    fig = draw(results, kind, args)
    assert fig not in draws, "drawn before saving"
    save(fig, tmp_path / "picture.png", 60)
    # (the coastline raster of a new frame is drawn in a figure of its own)
    assert draws.count(fig) == 1


@pytest.mark.parametrize(
    "extent,size_in,position,dpi",
    [
        ((-180, 180, -90, 90), (12, 6.6), [0.055, 0.076, 0.925, 0.843], 110),
        ((-11.3, 66.2, 35.1, 72.9), (9, 6.4137), [0.0813, 0.2237, 0.9017, 0.7003], 73),
    ],
    ids=["world", "regional-odd-size"],
)
def test_coast_base_paints_the_pixels_of_the_polygons(extent, size_in, position, dpi):
    """The land raster drawn once per frame and pasted into later figures gives the pixels the
    GSHHS polygons give when drawn in the figure itself (only antialiased coast pixels may differ
    by a few levels), for a first and a reused paste; and it does paint land."""
    import matplotlib.pyplot as plt

    from sim.plots.coast import base_collections, coast_base
    from sim.plots.style import WATER

    def pixels(base):
        fig = plt.figure(figsize=size_in, dpi=dpi)
        ax = fig.add_axes(position)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_facecolor(WATER)
        ax.grid(color="white", zorder=0.5)
        if base == "polygons":
            for c in base_collections("l", extent, ax.transData):
                c.set_zorder(1)
                ax.add_collection(c, autolim=False)
        elif base == "pasted":
            ax.add_artist(coast_base("l"))
        fig.canvas.draw()
        out = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
        plt.close(fig)
        return out

    direct = pixels("polygons")
    ocean = pixels(None)
    for _ in range(2):  # the first paste draws the raster, the second reuses it
        diff = np.abs(pixels("pasted") - direct).max(axis=2)
        assert diff.max() <= 8 and (diff > 2).mean() < 1e-3
    land = np.abs(direct - ocean).max(axis=2) > 10
    assert land.mean() > 0.05  # the check is not vacuous: the polygons paint land


def test_pass_maps_keep_every_text_inside(results):
    """For each station, the visible pass with the longest title (Houston's zone name makes
    one wider than the 9-inch map): every text inside the figure, none overlapping."""
    import matplotlib.pyplot as plt

    from sim.plots.maps import _zone_text

    longest = {}
    for i, p in enumerate(results.passes):
        if p.visible:
            st = next(s for s in results.scenario.stations if s.name == p.station)
            size = len(p.station) + len(_zone_text(st.zone)) + (p.peak_magnitude is not None)
            if size >= longest.get(p.station, (-1, 0))[0]:
                longest[p.station] = (size, i)
    assert len(longest) >= 2
    for _, i in longest.values():
        fig = draw(results, "pass_map", {"pass_index": i})
        try:
            _assert_readable(fig)
        finally:
            plt.close(fig)
