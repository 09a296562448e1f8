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
