"""The data files of a replay's output folder: summary, track, ground track, passes, events."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..names import csv_row
from ..passes import PASS_FIELDS
from .atomic import atomic_writer
from .track import write_track

EVENT_FIELDS = [
    "name",
    "kind",
    "utc",
    "met_s",
    "iss_lat_deg",
    "iss_lon_deg",
    "iss_alt_km",
    "element_set_epoch_utc",
    "element_set_age_h",
    "source",
]


def write_passes_csv(passes, path: Path):
    with atomic_writer(path, newline="") as f:
        w = csv.DictWriter(f, fieldnames=PASS_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(csv_row(p.to_dict()) for p in passes)


def write_passes(passes, folder: Path):
    with atomic_writer(folder / "passes.json") as f:
        json.dump([p.to_dict() for p in passes], f, indent=1)
        f.write("\n")
    write_passes_csv(passes, folder / "passes.csv")


def write_events_csv(events, path: Path):
    with atomic_writer(path, newline="") as f:
        w = csv.DictWriter(f, fieldnames=EVENT_FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(csv_row(e) for e in events)


def write_data_files(results, folder: Path):
    from ..results import summary_json

    folder = Path(folder)
    with atomic_writer(folder / "summary.json") as f:
        f.write(summary_json(results))
    launch = next((e["jd"] for e in results.events if e["name"] == "launch"), None)
    write_track(results.ephemeris, folder / "track.csv", launch_jd=launch)
    write_track(results.ephemeris, folder / "groundtrack.geojson")
    write_passes(results.passes, folder)
    write_events_csv(results.events, folder / "events.csv")
    if results.launch_window is not None:
        with atomic_writer(folder / "launch_window.json") as f:
            json.dump(results.launch_window.to_dict(), f, indent=1)
            f.write("\n")
    from .formats import export

    for fmt in ("czml", "kml", "oem"):
        if results.scenario.outputs.get(fmt, False):
            export(results, fmt, folder / f"replay.{fmt}")
