"""Exports that read an ephemeris or a replay's results: CSV, JSON, GeoJSON (more in submodules).

Every file is written to a temporary name in the target folder and renamed into place only
when complete (see :func:`sim.export.atomic.atomic_writer`).
"""

from .atomic import atomic_writer
from .track import write_track

__all__ = ["atomic_writer", "write_track"]
