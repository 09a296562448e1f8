"""The maps' direction arrows (sim/plots/maps.py ``direction_arrow``, issue 14) are the arrows
``ax.annotate("", xy, xytext, arrowprops=...)`` draws, pixel for pixel: inside the axes, across
its edge (never clipped) and with the head outside it (not drawn), on a map-like axes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ARROWS = [
    ((10.0, 5.0), (7.0, 4.0)),  # inside
    ((-40.0, 60.0), (-42.5, 58.5)),
    ((179.0, 10.0), (176.5, 11.0)),  # crosses nothing, head near the edge
    ((181.5, -20.0), (178.5, -20.5)),  # head outside: an annotation draws nothing
    ((-179.0, 89.5), (-176.0, 86.8)),  # tail inside, head at the top edge
]


def _picture(draw) -> np.ndarray:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.3), dpi=80)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.plot([-100, 100], [0, 30], color="tab:orange", zorder=5)
    for xy, xytext in ARROWS:
        draw(ax, xy, xytext)
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=80)
    plt.close(fig)
    return np.frombuffer(buf.getvalue(), dtype=np.uint8)


def _annotation(ax, xy, xytext):
    ax.annotate(
        "",
        xy,
        xytext=xytext,
        arrowprops=dict(arrowstyle="-|>", color="black", linewidth=0.8, mutation_scale=9),
        zorder=5,
    )


def test_direction_arrows_are_the_annotation_arrows():
    from sim.plots.maps import direction_arrow

    ours = _picture(lambda ax, xy, xytext: direction_arrow(ax, xy, xytext))
    theirs = _picture(_annotation)
    blank = _picture(lambda ax, xy, xytext: None)
    assert (theirs != blank).sum() > 100  # the arrows are there
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("which", [0, 3])
def test_the_comparison_sees_one_arrow_too_many_or_too_few(which):
    from sim.plots.maps import direction_arrow

    def all_but_one(ax, xy, xytext):
        if (xy, xytext) != ARROWS[which]:
            direction_arrow(ax, xy, xytext)

    def every_arrow_drawn(ax, xy, xytext):
        arrow = direction_arrow(ax, xy, xytext)
        arrow.draw = lambda renderer, a=arrow: type(a).__mro__[1].draw(a, renderer)
        arrow.set_positions(ax.transData.transform(xytext), ax.transData.transform(xy))

    theirs = _picture(_annotation)
    changed = all_but_one if which == 0 else every_arrow_drawn
    assert not np.array_equal(_picture(changed), theirs)
