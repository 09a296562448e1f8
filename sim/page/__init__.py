"""The offline replay page: one self-contained HTML file from a replay's ``Results``.

>>> from sim.page import write_page  # doctest: +SKIP
>>> write_page(results, "replay.html")  # doctest: +SKIP

:func:`page_payload` gives the plain data behind it; :func:`trajectories` is the one place that
knows where ``Results`` keeps its trajectories.
"""

from .html import render_page, write_page
from .payload import page_payload, trajectories

__all__ = ["page_payload", "render_page", "trajectories", "write_page"]
