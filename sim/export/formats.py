"""One entry point for every export format, shared by 'sim export', 'sim run' and the API."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import OutputError, SimError
from .atomic import atomic_writer, is_stdout
from .shared import iso_times, safe_json

FORMATS = ("czml", "kml", "oem", "geojson", "csv", "json", "html")


def export(results, fmt: str, path, *, frame: str = "EME2000", start_jd=None, end_jd=None):
    """Write ``results`` as ``fmt`` to ``path``; returns the paths written."""
    fmt = fmt.lower()
    path = Path(path)
    if fmt not in FORMATS:
        raise SimError(f"export format {fmt!r} is unknown; expected one of {FORMATS}")
    if fmt == "czml":
        from .czml import write_czml

        write_czml(results, path, start_jd=start_jd, end_jd=end_jd)
        return [path]
    if start_jd is not None or end_jd is not None:
        raise SimError(f"--start/--end apply to czml only; {fmt} exports the whole replay")
    if fmt == "html":
        from ..page import write_page

        write_page(results, path)
        return [path]
    if fmt == "kml":
        from .kml import write_kml

        write_kml(results, path)
        return [path]
    if fmt == "oem":
        from .oem import write_oem

        write_oem(results, path, frame)
        return [path]
    if fmt == "geojson":
        from .track import geojson_model_features, geojson_track

        doc = geojson_track(results.ephemeris)
        doc["features"] += geojson_model_features(results)
        for st in results.scenario.stations:
            n = sum(p.station == st.name for p in results.passes)
            doc["features"].append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [st.lon_deg, st.lat_deg]},
                    "properties": {"kind": "station", "name": st.name, "passes": n},
                }
            )
        for ev in results.events:
            if ev["iss_lat_deg"] != ev["iss_lat_deg"]:
                continue  # no ISS position there (SGP4 failed): no point to draw
            doc["features"].append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [
                            ev["iss_lon_deg"],
                            ev["iss_lat_deg"],
                            round(ev["iss_alt_km"] * 1000.0, 1),
                        ],
                    },
                    "properties": {"kind": "event", "name": ev["name"], "time_utc": ev["utc"]},
                }
            )
        with atomic_writer(path) as f:
            f.write(safe_json(doc, separators=(",", ":")))
            f.write("\n")
        return [path]
    if fmt == "csv":
        if is_stdout(path):
            raise OutputError(
                "-: the csv export is three files (track, passes, events); give a file name"
            )
        from .results import write_events_csv, write_passes_csv
        from .track import write_track

        launch = next((e["jd"] for e in results.events if e["name"] == "launch"), None)
        write_track(results.ephemeris, path, "csv", launch_jd=launch)
        passes = path.with_name(f"{path.stem}.passes.csv")
        events = path.with_name(f"{path.stem}.events.csv")
        write_passes_csv(results.passes, passes)
        write_events_csv(results.events, events)
        return [path, passes, events]
    # json: one document
    eph = results.ephemeris
    data = {
        "summary": results.summary(),
        "track": {
            "time_utc": list(iso_times(eph)),
            "lat_deg": [None if math.isnan(v) else round(v, 7) for v in eph.lat_deg.tolist()],
            "lon_deg": [None if math.isnan(v) else round(v, 7) for v in eph.lon_deg.tolist()],
            "alt_km": [None if math.isnan(v) else round(v, 4) for v in eph.alt_km.tolist()],
        },
        "passes": [p.to_dict() for p in results.passes],
    }
    with atomic_writer(path) as f:
        f.write(safe_json(data, separators=(",", ":")))
        f.write("\n")
    return [path]
