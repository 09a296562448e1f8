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


def save(fig, path, dpi: int = 110):
    """Save to ``path`` (the format follows the extension) and close the figure."""
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=dpi)
    plt.close(fig)
