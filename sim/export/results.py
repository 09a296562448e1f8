"""The data files of a replay's output folder: summary, track, ground track, passes, events."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..names import csv_row
from ..passes import PASS_FIELDS
from ..results import json_safe
from .atomic import atomic_writer
from .track import write_groundtrack, write_track

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


def write_passes(passes, folder: Path, object_name: str = "ISS"):
    """passes.json and passes.csv (every pass: UTC columns and, added, local ones) and
    passes.ics (the visible passes as calendar events)."""
    from .ics import write_ics

    with atomic_writer(folder / "passes.json") as f:
        f.write(json.dumps(json_safe([p.to_dict() for p in passes]), indent=1, allow_nan=False))
        f.write("\n")
    write_passes_csv(passes, folder / "passes.csv")
    write_ics(passes, folder / "passes.ics", object_name=object_name)


def write_events_csv(events, path: Path):
    with atomic_writer(path, newline="") as f:
        w = csv.DictWriter(f, fieldnames=EVENT_FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        # a missing ISS position (SGP4 failed at the event) is an empty cell, not 'nan'
        w.writerows(csv_row({k: "" if v != v else v for k, v in e.items()}) for e in events)


def model_tracks(results) -> dict:
    """slug -> one ephemeris per modelled object (its legs joined), for ``track-<slug>.csv``."""
    from ..legs import concat_ephemerides

    by_object: dict[str, list] = {}
    for tr in results.trajectories.values():
        if tr.modelled:
            by_object.setdefault(tr.slug, []).append(tr.ephemeris)
    return {slug: concat_ephemerides(ephs) for slug, ephs in by_object.items()}


def write_model_passes(passes, path: Path):
    """Passes of the modelled legs: the pass columns and the leg's name, every row a model."""
    rows = [{"object": p.extra.get("object", ""), **p.to_dict()} for p in passes]
    with atomic_writer(path, newline="") as f:
        w = csv.DictWriter(f, fieldnames=["object", *PASS_FIELDS], lineterminator="\n")
        w.writeheader()
        w.writerows(csv_row(r) for r in rows)


def write_data_files(results, folder: Path):
    """Every data file of the output folder (the pictures are :mod:`sim.plots`'s)."""
    from .shared import shared_work

    with shared_work():  # the track's time strings etc. computed once for every format
        _write_data_files(results, Path(folder))


def _write_data_files(results, folder: Path):
    from ..results import summary_json

    with atomic_writer(folder / "summary.json") as f:
        f.write(summary_json(results))
    launch = next((e["jd"] for e in results.events if e["name"] == "launch"), None)
    write_track(results.ephemeris, folder / "track.csv", launch_jd=launch)
    write_groundtrack(results, folder / "groundtrack.geojson")
    first = results.catalogue.sets[0]
    write_passes(results.passes, folder, (first.name or "").strip() or f"NORAD {first.norad_id}")
    write_events_csv(results.events, folder / "events.csv")
    for slug, eph in model_tracks(results).items():
        write_track(eph, folder / f"track-{slug}.csv", launch_jd=launch)
    if results.model_passes:
        write_model_passes(results.model_passes, folder / "passes-model.csv")
    if results.launch_window is not None:
        with atomic_writer(folder / "launch_window.json") as f:
            f.write(
                json.dumps(json_safe(results.launch_window.to_dict()), indent=1, allow_nan=False)
            )
            f.write("\n")
    from .formats import export

    for fmt in ("czml", "kml", "oem"):
        if results.scenario.outputs.get(fmt, False):
            export(results, fmt, folder / f"replay.{fmt}")
    if results.scenario.outputs.get("oem", False):  # replay-<slug>.oem per modelled object
        from .oem import write_model_oems

        write_model_oems(results, folder)
    if results.scenario.outputs.get("html", True):
        from ..page import write_page

        write_page(results, folder / "replay.html")  # the offline interactive replay
