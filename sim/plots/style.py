"""The picture vocabulary: one colour, marker and line style per kind of thing, used by every
figure (maps, timeline, altitude, sky plots, animation). ``docs/picture-style.md`` describes it;
change it here and the whole product follows."""

from __future__ import annotations

import contextlib
import warnings

# track and sky
SUNLIT = "#f28e2b"  #: orange: the object in sunlight
ECLIPSE = "#4e79a7"  #: blue: the object in Earth's shadow
VISIBLE = "#e15759"  #: red: a pass (or its part) visible to the eye
FAINT = "#7f7f7f"  #: grey: context drawn behind the subject (the rest of the stay)
# the map
LAND = "#e8e4d8"
WATER = "#dbe8f2"
COAST = "#8c8c8c"
NIGHT = "#1b2a49"
#: station colours; none is yellow (the Sun), orange (sunlit track) or red (visible)
STATION_COLOURS = ["#59a14f", "#b07aa1", "#9c755f", "#17becf", "#76b7b2", "#bcbd22", "#637939"]

# fonts (points) and figure sizes (inches)
TITLE_SIZE = 12
LABEL_SIZE = 8
SMALL_SIZE = 7
MAP_SIZE = (12, 6.6)

#: marker vocabulary: kind -> matplotlib keyword arguments (and the legend wording)
MARKERS = {
    "sun": dict(marker="o", markersize=10, color="#ffd000", markeredgecolor="#8a6d00"),
    "object": dict(marker="D", markersize=8, color="white", markeredgecolor="black"),
    "station": dict(marker="s", markersize=6, markeredgecolor="black"),
    "launch": dict(marker="^", markersize=11, color="#d62728", markeredgecolor="black"),
    "scrub": dict(marker="X", markersize=10, color="#7f7f7f", markeredgecolor="black"),
    "docking": dict(marker="*", markersize=13, color="#2ca02c", markeredgecolor="black"),
    "undocking": dict(marker="*", markersize=13, color="#9467bd", markeredgecolor="black"),
    "landing": dict(marker="v", markersize=11, color="#8c564b", markeredgecolor="black"),
    "burn": dict(marker="P", markersize=9, color="#ff7f0e", markeredgecolor="black"),
}

#: line styles of modelled legs (their colour says sunlit/shadow where drawn per point)
LEG_STYLES = {
    "ascent": dict(color="#d62728", linestyle="--", linewidth=1.8),
    "free flight": dict(color="#9467bd", linestyle="-.", linewidth=1.6),
    "return": dict(color="#8c564b", linestyle=":", linewidth=2.0),
    "model": dict(color="#9467bd", linestyle="-.", linewidth=1.6),
}


def station_colour(i: int) -> str:
    return STATION_COLOURS[i % len(STATION_COLOURS)]


def leg_style(name: str) -> dict:
    """Line style of a modelled trajectory, by the words in its name."""
    low = name.lower()
    for key in ("ascent", "return", "free flight"):
        if key in low:
            return dict(LEG_STYLES[key])
    return dict(LEG_STYLES["model"])


def plain(text: str) -> str:
    """A name as text to draw. Figures are drawn with mathtext off (:func:`literal_text`, which
    :func:`save` applies), so ``$x^2$`` in a name is drawn as written."""
    return str(text)


def new_axes(ax=None, figsize=MAP_SIZE, **subplot_kw):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, subplot_kw=subplot_kw, layout="constrained")
    return fig, ax


#: True while the run's picture jobs draw (:func:`born_literal`): every Text is then created
#: with mathtext off, and :func:`literal_text` has nothing left to do
_BORN_LITERAL = False


@contextlib.contextmanager
def born_literal(rc: dict | None = None):
    """A context in which every Text is created literal (``text.parse_math`` off), so that
    :func:`literal_text` need not walk the figure's artists (a walk that also makes every
    axis's ticks: about a tenth of the timeline's drawing), and the settings ``rc`` hold (one
    ``rc_context``, which copies and restores every setting). The run's picture jobs draw in
    it."""
    global _BORN_LITERAL
    import matplotlib

    before = _BORN_LITERAL
    no_math = {"text.parse_math": False} if "text.parse_math" in matplotlib.rcParams else {}
    with matplotlib.rc_context({**(rc or {}), **no_math}):
        _BORN_LITERAL = bool(no_math)
        try:
            yield
        finally:
            _BORN_LITERAL = before


#: set by :func:`layout_once`
_LAYOUT_ONCE = False


@contextlib.contextmanager
def layout_once():
    """A context in which a figure with a layout engine is laid out once, by the first
    :func:`text_renderer` that measures it, and then keeps its engine's layout: later
    measurements and ``savefig`` do not lay it out again (each of those is a full pass over
    the figure's artists; the timeline made four). For figures whose in-layout artists all
    exist when their texts are first measured, as in the run's pictures (labels placed after
    measuring are outside the layout); ``tests/test_layout_once.py`` checks the pixels. The
    run's picture jobs draw in it."""
    global _LAYOUT_ONCE
    before = _LAYOUT_ONCE
    _LAYOUT_ONCE = True
    try:
        yield
    finally:
        _LAYOUT_ONCE = before


