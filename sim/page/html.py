"""Write the replay page: one HTML file with its code, style and data inlined (works from
``file://`` with no network: no CDN, no tiles, no web fonts)."""

from __future__ import annotations

import html
import importlib.resources
from pathlib import Path

from ..export.atomic import atomic_writer
from ..export.shared import safe_json
from .payload import page_payload


def _asset(name: str) -> str:
    return (importlib.resources.files(__package__) / name).read_text(encoding="utf-8")


def _script_json(payload: dict) -> str:
    """JSON that is safe inside a <script> element: no '</' can close it early; a missing
    number (a failed SGP4 sample) is null, which the page skips."""
    text = safe_json(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def render_page(payload: dict) -> str:
    """The page as text, from a payload made by :func:`sim.page.page_payload`."""
    parts = {
        "@@CSS@@": _asset("replay.css"),
        "@@JS@@": _asset("replay.js"),
        "@@TITLE@@": html.escape(payload["title"]),
    }
    page = _asset("template.html")
    for token, value in parts.items():
        page = page.replace(token, value)
    # data last, so nothing in it is ever taken for a token
    return page.replace("@@DATA@@", _script_json(payload))


def write_page(results, path) -> Path:
    """Write the offline replay page of ``results`` to ``path`` (atomically); returns the path."""
    path = Path(path)
    text = render_page(page_payload(results))
    with atomic_writer(path) as handle:
        handle.write(text)
    return path
