"""Ground track as CSV, JSON or GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import OutputError
from ..tracks import split_antimeridian
from .atomic import atomic_writer
from .shared import iso_times, safe_json

TRACK_COLUMNS = (
    "time_utc",
    "lat_deg",
    "lon_deg",
    "alt_km",
    "x_km",
    "y_km",
    "z_km",
    "sunlit",
    "element_set_epoch_utc",
    "element_set_age_h",
)
TRACK_NOTE = (
    "x_km, y_km, z_km are Earth-fixed (ITRS, with UT1 and polar motion from the IERS table); "
    "lat/lon/alt are WGS84 geodetic; "
    "sunlit is true unless the station is in the Earth's umbra; element_set_age_h is the signed "
    "age of the element set in force (negative: its epoch lies ahead, so the position was "
    "propagated backwards and is approximate)."
)


def _columns(eph):
    ok = eph.ok
    sunlit = np.where(eph.shadow < 0, "", np.where(eph.sunlit, "true", "false"))
    return {
        "time_utc": iso_times(eph),
        "lat_deg": np.round(eph.lat_deg, 7),
        "lon_deg": np.round(eph.lon_deg, 7),
        "alt_km": np.round(eph.alt_km, 4),
        "x_km": np.round(eph.r_itrs_km[:, 0], 4),
        "y_km": np.round(eph.r_itrs_km[:, 1], 4),
        "z_km": np.round(eph.r_itrs_km[:, 2], 4),
        "sunlit": sunlit,
        "element_set_epoch_utc": eph.element_set_epochs_iso(),
        "element_set_age_h": np.round(eph.age_h, 4),
        "_ok": ok,
    }


def write_track(eph, path, fmt: str | None = None, launch_jd: float | None = None) -> Path:
    """Write the ephemeris as a track file; the format follows the extension unless given.

    With ``launch_jd`` (UTC Julian date of lift-off) the CSV and JSON gain a last column
    ``met_s``, the mission elapsed time in seconds.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    writer = {"csv": _write_csv, "json": _write_json, "geojson": _write_geojson}.get(fmt)
    if writer is None:
        raise OutputError(f"{path}: unknown track format {fmt!r}; expected .csv, .json or .geojson")
    met = None if launch_jd is None else _met(eph, launch_jd)
    if writer is _write_geojson:
        writer(eph, path)
    else:
        writer(eph, path, met)
    return path


def _met(eph, launch_jd: float):
    whole = np.floor(launch_jd)
    met = np.round(
        ((eph.times.whole - whole) + (eph.times.fraction - (launch_jd - whole))) * 86400.0, 3
    )
    return met + 0.0  # no "-0.000" at lift-off


def _write_csv(eph, path, met=None):
    cols = _columns(eph)
    ok = cols.pop("_ok")
    lists = [
        list(cols[name])
        if name in ("time_utc", "element_set_epoch_utc", "sunlit")
        else cols[name].tolist()
        for name in TRACK_COLUMNS
    ]
    header = list(TRACK_COLUMNS)
    good = "%s,%.7f,%.7f,%.4f,%.4f,%.4f,%.4f,%s,%s,%.4f"
    bad = "%s,,,,,,,,%s,%.4f"
    if eph.catalogue is None:  # a modelled trajectory: no element set, no age
        good, bad = good[:-4] + "%s", bad[:-4] + "%s"
        lists[TRACK_COLUMNS.index("element_set_age_h")] = [""] * len(eph)
    if met is not None:
        header.append("met_s")
        lists.append(met.tolist())
        good += ",%.3f"
        bad += ",%.3f"
    good += "\n"
    bad += "\n"
    # SGP4 failed at a row whose ok is False: the row is kept, its numbers empty
    lines = [
        good % row if fine else bad % (row[0], *row[8:])
        for fine, row in zip(ok.tolist(), zip(*lists, strict=True), strict=True)
    ]
    with atomic_writer(path) as f:
        f.write(",".join(header) + "\n")
        f.write("".join(lines))


def _nan_to_none(values):
    return [None if v != v else v for v in values]