def no_math():
    """``text.parse_math`` off while a figure is saved (already so in :func:`born_literal`)."""
    import matplotlib

    if _BORN_LITERAL or "text.parse_math" not in matplotlib.rcParams:
        return contextlib.nullcontext()
    return matplotlib.rc_context({"text.parse_math": False})


def literal_text(fig):
    """Draw every text of ``fig`` as written: names such as ``$x^2$`` never reach matplotlib's
    mathtext parser (none of our own labels uses mathtext)."""
    from matplotlib.text import Text

    if _BORN_LITERAL:
        return fig
    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


@contextlib.contextmanager
def quiet_glyphs():
    """A context in which a glyph missing from the font (an emoji in a name) is drawn or
    measured as a box, not raised as a warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        yield


def text_renderer(fig):
    """A renderer to measure the texts of ``fig`` (``Text.get_window_extent(renderer)``)
    without drawing it: names literal; a figure with a layout engine (a user's axes, the
    timeline) is laid out first by a draw that rasterises nothing. Figures laid out by hand
    (the maps, the sky plots) are measured as they stand; only ``savefig`` draws them."""
    literal_text(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        with quiet_glyphs():
            if _LAYOUT_ONCE:
                # the layout alone (the first step of Figure.draw), which then stays: the one
                # draw that follows, savefig's, is the first pass over the artists
                engine.execute(fig)
                fig.set_layout_engine("none")
            else:
                fig.draw_without_rendering()
    return fig.canvas.get_renderer()


#: PNG zlib level: 1 writes in about a third of the time of the default 6 (measured on the
#: default run's figures; docs/picture-style.md)
PNG_COMPRESS_LEVEL = 1


def _deflate():
    """The zlib-format compressor of :func:`png_bytes`: Intel's ISA-L (``isal``) where it is
    installed, about five times as fast as zlib at level 1 for 5% larger files (the default
    run's 88 pictures as RGB rows: 0.12 s against 0.63 s of CPU, 15.8 against 15.1 MB); else
    zlib."""
    try:
        from isal.isal_zlib import compress
    except ImportError:
        from zlib import compress
    return compress


def png_bytes(rgba, dpi: float) -> bytes:
    """A PNG of the canvas pixels ``rgba`` (H, W, 4, top row first), RGBA as savefig writes
    it; rows unfiltered, deflated (:func:`_deflate`) at level :data:`PNG_COMPRESS_LEVEL`; the
    resolution (pHYs) and the "Software" text ``savefig`` writes. Unfiltered rows of a plot
    (flat colours) compress better and about twice as fast as Pillow's adaptive filters; the
    alpha bytes are kept (dropping them for an opaque picture took longer than compressing
    them: 5% larger files for about 40% less time; docs/picture-style.md)."""
    import struct
    import zlib

    import matplotlib
    import numpy as np

    pixels = np.asarray(rgba)
    height, width = pixels.shape[:2]
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(height, width, 4)[...] = pixels

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    per_metre = int(dpi / 0.0254 + 0.5)
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            chunk(b"tEXt", b"Software\x00" + software.encode("latin-1")),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", _deflate()(rows, PNG_COMPRESS_LEVEL)),
            chunk(b"IEND", b""),
        ]
    )


def save(fig, path, dpi: int = 110):
    """Save to ``path`` through the atomic writer (the format follows the extension; an
    unknown one is an ``OutputError``) and close the figure. Names are drawn literally."""
    from pathlib import Path

    import matplotlib.pyplot as plt

    from ..errors import OutputError
    from ..export.atomic import atomic_path

    try:
        path = Path(path)
        fmt = path.suffix.lstrip(".").lower()
        supported = fig.canvas.get_supported_filetypes()
        if fmt not in supported:
            raise OutputError(
                f"{path}: unknown picture format {path.suffix or '(no extension)'!r}; expected "
                + ", ".join(f".{k}" for k in sorted(supported))
            )
        literal_text(fig)
        with atomic_path(path) as tmp, no_math(), quiet_glyphs():
            if fmt == "png" and _plain_png(fig, dpi):
                fig.canvas.draw()  # the layout and drawing of savefig's PNG
                Path(tmp).write_bytes(png_bytes(fig.canvas.buffer_rgba(), fig.dpi))
            else:
                extra = (
                    {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
                )
                fig.savefig(tmp, dpi=dpi, format=fmt, **extra)
    finally:
        plt.close(fig)


def _plain_png(fig, dpi) -> bool:
    """Whether savefig's PNG of ``fig`` at ``dpi`` is the Agg canvas's pixels as they stand:
    an Agg canvas at that dpi, and no savefig setting that changes the picture (face or edge
    colour, transparency, a tight box). Then :func:`save` writes them through
    :func:`png_bytes` (the same pixels, encoded in a fraction of Pillow's time)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rc = matplotlib.rcParams
    return (
        type(fig.canvas) is FigureCanvasAgg
        and fig.dpi == dpi
        and rc["savefig.facecolor"] == "auto"
        and rc["savefig.edgecolor"] == "auto"
        and not rc["savefig.transparent"]
        and rc["savefig.bbox"] is None
    )
