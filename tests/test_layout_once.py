"""``style.layout_once`` (issue 14) changes no pixel: each picture of the run that has a layout
engine (timeline, altitude, launch window, Soyuz profile and maps), drawn as ``sim run`` draws
it, is the same picture bit for bit when every measurement and ``savefig`` lay it out again;
and a figure that gains an in-layout artist after its texts were measured (a suptitle) does
show the difference, so the comparison can fail."""

from __future__ import annotations

import contextlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

DPI = 72

KINDS = [
    ("timeline", {}),
    ("altitude", {}),
    ("launch_window", {}),
    ("flight_profile", {}),
    ("flight_map", {"which": "chase"}),
    ("flight_map", {"which": "return"}),
]


def _draw(results, kind, args, path, once: bool, after=None):
    import sim.plots.render as render
    from sim.plots import style

    render._RESULTS = results
    try:
        with matplotlib.rc_context({"figure.dpi": DPI}), style.born_literal():
            with style.layout_once() if once else contextlib.nullcontext():
                fig = render.draw(results, kind, args)
                if after is not None:
                    after(fig)
                style.save(fig, path, DPI)
    finally:
        render._RESULTS = None
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"))


@pytest.mark.parametrize(("kind", "args"), KINDS, ids=[f"{k}-{a}" for k, a in KINDS])
def test_laid_out_once_is_the_same_picture(replay, tmp_path, kind, args):
    again = _draw(replay, kind, args, tmp_path / "again.png", once=False)
    once = _draw(replay, kind, args, tmp_path / "once.png", once=True)
    assert again.shape == once.shape
    differ = int((again != once).any(axis=2).sum())
    assert differ == 0, f"{kind} {args}: {differ} pixels differ when laid out once"


def test_an_in_layout_artist_added_after_measuring_shows(replay, tmp_path):
    # the timeline measures its labels; a suptitle added afterwards is laid out by savefig
    # only without layout_once: the comparison above would see it
    def title(fig):
        fig.suptitle("a title that needs room", fontsize=20)

    again = _draw(replay, "timeline", {}, tmp_path / "again.png", once=False, after=title)
    once = _draw(replay, "timeline", {}, tmp_path / "once.png", once=True, after=title)
    assert again.shape == once.shape
    assert int((again != once).any(axis=2).sum()) > 0


def test_outside_the_context_figures_keep_their_engine(replay):
    import matplotlib.pyplot as plt

    from sim.plots.style import layout_once, text_renderer

    fig, _ = plt.subplots(layout="constrained")
    text_renderer(fig)
    assert fig.get_layout_engine() is not None
    with layout_once():
        text_renderer(fig)
    assert fig.get_layout_engine().__class__.__name__ == "PlaceHolderLayoutEngine"
    plt.close(fig)


def _figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=DPI, layout="constrained")
    ax.plot([0, 1, 2], [2, 0, 1], label="track")
    ax.set_title("Soyuz MS-25")
    ax.legend()
    return fig


def test_save_writes_the_pixels_and_resolution_of_savefig(tmp_path):
    # save() writes an Agg figure's PNG from its canvas (png_bytes), not through savefig
    from sim.plots.style import save

    fig = _figure()
    fig.savefig(tmp_path / "savefig.png", dpi=DPI)
    save(_figure(), tmp_path / "save.png", DPI)
    with Image.open(tmp_path / "savefig.png") as a, Image.open(tmp_path / "save.png") as b:
        assert a.info["dpi"] == pytest.approx(b.info["dpi"])
        assert a.mode == b.mode == "RGBA"
        assert (np.asarray(a.convert("RGBA")) == np.asarray(b.convert("RGBA"))).all()


def test_a_savefig_setting_is_honoured(tmp_path):
    # a savefig colour changes the picture: save() leaves such a figure to savefig
    import matplotlib.pyplot as plt

    from sim.plots.style import save

    with matplotlib.rc_context({"savefig.facecolor": "red"}):
        save(_figure(), tmp_path / "red.png", DPI)
    plt.close("all")
    with Image.open(tmp_path / "red.png") as im:
        assert im.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
