"""Place text labels so that none overlaps another, a marker or the legend, and all stay inside
the axes: each label tries offsets around its anchor, nearest first, and takes the first free
one; far offsets get a leader line. Labels that must appear (stations) are never dropped: they
take the least crowded offset when none is free. Optional labels (time ticks) are left out when
no offset is free, and the count left out is returned."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .style import LABEL_SIZE, plain, quiet_glyphs, text_renderer

#: candidate offsets in points, nearest first: (dx, dy, horizontal alignment, vertical alignment)
_NEAR = [
    (6, 4, "left", "bottom"),
    (6, -4, "left", "top"),
    (-6, 4, "right", "bottom"),
    (-6, -4, "right", "top"),
    (0, 8, "center", "bottom"),
    (0, -8, "center", "top"),
]
_FAR = [(dx * 3, dy * 4, ha, va) for dx, dy, ha, va in _NEAR] + [
    (dx * 5, dy * 7, ha, va) for dx, dy, ha, va in _NEAR
]


@dataclass
class Label:
    text: str
    x: float  #: anchor in data coordinates
    y: float
    required: bool = True
    fontsize: float = LABEL_SIZE
    colour: str = "black"


def _clashes(boxes, taken, pad: float = 1.0):
    """For each row (x0, y0, x1, y1) of ``boxes``, how many rows of ``taken`` it meets, with
    ``pad`` pixels to spare (arrays of shape (n, 4) and (m, 4))."""
    return (
        (boxes[:, None, 0] - pad < taken[None, :, 2])
        & (taken[None, :, 0] < boxes[:, None, 2] + pad)
        & (boxes[:, None, 1] - pad < taken[None, :, 3])
        & (taken[None, :, 1] < boxes[:, None, 3] + pad)
    ).sum(axis=1)


def _extents(boxes):
    import numpy as np

    return np.array([b.extents for b in boxes], dtype=float).reshape(-1, 4)


def _overlaps(box, boxes, pad: float = 1.0) -> int:
    """How many of the Bboxes ``boxes`` the Bbox ``box`` meets (:func:`_clashes`)."""
    return int(_clashes(_extents([box]), _extents(boxes), pad)[0])


def marker_boxes(ax, xs, ys, half_px: float = 6.0):
    """Display-space boxes around marker positions, as obstacles for labels."""
    from matplotlib.transforms import Bbox

    pts = ax.transData.transform(list(zip(xs, ys, strict=True))) if len(xs) else []
    return [Bbox([[x - half_px, y - half_px], [x + half_px, y + half_px]]) for x, y in pts]


def place_labels(ax, labels, obstacles=(), zorder: float = 10, renderer=None) -> tuple[list, int]:
    """Draw ``labels`` (list of :class:`Label`) without overlaps; return (texts, dropped).
    Texts are measured with ``renderer`` (default: :func:`style.text_renderer`), never by
    drawing the figure; missing glyphs are measured as boxes, as :func:`style.save` draws
    them."""
    with quiet_glyphs():
        return _place_labels(ax, labels, obstacles, zorder, renderer)


def _place_labels(ax, labels, obstacles, zorder, renderer):
    import numpy as np

    fig = ax.figure
    renderer = renderer or text_renderer(fig)
    inside = ax.get_window_extent(renderer)
    # the boxes taken so far, one row (x0, y0, x1, y1) each: every candidate box of a label is
    # checked against all of them at once
    taken = _extents(obstacles)
    texts, dropped = [], 0
    for lab in labels:
        ann = ax.annotate(
            plain(lab.text),
            (lab.x, lab.y),
            xytext=(6, 4),
            textcoords="offset points",
            parse_math=False,  # names as written
            fontsize=lab.fontsize,
            color=lab.colour,
            zorder=zorder,
            annotation_clip=False,
            arrowprops=dict(arrowstyle="-", color="0.35", linewidth=0.6, shrinkA=0, shrinkB=3),
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", alpha=0.75, linewidth=0),
        )
        ann.set_in_layout(False)
        boxes = _candidate_boxes(ax, ann, renderer)  # (len(_OFFSETS), 4), nearest first
        fits = (
            (boxes[:, 0] >= inside.x0)
            & (boxes[:, 2] <= inside.x1)
            & (boxes[:, 1] >= inside.y0)
            & (boxes[:, 3] <= inside.y1)
        )
        clash = _clashes(boxes, taken)
        free = np.flatnonzero(fits & (clash == 0))
        if free.size:
            k = int(free[0])
        elif lab.required and fits.any():  # the least crowded offset (the nearest of equals)
            k = int(np.flatnonzero(fits)[np.argmin(clash[fits])])
        elif lab.required:
            k = 0
        else:
            ann.remove()
            dropped += 1
            continue
        dx, dy, ha, va = _OFFSETS[k]
        ann.xyann = (dx, dy)
        ann.set_ha(ha)
        ann.set_va(va)
        if abs(dx) <= 10 and abs(dy) <= 10:  # a leader line only when far: none here, and
            ann.arrowprops = ann.arrow_patch = None  # no arrow to lay out at every draw
        taken = np.vstack([taken, boxes[k]])
        texts.append(ann)
    return texts, dropped


_OFFSETS = _NEAR + _FAR
#: the leader line stops this far (pixels, as matplotlib measures it before the first draw)
#: short of the anchor (``shrinkB``)
_LEADER_GAP_PX = 3.0


def _candidate_boxes(ax, ann, renderer):
    """Display boxes (x0, y0, x1, y1) of ``ann`` at each of :data:`_OFFSETS`, as
    ``Annotation.get_window_extent`` gives them (the text's box joined with its leader line,
    which runs from the text's centre to ``_LEADER_GAP_PX`` short of the anchor), computed from
    one measurement of the text: the box is the same size at every offset, only moved and
    aligned."""
    import numpy as np
    from matplotlib.text import Text

    ann.xyann = (0.0, 0.0)
    ann.set_ha("left")
    ann.set_va("bottom")
    # the text's transform, as Annotation.update_positions sets it (without laying out the
    # leader line, which the boxes below do not need)
    ann.set_transform(ann._get_xy_transform(renderer, ann.anncoords))
    text = Text.get_window_extent(ann, renderer)
    w, h = text.width, text.height
    x_a, y_a = ax.transData.transform(ann.xy)
    px_per_pt = renderer.points_to_pixels(1.0)
    shift_x = {"left": 0.0, "center": -0.5 * w, "right": -w}
    shift_y = {"bottom": 0.0, "center": -0.5 * h, "top": -h}
    out = np.empty((len(_OFFSETS), 4))
    for k, (dx, dy, ha, va) in enumerate(_OFFSETS):
        x0 = text.x0 + dx * px_per_pt + shift_x[ha]
        y0 = text.y0 + dy * px_per_pt + shift_y[va]
        cx, cy = x0 + 0.5 * w - x_a, y0 + 0.5 * h - y_a
        norm = math.hypot(cx, cy) or 1.0
        ex, ey = x_a + _LEADER_GAP_PX * cx / norm, y_a + _LEADER_GAP_PX * cy / norm
        out[k] = (min(x0, ex), min(y0, ey), max(x0 + w, ex), max(y0 + h, ey))
    return out


def stack_labels(ax, xs, texts, *, top_frac: float = 0.98, fontsize: float = LABEL_SIZE):
    """Label vertical lines at data positions ``xs`` in a band at the top of ``ax``: each text
    sits right of its line (or left, where the right runs out of the frame), in the highest row
    where it touches no other label and crosses no other line. Returns the texts."""
    with quiet_glyphs():
        return _stack_labels(ax, xs, texts, top_frac, fontsize)


def _stack_labels(ax, xs, texts, top_frac, fontsize):
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = text_renderer(fig)
    frame = ax.get_window_extent(renderer)
    line_px = [ax.transData.transform((x, 0))[0] for x in xs]
    placed: list = []
    out = []
    for k, (x, text) in enumerate(zip(xs, texts, strict=True)):
        t = ax.text(
            x,
            top_frac,
            plain(text),
            transform=ax.get_xaxis_transform(),
            parse_math=False,  # names as written
            fontsize=fontsize,
            va="top",
            zorder=10,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", alpha=0.85, linewidth=0),
        )
        t.set_in_layout(False)
        others = [px for j, px in enumerate(line_px) if j != k]
        chosen = None
        for row in range(12):
            for ha, dx in (("left", 3), ("right", -3)):
                t.set_ha(ha)
                t.set_position((x, top_frac))
                t.set_transform(
                    ax.get_xaxis_transform()
                    + _offset(fig, dx, -row * (fontsize + 4) * (1 + text.count("\n")))
                )
                box = t.get_window_extent(renderer)
                if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0:
                    continue
                if any(box.x0 - 1 <= px <= box.x1 + 1 for px in others):
                    continue
                if _overlaps(box, placed, pad=2.0):
                    continue
                chosen = box
                break
            if chosen is not None:
                break
        if chosen is None:  # nowhere free: keep it inside the frame, right of its line
            t.set_ha("left")
            t.set_transform(ax.get_xaxis_transform() + _offset(fig, 3, 0))
            chosen = t.get_window_extent(renderer)
        placed.append(Bbox(chosen.get_points()))
        out.append(t)
    return out


def _offset(fig, dx_pt: float, dy_pt: float):
    from matplotlib.transforms import ScaledTranslation

    return ScaledTranslation(dx_pt / 72.0, dy_pt / 72.0, fig.dpi_scale_trans)
