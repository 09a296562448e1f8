"""Place text labels so that none overlaps another, a marker or the legend, and all stay inside
the axes: each label tries offsets around its anchor, nearest first, and takes the first free
one; far offsets get a leader line. Labels that must appear (stations) are never dropped: they
take the least crowded offset when none is free. Optional labels (time ticks) are left out when
no offset is free, and the count left out is returned."""

from __future__ import annotations

from dataclasses import dataclass

from .style import LABEL_SIZE, draw_now, plain

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


def _overlaps(box, boxes, pad: float = 1.0) -> int:
    n = 0
    for b in boxes:
        if (
            box.x0 - pad < b.x1
            and b.x0 < box.x1 + pad
            and box.y0 - pad < b.y1
            and b.y0 < box.y1 + pad
        ):
            n += 1
    return n


def marker_boxes(ax, xs, ys, half_px: float = 6.0):
    """Display-space boxes around marker positions, as obstacles for labels."""
    from matplotlib.transforms import Bbox

    pts = ax.transData.transform(list(zip(xs, ys, strict=True))) if len(xs) else []
    return [Bbox([[x - half_px, y - half_px], [x + half_px, y + half_px]]) for x, y in pts]


def place_labels(ax, labels, obstacles=(), zorder: float = 10) -> tuple[list, int]:
    """Draw ``labels`` (list of :class:`Label`) without overlaps; return (texts, dropped)."""
    fig = ax.figure
    draw_now(fig)  # names literal, missing glyphs as boxes
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    taken = list(obstacles)
    texts, dropped = [], 0
    for lab in labels:
        ann = ax.annotate(
            plain(lab.text),
            (lab.x, lab.y),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=lab.fontsize,
            color=lab.colour,
            zorder=zorder,
            annotation_clip=False,
            arrowprops=dict(arrowstyle="-", color="0.35", linewidth=0.6, shrinkA=0, shrinkB=3),
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", alpha=0.75, linewidth=0),
        )
        ann.set_in_layout(False)
        free, crowded = None, None
        for dx, dy, ha, va in _NEAR + _FAR:
            ann.xyann = (dx, dy)
            ann.set_ha(ha)
            ann.set_va(va)
            box = ann.get_window_extent(renderer)
            if not (
                box.x0 >= inside.x0
                and box.x1 <= inside.x1
                and box.y0 >= inside.y0
                and box.y1 <= inside.y1
            ):
                continue
            clash = _overlaps(box, taken)
            if clash == 0:
                free = (dx, dy, ha, va)
                break
            if crowded is None or clash < crowded[0]:
                crowded = (clash, (dx, dy, ha, va))
        chosen = free or (crowded[1] if lab.required and crowded else None)
        if chosen is None and lab.required:
            chosen = _NEAR[0]
        if chosen is None:
            ann.remove()
            dropped += 1
            continue
        dx, dy, ha, va = chosen
        ann.xyann = (dx, dy)
        ann.set_ha(ha)
        ann.set_va(va)
        ann.arrow_patch.set_visible(abs(dx) > 10 or abs(dy) > 10)  # leader line when far
        taken.append(ann.get_window_extent(renderer))
        texts.append(ann)
    return texts, dropped


def stack_labels(ax, xs, texts, *, top_frac: float = 0.98, fontsize: float = LABEL_SIZE):
    """Label vertical lines at data positions ``xs`` in a band at the top of ``ax``: each text
    sits right of its line (or left, where the right runs out of the frame), in the highest row
    where it touches no other label and crosses no other line. Returns the texts."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    draw_now(fig)  # names literal, missing glyphs as boxes
    renderer = fig.canvas.get_renderer()
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
