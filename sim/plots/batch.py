"""The run's many pictures that share a frame, drawn without drawing the frame again.

A run draws 14 world maps, a pass map and a sky plot for every visible pass. The world maps
share their base (ocean, land, graticule, degree labels), the pass maps of one station theirs,
and every sky plot the same polar grid. In a worker process each such frame is built once, as
a figure kept for the next picture (:func:`frame_figure`); a picture adds its own artists to
it (the same functions the API uses: :func:`~sim.plots.maps.draw_track_map`,
:func:`~sim.plots.maps.draw_pass_map`, :func:`~sim.plots.sky.draw_pass_on_sky`), is saved,
and takes them away again.

Saving draws only what is not the frame (:func:`save_over_frame`): the frame's pixels (every
artist of the axes below the picture's lowest own artist, in matplotlib's drawing order) are
rasterised once per figure size and axes box and restored into the canvas, then the rest is
drawn over them in the order ``Figure.draw`` uses, and the buffer is written by
:func:`~sim.plots.style.png_bytes` (the pixels, resolution and "Software" text of savefig's
PNG, encoded in about half the time).
``tests/test_batch_pictures.py`` checks that a picture drawn this way has the pixels of the
API's picture (antialiasing aside).
"""

from __future__ import annotations

from operator import attrgetter

#: frame key -> (figure, axes) kept by this process
_FRAMES: dict = {}
#: (figure id, canvas size, axes box) -> the frame's pixels (a canvas region)
_BACKGROUNDS: dict = {}
#: frame key (as for _BACKGROUNDS) -> the top of the axes' decorations, under the title
_TITLE_TOPS: dict = {}
#: how many frame rasters a process keeps (each about 3 MB at 110 dpi)
MAX_BACKGROUNDS = 24


def frame_figure(key, build):
    """The (figure, axes) of frame ``key``, built by ``build()`` the first time."""
    if key not in _FRAMES:
        _FRAMES[key] = build()
    return _FRAMES[key]


def forget_frames() -> None:
    """Close every kept frame figure and drop the rasters (the end of a batch). Imports
    nothing when no frame is kept (it runs on the way out of an interrupted run, which may have
    been interrupted in the middle of importing matplotlib)."""
    _BACKGROUNDS.clear()
    _TITLE_TOPS.clear()
    if not _FRAMES:
        return
    import matplotlib.pyplot as plt

    for fig, _ in _FRAMES.values():
        plt.close(fig)
    _FRAMES.clear()
    _BACKGROUNDS.clear()


def picture_on_frame(fig, ax, add, path, dpi: int, figsize=None) -> None:
    """Add a picture's artists to a kept frame (``add()``), save it to ``path`` (PNG) and take
    them away again, leaving the frame as it was (size ``figsize``, no title)."""
    if figsize is not None:
        fig.set_size_inches(figsize)
    ax_before = set(ax.get_children())
    fig_before = set(fig.get_children())
    ax_new, fig_new = [], []
    try:
        add()
        ax_new = [a for a in ax.get_children() if a not in ax_before]
        fig_new = [a for a in fig.get_children() if a not in fig_before]
        save_over_frame(fig, ax, ax_new, fig_new, path, dpi)
    finally:
        for a in ax_new + fig_new:
            a.remove()
        ax.set_title("")
        ax.relim()  # the data limits of the frame alone (set limits are kept)