def _write_json(eph, path, met=None):
    cols = _columns(eph)
    ok = cols.pop("_ok")
    data = {"note": TRACK_NOTE, "object_norad_id": eph.catalogue.norad_id, "samples": len(eph)}
    for name in TRACK_COLUMNS:
        values = cols[name]
        if name == "sunlit":
            values = [None if v == "" else v == "true" for v in values]
        elif name in ("time_utc", "element_set_epoch_utc"):
            values = list(values)
        else:
            values = _nan_to_none(values.tolist())
        data[name] = values
    if met is not None:
        data["met_s"] = met.tolist()
    if not ok.all():
        data["sgp4_errors"] = eph.error_reasons()
    data["warnings"] = eph.catalogue.age_warnings(eph.times.whole, eph.times.fraction)
    with atomic_writer(path) as f:
        f.write(safe_json(data, separators=(",", ":")))
        f.write("\n")


def geojson_track(eph) -> dict:
    """A FeatureCollection of LineStrings split at the antimeridian ([lon, lat, alt_m])."""
    times = iso_times(eph)
    features = []
    for seg in split_antimeridian(eph.lon_deg, eph.lat_deg, edge_points=False):
        idx = seg.index
        if idx.size < 2:
            coords = [
                [
                    round(float(eph.lon_deg[idx[0]]), 7),
                    round(float(eph.lat_deg[idx[0]]), 7),
                    round(float(eph.alt_km[idx[0]]) * 1000.0, 1),
                ]
            ]
            geometry = {"type": "Point", "coordinates": coords[0]}
        else:
            coords = np.stack(
                [
                    np.round(eph.lon_deg[idx], 7),
                    np.round(eph.lat_deg[idx], 7),
                    np.round(eph.alt_km[idx] * 1000.0, 1),
                ],
                axis=1,
            ).tolist()
            geometry = {"type": "LineString", "coordinates": coords}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "start_utc": times[idx[0]],
                    "end_utc": times[idx[-1]],
                    "times_utc": [times[i] for i in idx],
                    "norad_id": eph.catalogue.norad_id,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _write_geojson(eph, path):
    with atomic_writer(path) as f:
        f.write(safe_json(geojson_track(eph), separators=(",", ":")))
        f.write("\n")


def geojson_model_features(results) -> list[dict]:
    """The modelled legs (one MultiLineString feature per leg, split at the antimeridian, each
    instant once) and their burns (Points), every one with ``"source": "model"`` and the leg's
    assumptions."""
    from .model import MODEL_NOTE, modelled_legs, unique_rows

    out = []
    for ml in modelled_legs(results):
        eph = ml.ephemeris
        rows = unique_rows(eph)
        rows = rows[eph.ok[rows]]
        if rows.size < 2:
            continue
        times = iso_times(eph)
        lines, line_times = [], []
        for seg in split_antimeridian(eph.lon_deg[rows], eph.lat_deg[rows], edge_points=False):
            idx = rows[seg.index]
            lines.append(
                np.stack(
                    [
                        np.round(eph.lon_deg[idx], 7),
                        np.round(eph.lat_deg[idx], 7),
                        np.round(eph.alt_km[idx] * 1000.0, 1),
                    ],
                    axis=1,
                ).tolist()
            )
            line_times.append([times[i] for i in idx])
        common = {
            "source": "model",
            "object": ml.trajectory.object_name,
            "leg": ml.trajectory.name,
        }
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {
                    "kind": "modelled leg",
                    "name": ml.trajectory.label,
                    **common,
                    "note": MODEL_NOTE,
                    "assumptions": ml.assumptions,
                    "start_utc": times[rows[0]],
                    "end_utc": times[rows[-1]],
                    "times_utc": line_times,
                },
            }
        )
        for burn, row in ml.burns:
            out.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [
                            round(float(eph.lon_deg[row]), 7),
                            round(float(eph.lat_deg[row]), 7),
                            round(float(eph.alt_km[row]) * 1000.0, 1),
                        ],
                    },
                    "properties": {
                        "kind": "burn",
                        "name": f"{burn.name} (model)",
                        **common,
                        "time_utc": times[row],
                        "dv_m_s": round(burn.dv_m_s, 4),
                        "orbit": burn.orbit,
                        "how": burn.how,
                    },
                }
            )
    return out


def write_groundtrack(results, path) -> Path:
    """``groundtrack.geojson``: the replay's track (as :func:`geojson_track`) and the modelled
    legs with their burns (:func:`geojson_model_features`)."""
    doc = geojson_track(results.ephemeris)
    doc["features"] += geojson_model_features(results)
    with atomic_writer(path) as f:
        f.write(json.dumps(doc, separators=(",", ":")))
        f.write("\n")
    return Path(path)
