"""Colours and figure helpers shared by the plots."""

from __future__ import annotations

SUNLIT = "#f28e2b"
ECLIPSE = "#4e79a7"
LAND = "#e8e4d8"
WATER = "#dbe8f2"
COAST = "#8c8c8c"
NIGHT = "#1b2a49"
VISIBLE = "#e15759"
STATION_COLOURS = ["#59a14f", "#b07aa1", "#9c755f", "#edc948", "#76b7b2", "#ff9da7", "#bab0ac"]


def new_axes(ax=None, figsize=(12, 6.6), **subplot_kw):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, subplot_kw=subplot_kw, layout="constrained")
    return fig, ax


def literal_text(fig):
    """Draw every text of ``fig`` as written: names such as ``$x^2$`` never reach matplotlib's
    mathtext parser (none of our own labels uses mathtext)."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


def save(fig, path, dpi: int = 110):
    """Save to ``path`` through the atomic writer (the format follows the extension; an
    unknown one is an ``OutputError``) and close the figure. Names are drawn literally."""
    import warnings
    from pathlib import Path

    import matplotlib
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
        no_math = {"text.parse_math": False} if "text.parse_math" in matplotlib.rcParams else {}
        with atomic_path(path) as tmp, matplotlib.rc_context(no_math), warnings.catch_warnings():
            # a name in a script the font lacks (an emoji) is drawn as a box, not a failure
            warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
            fig.savefig(tmp, dpi=dpi, format=fmt)
    finally:
        plt.close(fig)
