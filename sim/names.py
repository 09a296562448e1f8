"""Names given by people (stations, events) on their way into file names and table cells.

One check for where a name enters (:func:`check_name`), one slug for every name that becomes a
file name (:func:`unique_slugs`), one neutraliser for every text cell of a CSV file
(:func:`csv_cell`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .errors import SimError

#: longest name accepted: it labels plots and table columns
MAX_NAME_CHARS = 100
#: longest slug before the collision suffix; file systems allow 255 bytes per name
MAX_SLUG_CHARS = 60
#: names Windows refuses as file names whatever the extension
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}
#: first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_name(name, where: str) -> str:
    """``name`` if it is a non-empty string of at most :data:`MAX_NAME_CHARS` characters
    without control characters; else a ``SimError`` naming ``where`` (e.g. ``"station
    'Minsk'"``) and the reason."""
    if not isinstance(name, str) or not name.strip():
        raise SimError(f"{where}: the name must be a non-empty string, found {name!r}")
    if len(name) > MAX_NAME_CHARS:
        raise SimError(
            f"{where[:60]}...: the name has {len(name)} characters; at most {MAX_NAME_CHARS}"
        )
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            raise SimError(
                f"{where}: the name holds the control character U+{ord(ch):04X}; "
                "names may not hold NUL, line breaks or other control characters"
            )
    return name


def slug(name: str) -> str:
    """A file-name-safe form of ``name``: letters and digits (any script), lower case, every
    other run of characters one ``-``. Never empty, never a Windows device name."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w]+|_+", "-", text).strip("-")[:MAX_SLUG_CHARS].strip("-")
    if not text:
        text = "unnamed"
    if text in _WINDOWS_RESERVED:
        text += "-"
    return text


def unique_slugs(names) -> dict[str, str]:
    """``{name: slug}`` with no two names sharing a slug: where slugs collide (``Minsk/1`` and
    ``Minsk?1``), each gets a short hash of its exact name, so the result does not depend on
    the order of ``names``."""
    names = list(dict.fromkeys(names))
    plain = {n: slug(n) for n in names}
    counts: dict[str, int] = {}
    for s in plain.values():
        counts[s] = counts.get(s, 0) + 1
    out = {}
    for n in names:
        s = plain[n]
        if counts[s] > 1:
            s = f"{s}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:8]}"
        out[n] = s
    taken = list(out.values())
    if len(set(taken)) != len(taken):  # a hashed slug met a plain one: hash every name
        out = {n: f"{plain[n]}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:8]}" for n in names}
    return out


def csv_cell(value):
    """A CSV cell that a spreadsheet will not run as a formula: text starting with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (OWASP). Numbers, booleans
    and ``None`` pass unchanged, so a longitude of -33.9 stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(row: dict) -> dict:
    """:func:`csv_cell` on every value of a ``csv.DictWriter`` row."""
    return {k: csv_cell(v) for k, v in row.items()}
