"""Work the writers of one output folder share: computed once per folder, not once per format.

Inside :func:`shared_work` (``write_data_files`` opens it) a value asked for again for the same
object is the one computed first (for example the ISO time strings of the 100,000-instant track,
which the track CSV, the GeoJSON, the KML and the OEM all need). Outside it every call computes
afresh, so an API call never sees a stale value and nothing is kept between runs.
"""

from __future__ import annotations

import contextlib

_memo: dict | None = None


@contextlib.contextmanager
def shared_work():
    """Share computed values among the writers inside the block (re-entrant)."""
    global _memo
    outer = _memo
    if outer is None:
        _memo = {}
    try:
        yield
    finally:
        if outer is None:
            _memo = None


def once(owner, name: str, compute):
    """``compute()``, or inside :func:`shared_work` the value computed first for ``owner``
    (the object itself is kept with the value, so its id cannot be reused meanwhile)."""
    if _memo is None:
        return compute()
    key = (id(owner), name)
    hit = _memo.get(key)
    if hit is None or hit[0] is not owner:
        hit = _memo[key] = (owner, compute())
    return hit[1]


def iso_times(eph, digits: int = 3) -> tuple[str, ...]:
    """The ISO 8601 UTC strings of every instant of ``eph`` (read-only: a tuple)."""
    return once(eph, f"iso{digits}", lambda: tuple(eph.iso(digits)))
