"""Fast, direct tests of sim.export: every file of a short replay read back by an independent
reader (csv, json, xml.etree, a KVN parser and an iCalendar line reader written here) and
compared with skyfield, the scenario and hand arithmetic. The replay is the first-attempt
scenario cut to two hours around its lift-off (one second to solve the modelled legs), so the
modelled legs and their burns are in every file. Each test calls the writer itself: the mutation
run (docs/mutation.md) credits a fixture's work to the first test that uses it only."""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import reference as ref
from conftest import BUNDLED_TLE, CSV_XYZ_TOLERANCE_KM, ROOT

import sim
from sim.errors import OutputError
from sim.export import track as T

START, END = "2024-03-21T13:00:00Z", "2024-03-21T15:00:00Z"
KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


def _scenario_text(outputs=("czml", "kml", "oem")) -> str:
    text = (ROOT / "scenarios" / "soyuz-ms25-first-attempt.toml").read_text()
    text = text.replace('start = "docking"', f'start = "{START}"')
    text = text.replace('end = "undocking-ms24"', f'end = "{END}"')
    text = text.replace("step_s = 10.0", "step_s = 30.0")
    text = text.replace("../tle/", f"{ROOT}/tle/")
    text = re.sub(r"^(czml|kml|oem) = .*$", "", text, flags=re.M)
    extra = "".join(f"{fmt} = true\n" for fmt in outputs)
    return text.replace("[outputs]\n", f"[outputs]\nhtml = false\n{extra}")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    (folder / "s.toml").write_text(_scenario_text())
    return sim.run_scenario(sim.load_scenario(folder / "s.toml"))


@pytest.fixture(scope="module")
def sats():
    return ref.tle_satellites(BUNDLED_TLE)


def _sec(iso: str) -> float:
    return ref.sec_of_iso(iso)


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------------
# track.csv, track JSON, GeoJSON


def test_track_csv_columns_against_skyfield(results, sats, tmp_path):
    eph = results.ephemeris
    launch = next(e["jd"] for e in results.events if e["name"] == "launch")
    path = T.write_track(eph, tmp_path / "t.csv", launch_jd=launch)
    assert path == tmp_path / "t.csv"
    text = path.read_text()
    assert text.endswith("\n") and "\r" not in text
    rows = _read_csv(path)
    assert list(rows[0]) == [*T.TRACK_COLUMNS, "met_s"]
    assert len(rows) == 241
    sec = np.array([_sec(r["time_utc"]) for r in rows])
    assert np.allclose(np.diff(sec), 30.0) and sec[0] == _sec(START)
    assert rows[0]["time_utc"] == "2024-03-21T13:00:00.000Z"
    num = {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k.endswith(("deg", "km"))}
    xyz = ref.itrs_sat_km(sats, sec)
    for k, axis in enumerate("xyz"):
        assert np.abs(num[f"{axis}_km"] - xyz[:, k]).max() < CSV_XYZ_TOLERANCE_KM
    geo = ref.geodetic_sat(sats, sec)
    assert np.abs(num["lat_deg"] - geo[:, 0]).max() < 1e-6
    assert np.abs(num["lon_deg"] - geo[:, 1]).max() < 1e-6
    assert np.abs(num["alt_km"] - geo[:, 2]).max() < 1e-4
    # decimals as documented: 7 for angles, 4 for km and hours, 3 for met_s
    first = text.splitlines()[1].split(",")
    assert [len(c.split(".")[1]) for c in first[1:7]] == [7, 7, 4, 4, 4, 4]
    assert len(first[9].split(".")[1]) == 4 and len(first[10].split(".")[1]) == 3
    dark = ref.in_umbra(sats, sec)
    assert [r["sunlit"] for r in rows] == ["false" if d else "true" for d in dark]
    assert dark.any() and not dark.all()
    idx = ref.set_in_force(sats, sec)
    assert [r["element_set_epoch_utc"] for r in rows] == [ref.epoch_iso_s(sats[i]) for i in idx]
    epochs = np.array([ref.epoch_sec(s) for s in sats])
    age = np.array([float(r["element_set_age_h"]) for r in rows])
    assert np.abs(age - (sec - epochs[idx]) / 3600.0).max() < 6e-5
    assert (age < 0).all()  # before the first set: propagated backwards
    met = np.array([float(r["met_s"]) for r in rows])
    assert np.abs(met - (sec - _sec("2024-03-21T13:21:19Z"))).max() < 1e-3
    # without a launch: no met_s
    plain = _read_csv(T.write_track(eph, tmp_path / "p.csv"))
    assert list(plain[0]) == list(T.TRACK_COLUMNS)
    # the format follows the extension, or the argument
    assert json.loads(T.write_track(eph, tmp_path / "x.txt", fmt="JSON").read_text())["samples"]
    with pytest.raises(OutputError) as err:
        T.write_track(eph, tmp_path / "t.kmz")
    assert str(err.value) == (
        f"{tmp_path / 't.kmz'}: unknown track format 'kmz'; expected .csv, .json or .geojson"
    )


