"""The maps' direction arrows (sim/plots/maps.py ``direction_arrow``, issue 14) are the arrows
``ax.annotate("", xy, xytext, arrowprops=...)`` draws: inside the axes, across its edge (never
clipped) and with the head outside it (not drawn), on a map-like axes. Arrows too short for
both ends' 2-point shrink are matplotlib's own, pixel for pixel; longer ones are shortened
exactly rather than by matplotlib's bisection (to 0.01 px), which moves an edge pixel by at
most 2 levels of 255."""

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


def _picture(draw, dpi: int = 80) -> np.ndarray:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.3), dpi=dpi)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.plot([-100, 100], [0, 30], color="tab:orange", zorder=5)
    for xy, xytext in ARROWS:
        draw(ax, xy, xytext)
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=dpi)
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


def test_long_arrows_are_the_annotation_arrows_within_two_levels():
    # at 300 dpi every arrow is longer than its two shrinks: shortened exactly
    from sim.plots.maps import direction_arrow

    ours = _picture(lambda ax, xy, xytext: direction_arrow(ax, xy, xytext), dpi=300)
    theirs = _picture(_annotation, dpi=300)
    blank = _picture(lambda ax, xy, xytext: None, dpi=300)
    assert (theirs != blank).sum() > 1000  # the arrows are there
    assert int(np.abs(ours.astype(int) - theirs.astype(int)).max()) <= 2
    # and a missing arrow is far more than that
    fewer = _picture(
        lambda ax, xy, xytext: (
            None if (xy, xytext) == ARROWS[0] else direction_arrow(ax, xy, xytext)
        ),
        dpi=300,
    )
    assert int(np.abs(fewer.astype(int) - theirs.astype(int)).max()) > 100


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
