"""Work the writers of one output folder share: computed once per folder, not once per format.

Inside :func:`shared_work` (``write_data_files`` opens it) a value asked for again for the same
object is the one computed first (for example the ISO time strings of the 100,000-instant track,
which the track CSV, the GeoJSON, the KML and the OEM all need). Outside it every call computes
afresh, so an API call never sees a stale value and nothing is kept between runs.
"""

from __future__ import annotations

import contextlib
import json

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


def sharing() -> bool:
    """Whether the caller runs inside :func:`shared_work`."""
    return _memo is not None


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


def safe_json(value, **kwargs) -> str:
    """``json.dumps(json_safe(value), allow_nan=False, **kwargs)``, the same text: ``value`` is
    first dumped as it is, which succeeds when it holds no NaN, infinity or numpy scalar other
    than a float (the usual case: no walk over every number); only otherwise is it made safe
    with :func:`sim.results.json_safe` and dumped again."""
    try:
        return json.dumps(value, allow_nan=False, **kwargs)
    except (ValueError, TypeError):
        from ..results import json_safe

        return json.dumps(json_safe(value), allow_nan=False, **kwargs)