def test_met_at_lift_off_is_zero_not_minus_zero(results):
    eph = results.ephemeris
    jd = float(eph.times.whole[4] + eph.times.fraction[4])
    met = T._met(eph, jd)
    assert met[4] == 0.0 and math.copysign(1.0, met[4]) == 1.0
    assert met[5] == pytest.approx(30.0, abs=1e-3) and met[3] == pytest.approx(-30.0, abs=1e-3)


def test_track_json_against_the_csv_and_skyfield(results, sats, tmp_path):
    eph = results.ephemeris
    launch = next(e["jd"] for e in results.events if e["name"] == "launch")
    text = T.write_track(eph, tmp_path / "t.json", launch_jd=launch).read_text()
    data = json.loads(text)
    # compact JSON (a track holds hundreds of thousands of numbers), one line, newline-ended
    assert text == json.dumps(data, separators=(",", ":")) + "\n"
    assert data["note"] == T.TRACK_NOTE
    assert data["object_norad_id"] == 25544 and data["samples"] == 241
    assert "sgp4_errors" not in data
    assert len(data["warnings"]) == 1
    assert data["warnings"][0].startswith("element set ") and "backwards" in data["warnings"][0]
    sec = np.array([_sec(t) for t in data["time_utc"]])
    xyz = ref.itrs_sat_km(sats, sec)
    for k, axis in enumerate("xyz"):
        assert np.abs(np.array(data[f"{axis}_km"]) - xyz[:, k]).max() < CSV_XYZ_TOLERANCE_KM
    geo = ref.geodetic_sat(sats, sec)
    assert np.abs(np.array(data["lat_deg"]) - geo[:, 0]).max() < 1e-6
    assert np.abs(np.array(data["lon_deg"]) - geo[:, 1]).max() < 1e-6
    assert np.abs(np.array(data["alt_km"]) - geo[:, 2]).max() < 1e-4
    assert data["sunlit"] == [not d for d in ref.in_umbra(sats, sec)]
    idx = ref.set_in_force(sats, sec)
    assert data["element_set_epoch_utc"] == [ref.epoch_iso_s(sats[i]) for i in idx]
    epochs = np.array([ref.epoch_sec(s) for s in sats])
    assert np.abs(np.array(data["element_set_age_h"]) - (sec - epochs[idx]) / 3600).max() < 6e-5
    assert np.abs(np.array(data["met_s"]) - (sec - _sec("2024-03-21T13:21:19Z"))).max() < 1e-3
    assert list(data) == [
        "note",
        "object_norad_id",
        "samples",
        *T.TRACK_COLUMNS,
        "met_s",
        "warnings",
    ]
    assert "met_s" not in json.loads(T.write_track(eph, tmp_path / "p.json").read_text())


def _decaying(tmp_path):
    from sim.elements import tle_checksum

    line1 = "1 99999U 24001A   24087.50000000  .09000000  00000+0  90000-1 0  999"
    line2 = "2 99999  51.6000  10.0000 0005000  10.0000 350.0000 16.2000000010000"
    line1 += str(tle_checksum(line1))
    line2 = line2[:68] + str(tle_checksum(line2))
    (tmp_path / "decay.tle").write_text(f"{line1}\n{line2}\n")
    cat = sim.load_catalogue(tmp_path / "decay.tle")
    return sim.propagate(cat, start="2024-03-27T12:00Z", end="2024-04-05T12:00Z", step_s=3600)


