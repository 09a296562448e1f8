"""Text drawn by the run's picture workers without laying out and rasterising the same
strings again in every picture (issue 14).

About half of a picture's CPU time is matplotlib's text: shaping a string into glyphs
(``FT2Font._layout``), measuring it (``set_text``), reading the font's line metrics (the
``OS/2`` and ``head`` tables, twice for every Text laid out) and rasterising each glyph
(``_render_glyph``). Most strings repeat across a run's pictures (tick labels, legend entries,
station names, axis labels, the fixed parts of titles). :func:`text_cache` memoises these four
steps for the Agg renderer, for as long as the context lasts (a worker's batch):

- a string's metrics and its glyphs with their pen offsets, per (string, font properties,
  dpi): pure functions of these;
- a font's line metrics, per (font properties, dpi) (``Text._get_layout``'s own formula, through
  the renderer hook it asks first);
- a glyph's bitmap per (font, size, dpi, glyph, rotation, the pen position's sub-pixel part in
  FreeType's 1/64 pixel): FreeType renders the same outline moved by whole pixels, so the bitmap
  of another whole-pixel position is the same bitmap moved.

FreeType reads a font file through matplotlib's Python file object, a seek and a read system
call for every table and glyph it loads (about 220,000 of each in a worker of the default
run); inside the cache the fonts are read from a copy in memory (:func:`fonts_in_memory`).

Every cached value is what matplotlib's own path computes (``tests/test_text_cache.py`` checks
pictures drawn both ways pixel for pixel); only the work is not done again. Mathtext and TeX
are left to matplotlib (our figures draw text literally, :func:`~sim.plots.style.literal_text`).
"""

from __future__ import annotations

import contextlib
import io
import math

#: how many glyph bitmaps the cache keeps before it starts again (each a few hundred bytes)
MAX_GLYPHS = 200_000


def _prop_key(prop) -> tuple:
    # matplotlib's own hash and equality of FontProperties (its metrics cache keys on it)
    return tuple(prop.__dict__.values())


class _FontBytes(io.BytesIO):
    """A font file's bytes, read by FreeType as it reads the file (seek, read) without a
    system call; ``name`` is the file's path."""

    def __init__(self, data: bytes, path: str):
        super().__init__(data)
        self.name = path


@contextlib.contextmanager
def fonts_in_memory():
    """A context in which matplotlib opens every font from a copy of its file in memory (each
    file read once), for the Agg renderer: a font opened so has no path, which the PDF and PS
    backends need to embed it. On exit the fonts opened in it are dropped from matplotlib's
    font cache, so later figures open their fonts as matplotlib does."""
    import os

    from matplotlib import font_manager, ft2font

    if not hasattr(font_manager, "_get_font") or not hasattr(font_manager, "ft2font"):
        yield  # a matplotlib that opens its fonts otherwise: as it does
        return
    files: dict = {}

    def open_font(path, *args, **kwargs):
        if isinstance(path, (str, bytes, os.PathLike)):
            name = os.fsdecode(path)
            data = files.get(name)
            if data is None:
                with open(name, "rb") as fh:
                    data = files[name] = fh.read()
            path = _FontBytes(data, name)
        return ft2font.FT2Font(path, *args, **kwargs)

    class _InMemory:
        # font_manager's view of the ft2font module: FT2Font opens a copy in memory
        FT2Font = staticmethod(open_font)

        def __getattr__(self, name):
            return getattr(ft2font, name)

    font_manager._get_font.cache_clear()
    font_manager.ft2font = _InMemory()
    try:
        yield
    finally:
        font_manager.ft2font = ft2font
        font_manager._get_font.cache_clear()
        files.clear()


