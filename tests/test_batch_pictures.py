"""The run's pictures drawn over a kept frame (sim/plots/batch.py, issue 14) are the API's
pictures: a world map, a daily map, pass maps and sky plots drawn both ways have the same
pixels (antialiasing aside), for the first picture of a frame and for later ones that reuse it;
and the comparison notices a picture that leaves something out. The PNG writer keeps every
pixel, the resolution and the "Software" text."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

DPI = 72  # small pictures: the comparison is the same at any resolution, and quick


@pytest.fixture(autouse=True)
def fresh_frames():
    """No frame kept from another test (or left for one)."""
    from sim.plots.batch import forget_frames

    forget_frames()
    yield
    forget_frames()


def _pixels(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def _both_ways(results, kind, args, tmp_path, n):
    """(pixels of the API's picture, pixels of the picture drawn over the kept frame)."""
    from sim.plots.render import draw, draw_on_frame
    from sim.plots.style import save

    api, fast = tmp_path / f"api-{n}.png", tmp_path / f"frame-{n}.png"
    with matplotlib.rc_context({"figure.dpi": DPI}):
        save(draw(results, kind, args), api, DPI)
        draw_on_frame(results, kind, args, fast, DPI)
    return _pixels(api), _pixels(fast)


def _same_picture(a, b) -> bool:
    """Same size, and pixels that differ only where antialiased edges are (a few levels, in
    at most one pixel in ten thousand)."""
    if a.shape != b.shape:
        return False
    diff = np.abs(a - b).max(axis=2)
    return bool((diff > 8).mean() < 1e-4 and (diff > 0).mean() < 1e-3)


def _jobs(results):
    """Two pictures of each kind drawn over a frame: the second reuses the first's frame."""
    station = next(p.station for p in results.passes if p.visible)
    same = [i for i, p in enumerate(results.passes) if p.visible and p.station == station]
    return [
        ("map", {}),
        ("map", {"day_index": 2}),
        ("pass_map", {"pass_index": same[0]}),
        ("pass_map", {"pass_index": same[1]}),
        ("sky", {"pass_index": same[0]}),
        ("sky", {"pass_index": same[-1]}),
    ]


def test_pictures_over_a_kept_frame_are_the_api_pictures(replay, tmp_path):
    for n, (kind, args) in enumerate(_jobs(replay)):
        api, fast = _both_ways(replay, kind, args, tmp_path, n)
        assert _same_picture(api, fast), f"{kind} {args}: differs from the API's picture"
        assert len(np.unique(fast.reshape(-1, 3), axis=0)) > 50  # not a blank picture


@pytest.mark.parametrize(
    "kind,module,name",
    [
        ("map", "sim.plots.maps", "draw_track"),
        ("pass_map", "sim.plots.maps", "draw_time_ticks"),
        ("sky", "sim.times", "human_time"),
    ],
    ids=["map-without-track", "pass-map-without-ticks", "sky-plot-with-another-title"],
)
def test_the_comparison_sees_a_missing_part(replay, tmp_path, monkeypatch, kind, module, name):
    """Break the picture drawn over the frame (no track, no time ticks, a wrong time in the
    title) and the comparison above must say it differs."""
    import importlib

    from sim.plots.render import draw, draw_on_frame
    from sim.plots.style import save

    kind_, args = next(j for j in _jobs(replay)[1:] if j[0] == kind)
    api, fast = tmp_path / "api.png", tmp_path / "frame.png"
    with matplotlib.rc_context({"figure.dpi": DPI}):
        save(draw(replay, kind_, args), api, DPI)
        target = importlib.import_module(module)
        real = getattr(target, name)
        if name == "draw_track":
            monkeypatch.setattr(target, name, lambda *a, **k: None)
        elif name == "draw_time_ticks":
            monkeypatch.setattr(target, name, lambda *a, **k: [])
        else:
            monkeypatch.setattr(target, name, lambda *a, **k: "12:00" + real(*a, **k)[5:])
        draw_on_frame(replay, kind_, args, fast, DPI)
    assert not _same_picture(_pixels(api), _pixels(fast))


def test_png_writer_keeps_pixels_resolution_and_software():
    from sim.plots.style import png_bytes

    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    opaque = rgba.copy()
    opaque[..., 3] = 255
    for pixels in (opaque, rgba):
        with Image.open(io.BytesIO(png_bytes(pixels, 110))) as im:
            im.load()
            assert im.mode == "RGBA" and im.size == (53, 37)  # as savefig writes
            assert np.array_equal(np.asarray(im), pixels)
            assert im.info["dpi"] == pytest.approx((110, 110), abs=0.01)
            assert im.info["Software"].startswith("Matplotlib version")