def test_failed_rows_are_empty_cells_and_nulls(tmp_path):
    eph = _decaying(tmp_path)
    failed = np.nonzero(~eph.ok)[0]
    assert 0 < failed.size < len(eph)
    jd = float(eph.times.whole[0] + eph.times.fraction[0])
    rows = _read_csv(T.write_track(eph, tmp_path / "t.csv", launch_jd=jd))
    i = failed[0]
    want = datetime(2024, 3, 27, 12, tzinfo=UTC) + timedelta(hours=int(i))
    assert rows[i]["time_utc"] == want.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for k in ("lat_deg", "lon_deg", "alt_km", "x_km", "y_km", "z_km", "sunlit"):
        assert rows[i][k] == "", k
        assert rows[0][k] != "", k
    assert rows[i]["element_set_epoch_utc"] == "2024-03-27T12:00:00Z"
    assert float(rows[i]["element_set_age_h"]) == pytest.approx(float(i), abs=1e-4)
    assert float(rows[i]["met_s"]) == pytest.approx(3600.0 * i, abs=1e-3)
    data = json.loads(T.write_track(eph, tmp_path / "t.json").read_text())
    for k in ("lat_deg", "x_km", "sunlit", "alt_km"):
        assert data[k][i] is None and data[k][0] is not None
    assert data["element_set_age_h"][i] == pytest.approx(float(i), abs=1e-4)
    assert sum(data["sgp4_errors"].values()) == failed.size
    assert set(data["sgp4_errors"]) <= set(sim.ephemeris.SGP4_ERRORS.values())
    assert T._nan_to_none([1.0, float("nan"), 2]) == [1.0, None, 2]


def test_geojson_track_against_the_ephemeris(results, sats, tmp_path):
    eph = results.ephemeris
    doc = json.loads(T.write_track(eph, tmp_path / "g.geojson").read_text())
    assert doc["type"] == "FeatureCollection"
    feats = doc["features"]
    assert len(feats) >= 2  # the track crosses the antimeridian in two hours
    all_times = []
    for f in feats:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] == "LineString"
        props = f["properties"]
        assert props["norad_id"] == 25544
        assert props["start_utc"] == props["times_utc"][0]
        assert props["end_utc"] == props["times_utc"][-1]
        coords = np.array(f["geometry"]["coordinates"])
        assert coords.shape == (len(props["times_utc"]), 3)
        assert np.abs(np.diff(coords[:, 0])).max() < 180.0
        sec = np.array([_sec(t) for t in props["times_utc"]])
        geo = ref.geodetic_sat(sats, sec)
        assert np.abs(coords[:, 0] - geo[:, 1]).max() < 1e-6  # longitude first
        assert np.abs(coords[:, 1] - geo[:, 0]).max() < 1e-6
        assert np.abs(coords[:, 2] - geo[:, 2] * 1000.0).max() < 0.1  # metres
        all_times += props["times_utc"]
    assert all_times == eph.iso(3)
    # a single sample between two jumps is a Point
    one = T.geojson_track(_single_sample_between_jumps(eph))
    kinds = [f["geometry"]["type"] for f in one["features"]]
    assert "Point" in kinds
    pt = next(f for f in one["features"] if f["geometry"]["type"] == "Point")
    assert len(pt["geometry"]["coordinates"]) == 3
    assert pt["properties"]["start_utc"] == pt["properties"]["end_utc"]


def _single_sample_between_jumps(eph):
    """A copy of ``eph`` whose row 10 sits alone on the far side of the antimeridian."""
    import copy

    e = copy.copy(eph)
    e.lon_deg = eph.lon_deg.copy()
    e.lon_deg[:10] = -170.0
    e.lon_deg[10] = 170.0
    e.lon_deg[11:] = -170.0
    return e