@contextlib.contextmanager
def text_cache():
    """A context in which the Agg renderer reuses the metrics, glyphs and glyph bitmaps of
    strings it has laid out or drawn before and reads its fonts from memory (see the module's
    description); on exit matplotlib's own methods are back and the cache is dropped. For
    PNG pictures only: a PDF or PostScript figure saved inside it cannot embed its fonts."""
    import numpy as np
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.ft2font import RenderMode
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    Renderer = RendererAgg
    own = {
        name: Renderer.__dict__.get(name)
        for name in (
            "get_text_width_height_descent",
            "draw_text",
            "_get_font_height_metrics",
        )
    }
    own_layout = Text.__dict__["_get_layout"]
    text_layouts: dict = {}
    metrics: dict = {}
    layouts: dict = {}
    heights: dict = {}
    glyphs: dict = {}
    get_wh = own["get_text_width_height_descent"]
    draw_text = own["draw_text"]

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return get_wh(self, s, prop, ismath)
        key = (s, _prop_key(prop), self.dpi)
        found = metrics.get(key)
        if found is None:
            found = metrics[key] = get_wh(self, s, prop, ismath)
        return found

    def cached_draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (
            s,
            _prop_key(prop),
            self.dpi,
            tuple(features) if features is not None else None,
            language,
        )
        items = layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            laid = font._layout(s, flags=get_hinting_flag(), features=features, language=language)
            size = prop.get_size_in_points()
            items = layouts[key] = [
                (item.ft_object, size, item.glyph_index, 0, 1, item.x, item.y) for item in laid
            ]
        draw_cached_glyphs(self, gc, x, y, angle, items)

    def draw_cached_glyphs(self, gc, x, y, angle, items):
        # RendererAgg._draw_text_glyphs_and_boxes for glyphs (no boxes), each glyph's bitmap
        # rendered once per sub-pixel position
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        antialiased = bool(gc.get_antialiased())
        height = self.height
        matrix = None
        for font, size, glyph_index, slant, extend, dx, dy in items:
            if matrix is None or (slant, extend) != matrix[0]:
                m = (
                    (
                        0x10000
                        * np.array([[cos, -sin], [sin, cos]])
                        @ [[extend, extend * slant], [0, 1]]
                    )
                    .round()
                    .astype(int)
                )
                matrix = ((slant, extend), m, tuple(m.ravel().tolist()))
            delta_x = round(0x40 * (x + dx * cos - dy * sin))
            delta_y = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (
                font,
                size,
                self.dpi,
                glyph_index,
                matrix[2],
                antialiased,
                load_flags,
                delta_x & 63,
                delta_y & 63,
            )
            found = glyphs.get(key)
            if found is None:
                font.set_size(size, self.dpi)
                font._set_transform(matrix[1], [delta_x, delta_y])
                bitmap = font._render_glyph(
                    glyph_index, load_flags, RenderMode.NORMAL if antialiased else RenderMode.MONO
                )
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xFF
                if len(glyphs) >= MAX_GLYPHS:
                    glyphs.clear()
                found = glyphs[key] = (
                    buffer,
                    bitmap.left - (delta_x >> 6),
                    bitmap.top - (delta_y >> 6),
                )
            buffer, left, top = found
            self._renderer.draw_text_image(
                buffer,
                left + (delta_x >> 6),
                int(height) - (top + (delta_y >> 6)) + buffer.shape[0],
                0,
                gc,
            )

    def get_font_height_metrics(self, prop):
        # Text._get_layout's line metrics of a font (OS/2 typo metrics, else hhea) at this
        # renderer's dpi (the figure's: the renderer is made at it)
        key = (_prop_key(prop), self.dpi)
        found = heights.get(key)
        if found is None:
            found = heights[key] = _font_height_metrics(prop, self.dpi, font_manager)
        return found

    def get_layout(self, renderer):
        # Text._get_layout depends on where the text is only through wrapping (not cached)
        if self.get_wrap() or self.get_usetex() or not isinstance(renderer, Renderer):
            return own_layout(self, renderer)
        key = (
            self.get_text(),
            self.get_parse_math(),
            _prop_key(self._fontproperties),
            self.get_figure(root=True).dpi,
            renderer.dpi,
            self._linespacing,
            self._get_multialignment(),
            self.get_rotation(),
            self.get_rotation_mode(),
            self._horizontalalignment,
            self._verticalalignment,
        )
        found = text_layouts.get(key)
        if found is None:
            found = text_layouts[key] = own_layout(self, renderer)
        bbox, lines, box = found
        return Bbox(bbox.get_points().copy()), list(lines), box

    Text._get_layout = get_layout
    Renderer.get_text_width_height_descent = get_text_width_height_descent
    Renderer.draw_text = cached_draw_text
    Renderer._get_font_height_metrics = get_font_height_metrics
    try:
        with fonts_in_memory(), legend_boxes_once():
            yield
    finally:
        Text._get_layout = own_layout
        text_layouts.clear()
        for name, value in own.items():
            if value is None:
                with contextlib.suppress(AttributeError):
                    delattr(Renderer, name)
            else:
                setattr(Renderer, name, value)
        metrics.clear()
        layouts.clear()
        heights.clear()
        glyphs.clear()


#: the offset boxes whose layout :func:`legend_boxes_once` keeps while a legend draws: class
#: -> the method that measures it (sizes and child offsets, never the box's own position)
_BOX_METHODS = {
    "VPacker": "_get_bbox_and_child_offsets",
    "HPacker": "_get_bbox_and_child_offsets",
    "PaddedBox": "_get_bbox_and_child_offsets",
    "TextArea": "get_bbox",
    "DrawingArea": "get_bbox",
}


@contextlib.contextmanager
def legend_boxes_once():
    """A context in which a legend's boxes are measured once per draw. ``Legend.draw``
    measures its box tree (columns of handle and text boxes) for the frame, and then every
    packer measures its children again as it places them, each level repeating the levels
    below (about a third of a legend's drawing). While one legend draws, each box's
    measurement (its size and its children's offsets, which nothing in the draw changes) is
    kept and reused; the values are matplotlib's own. On exit matplotlib's methods are back."""
    from matplotlib import offsetbox
    from matplotlib.legend import Legend

    kept: dict = {}
    drawing = [False]
    own = {  # a matplotlib whose boxes measure themselves otherwise keeps its own way
        name: getattr(offsetbox, name).__dict__[method]
        for name, method in _BOX_METHODS.items()
        if method in getattr(getattr(offsetbox, name, None), "__dict__", {})
    }
    own_draw = Legend.__dict__["draw"]

    def once(function):
        def measure(self, renderer):
            if not drawing[0]:
                return function(self, renderer)
            key = (id(self), id(renderer))
            found = kept.get(key)
            if found is None:
                found = kept[key] = (self, function(self, renderer))
            return found[1]

        return measure

    def legend_draw(self, renderer):
        drawing[0] = True
        try:
            return own_draw(self, renderer)
        finally:
            drawing[0] = False
            kept.clear()

    for name, function in own.items():
        setattr(getattr(offsetbox, name), _BOX_METHODS[name], once(function))
    Legend.draw = legend_draw
    try:
        yield
    finally:
        Legend.draw = own_draw
        for name, function in own.items():
            setattr(getattr(offsetbox, name), _BOX_METHODS[name], function)
        kept.clear()


def _font_height_metrics(prop, dpi, font_manager):
    """(ascent, descent, line gap) of the font of ``prop`` in pixels, as
    ``Text._get_layout`` computes them when the renderer has no opinion; (None, None, None)
    when the font has neither table (then Text measures "lp")."""
    font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))
    for table_name, linegap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return (table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale)
    return (None, None, None)