def save_over_frame(fig, ax, ax_new, fig_new, path, dpi: int) -> None:
    """Save ``fig`` (one axes ``ax``; ``ax_new`` and ``fig_new`` are the picture's own
    artists) as a PNG, drawing only what lies over the frame."""
    from pathlib import Path

    from ..export.atomic import atomic_path
    from .style import literal_text, no_math, png_bytes, quiet_glyphs

    if [a for a in fig.get_children() if a is not fig.patch and a not in fig_new] != [ax]:
        raise ValueError("save_over_frame: a figure of one axes (and its own legends) only")
    if not ax_new:
        raise ValueError("save_over_frame: the picture adds nothing to its frame")
    literal_text(fig)
    with atomic_path(path) as tmp, no_math(), quiet_glyphs():
        fig.set_dpi(dpi)
        canvas = fig.canvas
        renderer = canvas.get_renderer()
        ax._unstale_viewLim()
        ax.apply_aspect()
        lowest = min(a.get_zorder() for a in ax_new)
        # Axes.draw's order: the patch, then the children sorted by zorder (a stable sort)
        children = sorted(
            (a for a in ax.get_children() if a is not ax.patch), key=attrgetter("zorder")
        )
        front = [a for a in children if a.get_zorder() >= lowest]
        key = (
            id(fig),
            int(renderer.width),
            int(renderer.height),
            tuple(round(float(v), 6) for v in ax.bbox.bounds),
        )
        region = _BACKGROUNDS.get(key)
        if region is None:
            region = _frame_pixels(fig, front + list(fig_new))
            if len(_BACKGROUNDS) >= MAX_BACKGROUNDS:
                _BACKGROUNDS.pop(next(iter(_BACKGROUNDS)))
            _BACKGROUNDS[key] = region
            renderer = canvas.get_renderer()
        canvas.restore_region(region)
        _update_title_position(ax, renderer, key)
        for a in front:
            a.draw(renderer)
        for a in sorted(fig_new, key=attrgetter("zorder")):
            a.draw(renderer)
        Path(tmp).write_bytes(png_bytes(renderer.buffer_rgba(), fig.dpi))


def _frame_pixels(fig, hidden):
    """The canvas region of ``fig`` drawn without the artists ``hidden``."""
    shown = [a for a in hidden if a.get_visible()]
    for a in shown:
        a.set_visible(False)
    try:
        fig.canvas.draw()
    finally:
        for a in shown:
            a.set_visible(True)
    return fig.canvas.copy_from_bbox(fig.bbox)


def _update_title_position(ax, renderer, key) -> None:
    """``Axes._update_title_position`` (matplotlib 3.11) for an axes of a kept frame: the top of
    the axes' decorations, which the titles must clear, is the frame's (its ticks and labels do
    not change from picture to picture), so it is measured once per frame and size (``key``)
    instead of by measuring every tick label again for each picture. Axes with twins, child
    axes, aligned titles or a y offset text get matplotlib's own method."""
    fig = ax.get_figure(root=False)
    if (
        (ax._autotitlepos is not None and not ax._autotitlepos)
        or ax.child_axes
        or len(ax._twinned_axes.get_siblings(ax)) > 1
        or len(fig._align_label_groups["title"].get_siblings(ax)) > 1
    ):
        ax._update_title_position(renderer)
        return
    titles = (ax.title, ax._left_title, ax._right_title)
    if not any(title.get_text() for title in titles):
        return
    top = _TITLE_TOPS.get(key)
    if top is None:
        bb = None
        if (
            ax.xaxis.get_ticks_position() in ["top", "unknown"]
            or ax.xaxis.get_label_position() == "top"
        ):
            bb = ax.xaxis.get_tightbbox(renderer)
        if bb is None:
            bb = ax.spines.get("outline", ax).get_window_extent()
        ax.yaxis.get_tightbbox(renderer)  # updates the offset text
        if ax.yaxis.offsetText.get_visible() and ax.yaxis.offsetText.get_text():
            ax._update_title_position(renderer)
            return
        top = _TITLE_TOPS[key] = bb.ymax
    for title in titles:
        x, _ = title.get_position()
        title.set_position((x, 1.0))
        if top < 0:
            return
        if title.get_window_extent(renderer).ymin < top:
            _, y = ax.transAxes.inverted().transform((0, top))
            title.set_position((x, y))
            if title.get_window_extent(renderer).ymin < top:
                _, y = ax.transAxes.inverted().transform(
                    (0.0, 2 * top - title.get_window_extent(renderer).ymin)
                )
                title.set_position((x, y))
    ymax = max(title.get_position()[1] for title in titles)
    for title in titles:
        x, _ = title.get_position()
        title.set_position((x, ymax))
