"""The picture workers' text cache (sim/plots/textcache.py, issue 14) changes no pixel: every
kind of picture the run draws, drawn in a row inside the cache (later pictures reuse the
first ones' strings and glyph bitmaps) and without it, is the same picture bit for bit; and
on leaving the cache matplotlib's own methods are back."""

from __future__ import annotations

import contextlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

DPI = 72


@pytest.fixture(autouse=True)
def fresh_frames():
    from sim.plots.batch import forget_frames

    forget_frames()
    yield
    forget_frames()


def _jobs(results):
    visible = [i for i, p in enumerate(results.passes) if p.visible]
    return [
        ("map", {}),
        ("map", {"day_index": 1}),
        ("map", {"day_index": 2}),
        ("pass_map", {"pass_index": visible[0]}),
        ("pass_map", {"pass_index": visible[1]}),
        ("sky", {"pass_index": visible[0]}),
        ("sky", {"pass_index": visible[-1]}),
        ("timeline", {}),
        ("altitude", {}),
        ("launch_window", {}),
        ("flight_map", {"which": "chase"}),
        ("flight_profile", {}),
    ]


def _draw_all(results, folder, context) -> list[np.ndarray]:
    import sim.plots.render as render
    from sim.plots.batch import forget_frames

    folder.mkdir()
    paths = []
    render._RESULTS = results
    try:
        with context:
            for n, (kind, args) in enumerate(_jobs(results)):
                path = folder / f"{n}-{kind}.png"
                render._render((kind, args, str(path), DPI))
                paths.append(path)
    finally:
        render._RESULTS = None
        forget_frames()
    out = []
    for path in paths:
        with Image.open(path) as im:
            out.append(np.asarray(im.convert("RGBA")))
    return out


def test_pictures_drawn_with_the_text_cache_are_the_same_pixels(replay, tmp_path):
    from sim.plots.textcache import text_cache

    plain = _draw_all(replay, tmp_path / "plain", contextlib.nullcontext())
    cached = _draw_all(replay, tmp_path / "cached", text_cache())
    for (kind, args), a, b in zip(_jobs(replay), plain, cached, strict=True):
        assert a.shape == b.shape, f"{kind} {args}"
        differ = int((a != b).any(axis=2).sum())
        assert differ == 0, f"{kind} {args}: {differ} pixels differ with the text cache"


def test_leaving_the_cache_restores_matplotlib():
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.text import Text

    from sim.plots.textcache import text_cache

    before = {
        name: RendererAgg.__dict__.get(name)
        for name in ("draw_text", "get_text_width_height_descent", "_get_font_height_metrics")
    }
    layout = Text.__dict__["_get_layout"]
    from matplotlib import offsetbox
    from matplotlib.legend import Legend

    from sim.plots.textcache import _BOX_METHODS

    boxes = {name: getattr(offsetbox, name).__dict__[m] for name, m in _BOX_METHODS.items()}
    legend_draw = Legend.__dict__["draw"]
    with text_cache():
        assert RendererAgg.__dict__["draw_text"] is not before["draw_text"]
        assert Text.__dict__["_get_layout"] is not layout
        assert Legend.__dict__["draw"] is not legend_draw
        assert offsetbox.VPacker.__dict__["_get_bbox_and_child_offsets"] is not boxes["VPacker"]
    after = {name: RendererAgg.__dict__.get(name) for name in before}
    assert after == before
    assert Text.__dict__["_get_layout"] is layout
    assert Legend.__dict__["draw"] is legend_draw
    assert {name: getattr(offsetbox, name).__dict__[m] for name, m in _BOX_METHODS.items()} == boxes


def test_inside_the_cache_fonts_are_read_from_memory_and_not_after():
    # FreeType reads the font through a copy in memory (no system call per glyph); on leaving,
    # matplotlib's font module and its font cache are its own again
    from matplotlib import font_manager, ft2font

    from sim.plots.textcache import text_cache

    path = font_manager.findfont("DejaVu Sans")
    with text_cache():
        inside = font_manager.get_font(path)
        assert not isinstance(inside.fname, str)
        assert inside.fname.name == path
        assert inside.family_name == "DejaVu Sans"
    assert font_manager.ft2font is ft2font
    after = font_manager.get_font(path)
    assert after is not inside
    assert isinstance(after.fname, str)
