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
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import reference as ref
from conftest import BUNDLED_TLE, CSV_XYZ_TOLERANCE_KM, ROOT

import sim
from sim.errors import OutputError, SimError
from sim.export import track as T

START, END = "2024-03-21T13:00:00Z", "2024-03-21T15:00:00Z"
KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


def _scenario_text(outputs=("czml", "kml", "oem"), start=START, end=END) -> str:
    """The bundled first-attempt scenario cut to ``start``-``end`` at 30 s, writing only
    ``outputs`` (and no page)."""
    text = (ROOT / "scenarios" / "soyuz-ms25-first-attempt.toml").read_text()
    text = text.replace('start = "docking"', f'start = "{start}"')
    text = text.replace('end = "undocking-ms24"', f'end = "{end}"')
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
    from conftest import write_decaying_tle

    cat = sim.load_catalogue(write_decaying_tle(tmp_path))
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


# --------------------------------------------------------------------------------------------
# CZML (read as plain JSON)


def _hex_rgb(text):
    return [int(text[i : i + 2], 16) for i in (1, 3, 5)]


def _czml(results, tmp_path, **kwargs):
    from sim.export.czml import write_czml

    path = write_czml(results, tmp_path / "r.czml", **kwargs)
    text = path.read_text()
    assert text.endswith("]\n")
    return {p["id"]: p for p in json.loads(text)}


def test_czml_iss_stations_passes_and_events(results, sats, tmp_path):
    from sim.plots import style

    doc = _czml(results, tmp_path)
    head = doc["document"]
    assert head["name"] == "Soyuz MS-25 (what if: launch on 2024-03-21)"
    assert head["name"] == results.scenario.mission_name
    assert head["version"] == "1.0"
    iss = doc["iss"]
    assert iss["name"] == "ISS (ZARYA)"
    assert iss["availability"] == "2024-03-21T13:00:00.000Z/2024-03-21T15:00:00.000Z"
    assert iss["description"] == (
        "Soyuz MS-25 (what if: launch on 2024-03-21): ISS (ZARYA), SGP4 from historical "
        "element sets, Earth-fixed (ITRS) positions"
    )
    pos = iss["position"]
    assert pos["epoch"] == "2024-03-21T13:00:00.000Z"
    assert pos["referenceFrame"] == "FIXED"
    assert pos["interpolationAlgorithm"] == "LAGRANGE" and pos["interpolationDegree"] == 5
    samples = np.array(pos["cartesian"]).reshape(-1, 4)
    assert samples.shape[0] == 241
    sec = _sec(START) + samples[:, 0]
    assert np.allclose(samples[:, 0], np.arange(241) * 30.0, atol=1e-3)
    assert np.abs(samples[:, 1:] - ref.itrs_sat_km(sats, sec) * 1000.0).max() < 0.02  # metres
    assert iss["label"]["text"] == "ISS (ZARYA)"
    assert iss["path"]["trailTime"] == 5400.0 and iss["path"]["leadTime"] == 0
    path_rgba = iss["path"]["material"]["solidColor"]["color"]["rgba"]
    assert path_rgba == [*_hex_rgb(style.SUNLIT), 255]  # the sunlit-track orange
    # stations: lon, lat, height; in-view intervals are the passes, cut to the span
    lo, hi = _sec(START), _sec(END)
    for k, st in enumerate(results.scenario.stations):
        p = doc[f"station-{k}"]
        assert p["name"] == st.name and p["label"]["text"] == st.name
        assert p["position"]["cartographicDegrees"] == [st.lon_deg, st.lat_deg, st.elevation_m]
        assert p["availability"] == iss["availability"]
        assert p["point"]["color"]["rgba"] == [*_hex_rgb(style.STATION_COLOURS[0]), 255]
        mine = [q for q in results.passes if q.station == st.name]
        want = [
            (max(ref.sec_of_jd(q.rise_jd), lo), min(ref.sec_of_jd(q.set_jd), hi))
            for q in mine
            if ref.sec_of_jd(q.set_jd) > lo and ref.sec_of_jd(q.rise_jd) < hi
        ]
        if not want:
            assert f"passes-{k}" not in doc
            continue
        view = doc[f"passes-{k}"]
        assert view["name"] == f"{st.name}: ISS in view"
        assert view["label"]["text"] == f"{st.name} sees the ISS"
        assert view["position"] == p["position"]
        assert view["point"]["color"]["rgba"][:3] == _hex_rgb(style.VISIBLE)
        got = [tuple(_sec(x) for x in iv.split("/")) for iv in view["availability"]]
        assert np.abs(np.array(got) - np.array(want)).max() < 1.0  # written to the second
    assert any(k.startswith("passes-") for k in doc)
    # events inside the span, at the ISS's position then (skyfield)
    inside = [e for e in results.events if lo <= ref.sec_of_jd(e["jd"]) <= hi]
    assert [e["name"] for e in inside] == ["launch"]
    for k, e in enumerate(results.events):
        if e not in inside:
            assert f"event-{k}" not in doc
            continue
        p = doc[f"event-{k}"]
        assert p["name"] == "launch" and p["description"] == e["source"]
        assert p["label"]["text"] == "launch 2024-03-21 13:21 UTC"
        t = ref.sec_of_jd(e["jd"])
        a, b = (_sec(x) for x in p["availability"].split("/"))
        assert abs(a - t) < 1.0 and abs(b - (t + 600.0)) < 1.0
        lon, lat, alt_m = p["position"]["cartographicDegrees"]
        geo = ref.geodetic_sat(sats, np.array([t]))[0]
        assert (lat, lon) == (pytest.approx(geo[0], abs=1e-4), pytest.approx(geo[1], abs=1e-4))
        assert alt_m == pytest.approx(geo[2] * 1000.0, abs=1.0)


def test_czml_modelled_legs_and_burns(results, tmp_path):
    from sim.export.model import BURN_RGB, LEG_RGB, modelled_legs, unique_rows

    doc = _czml(results, tmp_path, trail_s=600.0)
    assert doc["iss"]["path"]["trailTime"] == 600.0
    legs = modelled_legs(results)
    assert len(legs) == 2
    lows, highs = [ref.sec_of_jd(results.ephemeris.times.jd[0])], [_sec(END)]
    for ml in legs:
        p = doc[f"model-{ml.slug}"]
        assert p["name"] == ml.trajectory.label and "(model)" in p["name"]
        assert "a MODEL, not a replay of element sets" in p["description"]
        for a in ml.assumptions:
            assert f"<li>{a.replace('&', '&amp;').replace('<', '&lt;')}" in p["description"]
        rgb = next(c for key, c in LEG_RGB.items() if key in ml.trajectory.name.lower())
        assert p["point"]["color"]["rgba"] == [*rgb, 255]
        assert p["path"]["material"]["solidColor"]["color"]["rgba"] == [*rgb, 255]
        assert p["label"]["fillColor"]["rgba"] == [*rgb, 255]
        assert p["path"]["trailTime"] == 600.0
        eph = ml.ephemeris
        rows = unique_rows(eph)
        rows = rows[eph.ok[rows]]
        samples = np.array(p["position"]["cartesian"]).reshape(-1, 4)
        assert samples.shape[0] == rows.size  # every instant once
        assert np.all(np.diff(samples[:, 0]) > 0)
        assert np.abs(samples[:, 1:] - eph.r_itrs_km[rows] * 1000.0).max() < 0.006
        t0 = ref.sec_of_split(eph.times.whole[rows[0]], eph.times.fraction[rows[0]])
        assert p["position"]["epoch"] == p["availability"].split("/")[0]
        assert abs(_sec(p["position"]["epoch"]) - t0) < 0.5
        lows.append(t0)
        highs.append(ref.sec_of_split(eph.times.whole[rows[-1]], eph.times.fraction[rows[-1]]))
        for k, (burn, row) in enumerate(ml.burns):
            b = doc[f"burn-{ml.slug}-{k}"]
            assert b["name"] == f"{burn.name} (model)"
            assert b["label"]["text"] == (
                f"{burn.name} {burn.dv_m_s:.1f} m/s (model) {burn.utc[:16].replace('T', ' ')} UTC"
            )
            assert "(MODEL)" in b["description"] and burn.name in b["description"]
            assert b["point"]["color"]["rgba"] == [*BURN_RGB, 255]
            lon, lat, alt = b["position"]["cartographicDegrees"]
            assert (lon, lat) == (
                pytest.approx(eph.lon_deg[row], abs=1e-7),
                pytest.approx(eph.lat_deg[row], abs=1e-7),
            )
            assert alt == round(float(eph.alt_km[row]) * 1000.0, 1)  # to the decimetre
    assert sum(len(ml.burns) for ml in legs) >= 3
    # the clock spans every trajectory
    clock = doc["document"]["clock"]
    a, b = (_sec(x) for x in clock["interval"].split("/"))
    assert abs(a - min(lows)) < 1.0 and abs(b - max(highs)) < 1.0
    assert clock["currentTime"] == clock["interval"].split("/")[0]
    assert clock["range"] == "LOOP_STOP" and clock["step"] == "SYSTEM_CLOCK_MULTIPLIER"
    # a cut: only what lies inside, the ISS from the first sample at or after the start
    jd = results.ephemeris.times.jd
    cut = _czml(results, tmp_path, start_jd=jd[100], end_jd=jd[140])
    samples = np.array(cut["iss"]["position"]["cartesian"]).reshape(-1, 4)
    assert samples.shape[0] == 41
    assert cut["iss"]["availability"] == (
        f"{results.ephemeris.iso(3)[100]}/{results.ephemeris.iso(3)[140]}"
    )
    assert not [k for k in cut if k.startswith("event-")]  # the launch is before the cut
    for key, p in cut.items():
        if key.startswith(("model-", "burn-")):
            a, b = (_sec(x) for x in p["availability"].split("/"))
            assert ref.sec_of_jd(jd[100]) - 1 <= a and b <= ref.sec_of_jd(jd[140]) + 1
    with pytest.raises(SimError) as err:
        _czml(results, tmp_path, start_jd=jd[10], end_jd=jd[10])
    assert str(err.value) == "CZML export: fewer than two good samples in the chosen span"


# --------------------------------------------------------------------------------------------
# KML (xml.etree)


def test_kml_track_stations_events_and_legs(results, sats, tmp_path):
    from sim.export.kml import write_kml
    from sim.export.model import LEG_RGB, MODEL_NOTE, modelled_legs, unique_rows

    path = write_kml(results, tmp_path / "r.kml")
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<kml xmlns=")
    root = ET.fromstring(raw)
    assert root.tag == f"{KML}kml"
    doc = root.find(f"{KML}Document")
    assert doc.findtext(f"{KML}name") == results.scenario.mission_name
    assert doc.findtext(f"{KML}description") == (
        "ISS (ZARYA) replayed with SGP4 from historical element sets; altitudes above the WGS84 "
        "ellipsoid"
    )
    styles = {s.get("id"): s for s in doc.findall(f"{KML}Style")}
    assert styles["track"].findtext(f"{KML}LineStyle/{KML}color") == "ff2b8ef2"  # orange, abgr
    assert styles["track"].findtext(f"{KML}LineStyle/{KML}width") == "2"
    iss = doc.find(f"{KML}Placemark")
    assert iss.findtext(f"{KML}name") == "ISS (ZARYA)"
    assert iss.findtext(f"{KML}styleUrl") == "#track"
    multi = iss.find(f"{GX}MultiTrack")
    assert multi.findtext(f"{KML}altitudeMode") == "absolute"
    assert multi.findtext(f"{GX}interpolate") == "1"
    tracks = multi.findall(f"{GX}Track")
    assert len(tracks) >= 2
    when = [w.text for t in tracks for w in t.findall(f"{KML}when")]
    assert when == results.ephemeris.iso(3)
    coords = np.array(
        [[float(x) for x in c.text.split()] for t in tracks for c in t.findall(f"{GX}coord")]
    )
    geo = ref.geodetic_sat(sats, np.array([_sec(w) for w in when]))
    assert np.abs(coords[:, 0] - geo[:, 1]).max() < 1e-6  # longitude first
    assert np.abs(coords[:, 1] - geo[:, 0]).max() < 1e-6
    assert np.abs(coords[:, 2] - geo[:, 2] * 1000.0).max() < 0.1
    for t in tracks:
        lons = [float(c.text.split()[0]) for c in t.findall(f"{GX}coord")]
        assert len(lons) == len(t.findall(f"{KML}when"))
        assert np.abs(np.diff(lons)).max() < 180.0
    folders = {f.findtext(f"{KML}name"): f for f in doc.findall(f"{KML}Folder")}
    stations = folders["Ground stations"].findall(f"{KML}Placemark")
    assert [s.findtext(f"{KML}name") for s in stations] == [
        s.name for s in results.scenario.stations
    ]
    for pm, st in zip(stations, results.scenario.stations, strict=True):
        n = sum(p.station == st.name for p in results.passes)
        v = sum(p.station == st.name and p.visible for p in results.passes)
        assert pm.findtext(f"{KML}description") == f"{n} passes, {v} visible to the eye"
        lon, lat, h = (float(x) for x in pm.findtext(f"{KML}Point/{KML}coordinates").split(","))
        assert (lon, lat, h) == (pytest.approx(st.lon_deg), pytest.approx(st.lat_deg), 0.0)
    assert sum(len(results.passes) for _ in [0]) > 0
    events = folders["Mission events (ISS position)"].findall(f"{KML}Placemark")
    assert [e.findtext(f"{KML}name") for e in events] == [e["name"] for e in results.events]
    for pm, e in zip(events, results.events, strict=True):
        assert pm.findtext(f"{KML}description") == e["source"]
        assert pm.findtext(f"{KML}TimeStamp/{KML}when") == e["utc"]
        assert pm.findtext(f"{KML}Point/{KML}altitudeMode") == "absolute"
        lon, lat, alt = (float(x) for x in pm.findtext(f"{KML}Point/{KML}coordinates").split(","))
        t = ref.sec_of_jd(e["jd"])
        if 0 < t < 366 * 86400:
            g = ref.geodetic_sat(sats, np.array([t]))[0]
            assert (lat, lon) == (pytest.approx(g[0], abs=1e-4), pytest.approx(g[1], abs=1e-4))
            assert alt == pytest.approx(g[2] * 1000.0, abs=1.0)
    # the modelled legs: a folder each with its own style, track and burns
    for ml in modelled_legs(results):
        f = folders[ml.trajectory.label]
        desc = f.findtext(f"{KML}description").split("\n")
        assert desc == [MODEL_NOTE, *(f"- {a}" for a in ml.assumptions)]
        style_id = f"model-{ml.slug}"
        r, g, b = next(c for key, c in LEG_RGB.items() if key in ml.trajectory.name.lower())
        want = f"ff{b:02x}{g:02x}{r:02x}"
        assert styles[style_id].findtext(f"{KML}LineStyle/{KML}color") == want
        assert styles[style_id].findtext(f"{KML}IconStyle/{KML}color") == want
        assert styles[style_id].findtext(f"{KML}LineStyle/{KML}width") == "2"
        marks = f.findall(f"{KML}Placemark")
        track = marks[0]
        assert track.findtext(f"{KML}name") == ml.trajectory.label
        assert track.findtext(f"{KML}description") == (
            f"{ml.trajectory.label}: positions of the flight model, altitudes above the WGS84 "
            "ellipsoid; not from element sets"
        )
        assert track.findtext(f"{KML}styleUrl") == f"#{style_id}"
        mt = track.find(f"{GX}MultiTrack")
        assert mt.findtext(f"{KML}altitudeMode") == "absolute"
        assert mt.findtext(f"{GX}interpolate") == "1"
        eph = ml.ephemeris
        rows = unique_rows(eph)
        rows = rows[eph.ok[rows]]
        whens = [w.text for t in mt.findall(f"{GX}Track") for w in t.findall(f"{KML}when")]
        iso = eph.iso(3)
        assert whens == [iso[i] for i in rows]
        c = np.array(
            [
                [float(x) for x in e.text.split()]
                for t in mt.findall(f"{GX}Track")
                for e in t.findall(f"{GX}coord")
            ]
        )
        assert np.abs(c[:, 0] - eph.lon_deg[rows]).max() < 1e-7
        assert np.abs(c[:, 1] - eph.lat_deg[rows]).max() < 1e-7
        assert np.abs(c[:, 2] - eph.alt_km[rows] * 1000.0).max() < 0.06
        burns = marks[1:]
        assert len(burns) == len(ml.burns)
        for pm, (burn, row) in zip(burns, ml.burns, strict=True):
            assert pm.findtext(f"{KML}name") == f"{burn.name} {burn.dv_m_s:.1f} m/s (model)"
            assert pm.findtext(f"{KML}styleUrl") == f"#{style_id}"
            assert "(MODEL)" in pm.findtext(f"{KML}description")
            assert pm.findtext(f"{KML}TimeStamp/{KML}when") == iso[row]
            assert pm.findtext(f"{KML}Point/{KML}altitudeMode") == "absolute"
            lon, lat, alt = (
                float(x) for x in pm.findtext(f"{KML}Point/{KML}coordinates").split(",")
            )
            assert lon == pytest.approx(eph.lon_deg[row], abs=1e-7)
            assert lat == pytest.approx(eph.lat_deg[row], abs=1e-7)
            assert alt == pytest.approx(eph.alt_km[row] * 1000.0, abs=0.06)


# --------------------------------------------------------------------------------------------
# OEM (a KVN reader written here)


def _read_kvn(text):
    """Header lines, then per segment: META dict, COMMENT lines and (sec, 6 numbers) rows."""
    header, segments, cur, where = [], [], None, "header"
    for line in text.split("\n"):
        if line == "META_START":
            cur = {"meta": {}, "comments": [], "sec": [], "states": []}
            segments.append(cur)
            where = "meta"
        elif line == "META_STOP":
            where = "data"
        elif where == "header":
            header.append(line)
        elif where == "meta":
            key, _, value = line.partition(" = ")
            cur["meta"][key] = value
        elif line.startswith("COMMENT "):
            cur["comments"].append(line[8:])
        elif line:
            parts = line.split()
            assert len(parts) == 7, line
            cur["sec"].append(_sec(parts[0] + "Z"))
            cur["states"].append([float(x) for x in parts[1:]])
    for s in segments:
        s["sec"], s["states"] = np.array(s["sec"]), np.array(s["states"])
    return header, segments


def _sky_states(sats, sec, frame):
    from skyfield.framelib import ICRS_to_J2000, itrs

    def f(sat, s):
        p = sat.at(ref.utc(s))
        if frame == "EME2000":
            return np.concatenate(
                [ICRS_to_J2000 @ p.position.km, ICRS_to_J2000 @ p.velocity.km_per_s]
            ).T
        r, v = p.frame_xyz_and_velocity(itrs)
        return np.concatenate([r.km, v.km_per_s]).T

    return ref.per_set(sats, sec, f)


def _switching_results(cat, *, fail=None):
    """A results-like object over a switch of element set (2024-03-28), optionally with failed
    samples in the middle of one set's stretch."""
    from types import SimpleNamespace

    boundary = cat.switches()[0].jd
    eph = sim.propagate(
        cat,
        start=sim.times.jd_iso(boundary - 0.01),
        end=sim.times.jd_iso(boundary + 0.01),
        step_s=60.0,
    )
    if fail is not None:
        eph.error = eph.error.copy()
        eph.error[fail] = 1
    return SimpleNamespace(
        ephemeris=eph, catalogue=cat, scenario=SimpleNamespace(object_name="ISS (ZARYA)")
    )


@pytest.mark.parametrize("frame", ["EME2000", "itrf"])
def test_oem_states_segments_and_comments(results, sats, frame, tmp_path, monkeypatch):
    from sim.export.oem import write_oem

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1711929600")  # 2024-04-01T00:00:00Z
    text = write_oem(results, tmp_path / "r.oem", frame).read_text()
    header, segs = _read_kvn(text)
    assert header == [
        "CCSDS_OEM_VERS = 2.0",
        "COMMENT Written by sim (orbital replay simulator) from SGP4 and historical element sets",
        "COMMENT 1 segment(s), one per element-set stretch: the position jumps at",
        "COMMENT each switch of element set, so do not interpolate across segments",
        "COMMENT CREATION_DATE is the time of writing (SOURCE_DATE_EPOCH when set)",
        "CREATION_DATE = 2024-04-01T00:00:00.000",
        "ORIGINATOR = sim",
        "",
    ]
    (seg,) = segs
    assert seg["meta"] == {
        "OBJECT_NAME": "ISS (ZARYA)",
        "OBJECT_ID": "1998-067A",
        "CENTER_NAME": "EARTH",
        "REF_FRAME": frame.upper(),
        "TIME_SYSTEM": "UTC",
        "START_TIME": "2024-03-21T13:00:00.000",
        "STOP_TIME": "2024-03-21T15:00:00.000",
        "INTERPOLATION": "LAGRANGE",
        "INTERPOLATION_DEGREE": "7",
    }
    first = sats[0]
    lines = BUNDLED_TLE.read_text().splitlines()
    line_no = 1 + next(i for i, ln in enumerate(lines) if ln.startswith("1 "))
    age = (seg["sec"] - ref.epoch_sec(first)) / 3600.0
    assert seg["comments"] == [
        f"element set epoch {ref.epoch_iso_s(first)[:-1]} "
        f"(iss-2024-03-27_2024-04-10.tle:{line_no}) used for 241 samples, "
        f"age {age.min():+.1f} to {age.max():+.1f} h",
        "element-set switching rule: epoch",
    ]
    assert np.allclose(seg["sec"], _sec(START) + 30.0 * np.arange(241), atol=1e-3)
    want = _sky_states(sats, seg["sec"], frame.upper())
    assert np.abs(seg["states"][:, :3] - want[:, :3]).max() < 1e-5  # 1 cm
    tol_v = 1e-6 if frame == "EME2000" else 1e-4
    assert np.abs(seg["states"][:, 3:] - want[:, 3:]).max() < tol_v
    assert text.endswith("\n") and not text.endswith("\n\n")
    row = text.split("\n")[-2]
    assert re.fullmatch(r"\S+ (-?\d+\.\d{6} ){3}(-?\d+\.\d{9} ){2}-?\d+\.\d{9}", row), row


def test_oem_switches_failed_samples_and_refusals(sats, monkeypatch, tmp_path):
    from sim.export import oem

    cat = sim.load_catalogue(BUNDLED_TLE)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    res = _switching_results(cat, fail=slice(3, 5))
    header, segs = _read_kvn(oem.oem_text(res))
    created = next(h for h in header if h.startswith("CREATION_DATE = "))[16:]
    now = datetime.now(UTC).replace(tzinfo=None)
    assert abs((datetime.fromisoformat(created) - now).total_seconds()) < 60
    assert "COMMENT 3 segment(s), one per element-set stretch: the position jumps at" in header
    assert len(segs) == 3
    assert segs[1]["comments"][1] == "new segment after samples where SGP4 failed"
    jump = cat.switches()[0].jump_km
    assert segs[2]["comments"][1] == (
        f"switched from the previous element set: the position jumps {jump:.3f} km"
    )
    assert abs(jump) > 0.001
    eph = res.ephemeris
    assert [s["sec"].size for s in segs] == [
        3,
        int((eph.set_index == 0).sum()) - 5,
        int((eph.set_index == 1).sum()),
    ]
    for s in segs:
        want = _sky_states(sats, s["sec"], "EME2000")
        assert np.abs(s["states"][:, :3] - want[:, :3]).max() < 1e-5
        assert s["meta"]["INTERPOLATION_DEGREE"] == str(min(7, s["sec"].size - 1))
    # one state: no interpolation at all
    assert oem._meta("X", "Y", "ITRF", "a", "b", 1)[-3:] == ["STOP_TIME = b", "META_STOP", ""]
    assert "INTERPOLATION_DEGREE = 1" in oem._meta("X", "Y", "ITRF", "a", "b", 2)
    assert oem.segment_slices(np.zeros(4), np.zeros(4, dtype=bool)) == []
    with pytest.raises(SimError) as err:
        oem.oem_text(res, "GCRF")
    assert str(err.value) == (
        "OEM frame 'GCRF' is not supported; expected one of ('EME2000', 'ITRF')"
    )
    bad = _switching_results(cat, fail=slice(1, None))
    with pytest.raises(SimError) as err:
        oem.oem_text(bad)
    assert str(err.value) == "OEM export: fewer than two good samples"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(SimError) as err:
        oem.creation_date_utc()
    assert (
        str(err.value) == "SOURCE_DATE_EPOCH = 'soon' is not a whole number of seconds since 1970"
    )
    assert oem._cospar("98067A") == "1998-067A"
    assert oem._cospar(" 24055A ") == "2024-055A"
    assert oem._cospar("57001A") == "1957-001A" and oem._cospar("56001A") == "2056-001A"
    assert oem._cospar("") == "UNKNOWN" and oem._cospar("X1") == "X1"
    assert oem._cospar("9806") == "9806"


def test_model_oems_one_segment_per_piece(results, tmp_path, monkeypatch):
    from sim.export import oem
    from sim.export.model import FORCES_NOTE, MODEL_NOTE, burn_text, modelled_legs, pieces

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    paths = oem.write_model_oems(results, tmp_path)
    assert [p.name for p in paths] == ["replay-soyuz-ms-25.oem"]
    header, segs = _read_kvn(paths[0].read_text())
    legs = modelled_legs(results)
    n_pieces = sum(
        len([r for r in pieces(ml.ephemeris) if ml.ephemeris.ok[r].any()]) for ml in legs
    )
    assert header == [
        "CCSDS_OEM_VERS = 2.0",
        f"COMMENT Soyuz MS-25: {MODEL_NOTE}",
        "COMMENT MODEL: there is no element set of this spacecraft behind these states",
        f"COMMENT {FORCES_NOTE}",
        f"COMMENT {n_pieces} segment(s): one per leg, and a new one at every burn (impulsive: the "
        "velocity jumps), so do not interpolate across segments",
        "COMMENT CREATION_DATE is the time of writing (SOURCE_DATE_EPOCH when set)",
        "CREATION_DATE = 1970-01-01T00:00:00.000",
        "ORIGINATOR = sim",
        "",
    ]
    assert len(segs) == n_pieces > len(legs)
    k = 0
    from skyfield.framelib import ICRS_to_J2000
    from skyfield.sgp4lib import TEME

    for ml in legs:
        eph = ml.ephemeris
        burns_at = {row: b for b, row in ml.burns}
        jd = eph.times.jd
        for j, rows in enumerate(pieces(eph)):
            s = segs[k]
            k += 1
            assert s["meta"]["OBJECT_NAME"] == "Soyuz MS-25 (model)"
            assert s["meta"]["OBJECT_ID"] == "2024-055A"
            assert s["meta"]["REF_FRAME"] == "EME2000"
            assert s["comments"][0] == f"MODEL leg: {ml.trajectory.label}, {rows.size} states"
            iso = eph.iso(3)
            good = rows[eph.ok[rows]]
            assert s["meta"]["START_TIME"] == iso[good[0]][:-1]
            assert s["meta"]["STOP_TIME"] == iso[good[-1]][:-1]
            if j == 0:
                assert s["comments"][1 : 1 + len(ml.assumptions)] == [
                    f"assumption: {a}" for a in ml.assumptions
                ]
            else:
                before = next(
                    (b for b, row in ml.burns if abs(jd[row] - jd[rows[0]]) * 86400 < 1e-6), None
                )
                if before is not None:
                    assert f"starts just after burn {burn_text(before)}" in s["comments"]
                else:
                    assert "new segment where the force model changes (no burn)" in s["comments"]
            end_burn = burns_at.get(rows[-1])
            if end_burn is not None:
                assert f"ends just before burn {end_burn.name} (next segment)" in s["comments"]
            # states: the model's TEME rotated to EME2000 by skyfield's frames
            t = ref.utc(ref.sec_of_split(eph.times.whole[rows], eph.times.fraction[rows]))
            m = np.einsum(
                "ij,jkn->nik", ICRS_to_J2000, np.transpose(TEME.rotation_at(t), (1, 0, 2))
            )
            r = np.einsum("nij,nj->ni", m, eph.r_teme_km[rows])
            assert np.abs(s["states"][:, :3] - r).max() < 1e-5
            assert np.all(np.diff(s["sec"]) > 0)
    itrf = oem.model_oem_texts(results, "ITRF")["soyuz-ms-25"]
    _h, segs_itrf = _read_kvn(itrf)
    ml = legs[0]
    rows = pieces(ml.ephemeris)[0]
    assert np.abs(segs_itrf[0]["states"][:, :3] - ml.ephemeris.r_itrs_km[rows]).max() < 1e-6
    assert np.abs(segs_itrf[0]["states"][:, 3:] - ml.ephemeris.v_itrs_km_s[rows]).max() < 1e-9
    with pytest.raises(SimError, match=r"^OEM frame 'TOD' is not supported; expected one of"):
        oem.model_oem_texts(results, "TOD")


# --------------------------------------------------------------------------------------------
# iCalendar (lines read here, RFC 5545 folding undone)


def _ics_events(data: bytes):
    text = data.decode("utf-8").replace("\r\n ", "")
    assert data.count(b"\r\n") > 10
    events, cur, top = [], None, {}
    for line in text.split("\r\n"):
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT":
            events.append(cur)
            cur = None
        elif ":" in line:
            key, _, value = line.partition(":")
            (cur if cur is not None else top)[key] = value
    return top, events


def test_ics_one_event_per_visible_pass(tmp_path):
    from test_units_passes import _hand_pass

    from sim.export.ics import PRODID, write_ics

    seen = _hand_pass(
        visible=True,
        visible_start_jd=2460397.5 + (18 * 3600 + 31 * 60) / 86400,
        visible_end_jd=2460397.5 + (18 * 3600 + 35 * 60) / 86400,
        peak_magnitude=-2.345,
        visible_start_elevation_deg=20.4,
        visible_start_azimuth_deg=300.5,
        visible_end_elevation_deg=29.6,
        visible_end_azimuth_deg=80.2,
    )
    early = _hand_pass(
        station="Korolev MCC",
        timezone="UTC",
        visible=True,
        visible_start_jd=2460397.5 + (18 * 3600 + 34 * 60) / 86400,  # after the culmination
        visible_end_jd=2460397.5 + (18 * 3600 + 36 * 60) / 86400,
        visible_start_elevation_deg=44.0,
        visible_start_azimuth_deg=20.0,
        visible_end_elevation_deg=11.0,
        visible_end_azimuth_deg=100.0,
    )
    unseen = _hand_pass(station="Houston JSC")
    n = write_ics([early, unseen, seen], tmp_path / "p.ics", object_name="ISS (ZARYA)")
    assert n == 2
    top, events = _ics_events((tmp_path / "p.ics").read_bytes())
    assert top["PRODID"] == PRODID == "-//sim-orbital-replay//visible passes//EN"
    assert top["VERSION"] == "2.0" and top["CALSCALE"] == "GREGORIAN"
    assert top["X-WR-CALNAME"] == "ISS (ZARYA) visible passes"
    assert [e["LOCATION"] for e in events] == ["Minsk", "Korolev MCC"]  # by visible start
    a, b = events
    assert a["UID"] == "iss-zarya-minsk-20240328T183100Z@sim-orbital-replay"
    assert a["DTSTAMP"] == "20240328T120000Z"
    assert a["DTSTART"] == "20240328T183100Z" and a["DTEND"] == "20240328T183500Z"
    assert a["SUMMARY"] == "ISS (ZARYA) visible from Minsk: max 45°\\, mag -2.3"
    assert a["TRANSP"] == "TRANSPARENT"
    desc = a["DESCRIPTION"].replace("\\n", "\n").replace("\\,", ",")
    assert desc.split("\n") == [
        "Appears 2024-03-28 21:31:00 +03, 20° above WNW (300°).",
        "Highest 2024-03-28 21:33:20 +03, 45° above NNE (11°).",
        "Disappears 2024-03-28 21:35:00 +03, 30° above E (80°).",
        "Magnitude is an estimate (diffuse-sphere model), not a measurement. "
        "Predicted from the element set of 2024-03-28T12:00:00.000Z.",
    ]
    assert b["SUMMARY"] == "ISS (ZARYA) visible from Korolev MCC: max 45°"
    desc = b["DESCRIPTION"].replace("\\n", "\n").replace("\\,", ",").split("\n")
    assert desc[0] == "Appears 2024-03-28 18:34:00 UTC, 44° above NNE (20°)."
    assert (
        desc[1]
        == "Highest (outside the visible part) 2024-03-28 18:33:20 UTC, 45° above NNE (11°)."
    )
    late = _hand_pass(
        visible=True,
        visible_start_jd=2460397.5 + (18 * 3600 + 30 * 60) / 86400,
        visible_end_jd=2460397.5 + (18 * 3600 + 33 * 60) / 86400,  # before the culmination
        visible_start_elevation_deg=10.0,
        visible_start_azimuth_deg=280.0,
        visible_end_elevation_deg=44.0,
        visible_end_azimuth_deg=10.0,
    )
    from sim.export.ics import ics_bytes

    _top, (c,) = _ics_events(ics_bytes([late]))
    assert "Highest (outside the visible part)" in c["DESCRIPTION"]
    assert c["UID"].startswith("iss-minsk-") and _top["X-WR-CALNAME"] == "ISS visible passes"


# --------------------------------------------------------------------------------------------
# the output folder: which files, and what the passes, events and model files hold


def test_data_files_of_the_output_folder(results, sats, tmp_path):
    from sim.export.results import EVENT_FIELDS, write_data_files
    from sim.passes import PASS_FIELDS

    out = tmp_path / "out"
    out.mkdir()
    write_data_files(results, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "events.csv",
        "groundtrack.geojson",
        "launch_window.json",
        "passes-model.csv",
        "passes.csv",
        "passes.ics",
        "passes.json",
        "replay-soyuz-ms-25.oem",
        "replay.czml",
        "replay.kml",
        "replay.oem",
        "summary.json",
        "track-soyuz-ms-25.csv",
        "track.csv",
    ]
    gt = (out / "groundtrack.geojson").read_text()
    assert gt == json.dumps(json.loads(gt), separators=(",", ":")) + "\n"
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        json.dumps(sim.results.json_safe(results.summary()))
    )
    # track.csv has met_s from the scenario's launch (13:21:19)
    rows = _read_csv(out / "track.csv")
    assert float(rows[0]["met_s"]) == pytest.approx(-(21 * 60 + 19.0), abs=1e-3)
    model_rows = _read_csv(out / "track-soyuz-ms-25.csv")
    assert list(model_rows[0]) == [*T.TRACK_COLUMNS, "met_s"]
    assert {r["element_set_epoch_utc"] for r in model_rows} == {"model"}
    assert {r["element_set_age_h"] for r in model_rows} == {""}
    # passes.json: every pass, the documented keys, indent 1 and a final newline
    text = (out / "passes.json").read_text()
    passes = json.loads(text)
    assert text.startswith("[\n {\n  ") and text.endswith("]\n")
    assert len(passes) == len(results.passes) > 0
    for d, p in zip(passes, results.passes, strict=True):
        assert list(d) == PASS_FIELDS
        assert d == json.loads(json.dumps(p.to_dict()))
    csv_rows = _read_csv(out / "passes.csv")
    assert [r["station"] for r in csv_rows] == [p.station for p in results.passes]
    assert list(csv_rows[0]) == PASS_FIELDS
    assert csv_rows[0]["rise_utc"] == passes[0]["rise_utc"]
    assert (out / "passes.csv").read_bytes().count(b"\r") == 0
    cal = (out / "passes.ics").read_bytes()
    assert cal.count(b"BEGIN:VEVENT") == sum(p.visible for p in results.passes)
    assert b"X-WR-CALNAME:ISS (ZARYA) visible passes" in cal
    # events.csv: the scenario's events, the ISS there by skyfield
    ev_rows = _read_csv(out / "events.csv")
    assert list(ev_rows[0]) == EVENT_FIELDS
    assert [r["name"] for r in ev_rows] == [e["name"] for e in results.events]
    launch = next(r for r in ev_rows if r["name"] == "launch")
    assert launch["utc"] == "2024-03-21T13:21:19.000Z" and float(launch["met_s"]) == 0.0
    g = ref.geodetic_sat(sats, np.array([_sec("2024-03-21T13:21:19Z")]))[0]
    assert float(launch["iss_lat_deg"]) == pytest.approx(g[0], abs=1e-4)
    assert float(launch["iss_lon_deg"]) == pytest.approx(g[1], abs=1e-4)
    assert (out / "events.csv").read_bytes().count(b"\r") == 0
    # passes of the modelled legs: the leg named on every row, every row a model
    mp = _read_csv(out / "passes-model.csv")
    assert list(mp[0]) == ["object", *PASS_FIELDS]
    assert len(mp) == len(results.model_passes)
    assert {r["element_set_epoch_utc"] for r in mp} == {"model"}
    assert all(r["object"] for r in mp)
    # launch_window.json: the scenario's lift-off assessed
    lw = (out / "launch_window.json").read_text()
    assert lw.startswith('{\n "site"') and lw.endswith("}\n")
    assert json.loads(lw) == json.loads(json.dumps(results.launch_window.to_dict()))
    assert (out / "replay.oem").read_text().startswith("CCSDS_OEM_VERS = 2.0\n")
    assert ET.parse(out / "replay.kml").getroot().tag == f"{KML}kml"
    assert json.loads((out / "replay.czml").read_text())[0]["id"] == "document"


def test_only_the_exports_the_scenario_asks_for(tmp_path):
    from test_units_passes import _hand_pass

    from sim.export.results import write_data_files, write_model_passes

    text = _scenario_text(outputs=("kml",)).replace("html = false\n", "")
    text = re.sub(r"^\[launch\]\n(?:[^\[\n].*\n|\n)*", "", text, flags=re.M)  # no launch
    (tmp_path / "s.toml").write_text(text)
    res = sim.run_scenario(sim.load_scenario(tmp_path / "s.toml"))
    out = tmp_path / "out"
    out.mkdir()
    write_data_files(res, out)
    names = {p.name for p in out.iterdir()}
    assert {"replay.kml", "replay.html", "track.csv"} <= names
    assert not names & {"replay.czml", "replay.oem", "replay-soyuz-ms-25.oem"}
    assert "met_s" not in (out / "track.csv").read_text().split("\n")[0]  # no launch
    write_model_passes([_hand_pass()], tmp_path / "m.csv")
    (row,) = _read_csv(tmp_path / "m.csv")
    assert row["object"] == "" and row["station"] == "Minsk"


def test_events_csv_keeps_rows_without_a_position(tmp_path):
    from sim.export.results import EVENT_FIELDS, write_events_csv

    events = [
        {
            "name": "far",
            "kind": "landing",
            "utc": "2030-01-01T00:00:00.000Z",
            "met_s": 12.5,
            "iss_lat_deg": float("nan"),
            "iss_lon_deg": float("nan"),
            "iss_alt_km": float("nan"),
            "element_set_epoch_utc": "2024-03-27T12:13:52.820Z",
            "element_set_age_h": 1.0,
            "source": "=cmd",
            "jd": 1.0,
        }
    ]
    write_events_csv(events, tmp_path / "e.csv")
    (row,) = _read_csv(tmp_path / "e.csv")
    assert list(row) == EVENT_FIELDS  # jd left out
    assert row["iss_lat_deg"] == row["iss_lon_deg"] == row["iss_alt_km"] == ""
    assert row["met_s"] == "12.5" and row["name"] == "far"
    assert row["source"] != "=cmd" and row["source"].endswith("=cmd")  # no formula for a sheet


def test_export_entry_point(results, sats, tmp_path):
    from sim.export.formats import FORMATS, export

    assert FORMATS == ("czml", "kml", "oem", "geojson", "csv", "json", "html")
    with pytest.raises(SimError) as err:
        export(results, "shp", tmp_path / "x.shp")
    assert str(err.value) == (
        "export format 'shp' is unknown; expected one of "
        "('czml', 'kml', 'oem', 'geojson', 'csv', 'json', 'html')"
    )
    for fmt in ("kml", "oem", "geojson", "csv", "json", "html"):
        with pytest.raises(SimError) as err:
            export(results, fmt, tmp_path / f"x.{fmt}", end_jd=2460391.0)
        assert str(err.value) == f"--start/--end apply to czml only; {fmt} exports the whole replay"
    jd = results.ephemeris.times.jd
    assert export(results, "CZML", tmp_path / "c.czml", start_jd=jd[0], end_jd=jd[9]) == [
        tmp_path / "c.czml"
    ]
    c = json.loads((tmp_path / "c.czml").read_text())
    assert len(next(p for p in c if p["id"] == "iss")["position"]["cartesian"]) == 40
    assert export(results, "kml", tmp_path / "k.kml") == [tmp_path / "k.kml"]
    assert ET.parse(tmp_path / "k.kml").getroot().tag == f"{KML}kml"
    assert export(results, "oem", tmp_path / "o.oem", frame="ITRF") == [tmp_path / "o.oem"]
    assert "REF_FRAME = ITRF" in (tmp_path / "o.oem").read_text()
    export(results, "oem", tmp_path / "e.oem")
    assert "REF_FRAME = EME2000" in (tmp_path / "e.oem").read_text()
    assert export(results, "html", tmp_path / "p.html") == [tmp_path / "p.html"]
    assert (tmp_path / "p.html").read_text().lstrip().lower().startswith("<!doctype html")
    # geojson: the track, the modelled legs, the stations (lon, lat) and the events
    assert export(results, "geojson", tmp_path / "g.geojson") == [tmp_path / "g.geojson"]
    text = (tmp_path / "g.geojson").read_text()
    doc = json.loads(text)
    assert text == json.dumps(doc, separators=(",", ":")) + "\n"
    feats = doc["features"]
    stations = [f for f in feats if f["properties"].get("kind") == "station"]
    assert [f["properties"]["name"] for f in stations] == [
        s.name for s in results.scenario.stations
    ]
    for f, st in zip(stations, results.scenario.stations, strict=True):
        assert f["geometry"] == {"type": "Point", "coordinates": [st.lon_deg, st.lat_deg]}
        assert f["properties"]["passes"] == sum(p.station == st.name for p in results.passes)
    events = [f for f in feats if f["properties"].get("kind") == "event"]
    assert [f["properties"]["name"] for f in events] == [e["name"] for e in results.events]
    for f, e in zip(events, results.events, strict=True):
        assert f["properties"]["time_utc"] == e["utc"]
        lon, lat, alt = f["geometry"]["coordinates"]
        assert (lon, lat) == (e["iss_lon_deg"], e["iss_lat_deg"])
        assert alt == round(e["iss_alt_km"] * 1000.0, 1)
    assert any(f["properties"].get("source") == "model" for f in feats)
    # csv: three files; json: one document
    paths = export(results, "csv", tmp_path / "r.csv")
    assert paths == [tmp_path / "r.csv", tmp_path / "r.passes.csv", tmp_path / "r.events.csv"]
    assert "met_s" in (tmp_path / "r.csv").read_text().split("\n")[0]
    assert len(_read_csv(tmp_path / "r.passes.csv")) == len(results.passes)
    assert len(_read_csv(tmp_path / "r.events.csv")) == len(results.events)
    with pytest.raises(OutputError) as err:
        export(results, "csv", "-")
    assert str(err.value) == (
        "-: the csv export is three files (track, passes, events); give a file name"
    )
    assert export(results, "json", tmp_path / "r.json") == [tmp_path / "r.json"]
    text = (tmp_path / "r.json").read_text()
    data = json.loads(text)
    assert text == json.dumps(data, separators=(",", ":")) + "\n"
    assert list(data) == ["summary", "track", "passes"]
    eph = results.ephemeris
    assert data["track"]["time_utc"] == eph.iso(3)
    sec = np.array([_sec(t) for t in data["track"]["time_utc"]])
    geo = ref.geodetic_sat(sats, sec)
    assert np.abs(np.array(data["track"]["lat_deg"]) - geo[:, 0]).max() < 1e-6
    assert np.abs(np.array(data["track"]["lon_deg"]) - geo[:, 1]).max() < 1e-6
    assert np.abs(np.array(data["track"]["alt_km"]) - geo[:, 2]).max() < 1e-4
    assert data["passes"] == json.loads(json.dumps([p.to_dict() for p in results.passes]))


def test_geojson_model_legs_and_burns(results):
    from sim.export.model import MODEL_NOTE, modelled_legs, unique_rows

    feats = T.geojson_model_features(results)
    legs = modelled_legs(results)
    leg_feats = [f for f in feats if f["properties"]["kind"] == "modelled leg"]
    assert len(leg_feats) == len(legs)
    for f, ml in zip(leg_feats, legs, strict=True):
        props = f["properties"]
        assert props["source"] == "model" and props["note"] == MODEL_NOTE
        assert props["name"] == ml.trajectory.label and props["leg"] == ml.trajectory.name
        assert props["object"] == ml.trajectory.object_name == "Soyuz MS-25"
        assert props["assumptions"] == ml.assumptions
        eph = ml.ephemeris
        rows = unique_rows(eph)
        rows = rows[eph.ok[rows]]
        iso = eph.iso(3)
        assert props["start_utc"] == iso[rows[0]] and props["end_utc"] == iso[rows[-1]]
        assert [t for part in props["times_utc"] for t in part] == [iso[i] for i in rows]
        assert f["geometry"]["type"] == "MultiLineString"
        coords = np.array([c for line in f["geometry"]["coordinates"] for c in line])
        assert np.abs(coords[:, 0] - eph.lon_deg[rows]).max() < 1e-7
        assert np.abs(coords[:, 1] - eph.lat_deg[rows]).max() < 1e-7
        assert np.abs(coords[:, 2] - eph.alt_km[rows] * 1000.0).max() < 0.06
        for line in f["geometry"]["coordinates"]:
            assert np.abs(np.diff(np.array(line)[:, 0])).max() < 180.0
    burns = [f for f in feats if f["properties"]["kind"] == "burn"]
    want = [(b, row, ml) for ml in legs for b, row in ml.burns]
    assert len(burns) == len(want) > 0
    for f, (b, row, ml) in zip(burns, want, strict=True):
        p = f["properties"]
        eph = ml.ephemeris
        assert p["name"] == f"{b.name} (model)" and p["source"] == "model"
        assert p["leg"] == ml.trajectory.name
        assert p["time_utc"] == eph.iso(3)[row]
        assert p["dv_m_s"] == round(b.dv_m_s, 4) and p["orbit"] == b.orbit and p["how"] == b.how
        assert f["geometry"]["type"] == "Point"
        lon, lat, alt = f["geometry"]["coordinates"]
        assert lon == pytest.approx(eph.lon_deg[row], abs=1e-7)
        assert lat == pytest.approx(eph.lat_deg[row], abs=1e-7)
        assert alt == pytest.approx(eph.alt_km[row] * 1000.0, abs=0.06)


def test_model_rows_pieces_and_words():
    from types import SimpleNamespace

    from sim.export import model as M

    # times (s): 0, 10, 20, 20, 30, 40, 40, 40, 50: two repeated instants (burns)
    sec = np.array([0.0, 10.0, 20.0, 20.0, 30.0, 40.0, 40.0, 40.0, 50.0])
    whole = np.full(sec.size, 2460390.0)
    eph = SimpleNamespace(
        times=SimpleNamespace(whole=whole, fraction=sec / 86400.0),
        __len__=None,
    )
    eph = type("E", (), {"times": eph.times, "__len__": lambda self: sec.size})()
    assert M.unique_rows(eph).tolist() == [0, 1, 3, 4, 7, 8]
    assert M.first_of_instant(eph, 7) == 5 and M.first_of_instant(eph, 3) == 2
    assert M.first_of_instant(eph, 0) == 0 and M.first_of_instant(eph, 4) == 4
    assert [p.tolist() for p in M.pieces(eph)] == [[0, 1, 2], [3, 4, 5], [7, 8]]
    burn = SimpleNamespace(
        name="DV1",
        utc="2024-03-21T14:00:00Z",
        dv_m_s=12.345,
        orbit="200 x 250 km",
        perigee_km=199.6,
        apogee_km=250.4,
        how="solved",
    )
    assert M.burn_text(burn) == (
        "DV1 (MODEL) at 2024-03-21T14:00:00Z: 12.35 m/s, orbit 200 x 250 km, then 200 x 250 km; "
        "solved"
    )
    names = {
        "Soyuz MS-25 ascent": M.LEG_RGB["ascent"],
        "Soyuz MS-25 FREE FLIGHT": M.LEG_RGB["free flight"],
        "Soyuz MS-24 return": M.LEG_RGB["return"],
        "Something": M.LEG_RGB["model"],
    }
    for name, rgb in names.items():
        tr = SimpleNamespace(name=name, ephemeris=eph, assumptions=("a", "b"))
        ml = M.ModelledLeg(tr)
        assert ml.rgb() == rgb and ml.assumptions == ["a", "b"] and ml.ephemeris is eph
        assert ml.leg is None and ml.burns == []
    assert M.leg_slug(SimpleNamespace(name="Soyuz MS-25 free flight")) == "soyuz-ms-25-free-flight"
    assert M.ModelledLeg(SimpleNamespace(name="A b")).slug == "a-b"
    assert "MODEL" in M.MODEL_NOTE and "docs/soyuz-model.md" in M.FORCES_NOTE


# --------------------------------------------------------------------------------------------
# atomic writing


def test_atomic_writer_replaces_only_complete_regular_files(tmp_path, capsys):
    import os
    import socket
    import stat

    from sim.export import atomic as A

    target = tmp_path / "f.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    with A.atomic_writer(target) as f:
        f.write("new\n")
        assert target.read_text() == "old"  # not replaced before the end
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the mode of the file replaced
    fresh = tmp_path / "g.txt"
    with A.atomic_writer(fresh) as f:
        f.write("a\n")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~A._umask()
    with pytest.raises(RuntimeError), A.atomic_writer(target) as f:
        f.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with A.atomic_writer(tmp_path / "b.bin", "wb") as f:
        f.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with A.atomic_writer(tmp_path / "n.txt", newline="\r\n") as f:
        f.write("x\n")
    assert (tmp_path / "n.txt").read_bytes() == b"x\r\n"
    # a link to a regular file is written through and stays a link
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with A.atomic_writer(link) as f:
        f.write("via link\n")
    assert link.is_symlink() and target.read_text() == "via link\n"
    # refusals name the place and the problem
    with pytest.raises(OutputError) as err, A.atomic_writer(tmp_path) as f:
        pass
    assert str(err.value) == f"{tmp_path} is a folder, not a regular file; refusing to replace it"
    dir_link = tmp_path / "dirlink"
    dir_link.symlink_to(tmp_path)
    with pytest.raises(OutputError) as err, A.atomic_writer(dir_link) as f:
        pass
    assert str(err.value) == (
        f"{dir_link} (a symbolic link to {tmp_path}) is a folder, not a regular file; "
        "refusing to replace it"
    )
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as err, A.atomic_writer(fifo) as f:
        pass
    assert "is a FIFO (named pipe), not a regular file" in str(err.value)
    sock_path = tmp_path / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock_path))
    try:
        assert A.file_kind(sock_path.stat().st_mode) == "a socket"
    finally:
        s.close()
    assert A.file_kind(stat.S_IFCHR) == "a character device"
    assert A.file_kind(stat.S_IFBLK) == "a block device"
    assert A.file_kind(stat.S_IFLNK) == "a symbolic link"
    assert A.file_kind(stat.S_IFREG) == "a regular file"
    assert A.file_kind(stat.S_IFDIR) == "a folder"
    assert A.file_kind(0) == "a special file"
    with pytest.raises(OutputError) as err, A.atomic_writer(tmp_path / "no" / "f.txt") as f:
        pass
    assert (
        str(err.value)
        == f"{tmp_path / 'no' / 'f.txt'}: the folder {tmp_path / 'no'} does not exist"
    )
    with pytest.raises(OutputError) as err, A.atomic_path("-"):
        pass
    assert str(err.value) == "-: this output cannot go to standard output; give a file name"
    assert A.is_stdout("-") and not A.is_stdout("x")
    # '-' is standard output, UTF-8 text
    with A.atomic_writer("-") as f:
        f.write("ä\n")
    assert capsys.readouterr().out == "ä\n"
    # output folders: made with their parents, refused when a file
    made = A.output_folder(tmp_path / "a" / "b")
    assert made.is_dir() and made == tmp_path / "a" / "b"
    assert A.output_folder(made) == made
    with pytest.raises(OutputError) as err:
        A.output_folder(target)
    assert str(err.value) == f"{target} is a regular file, not a folder; refusing to write into it"
    path, status = A.output_file(target)
    assert path == target and status.st_size == target.stat().st_size
    assert A.output_file(tmp_path / "none.txt") == (tmp_path / "none.txt", None)


def test_czml_presentation(results, tmp_path):
    """What Cesium draws: sizes, fonts, offsets and widths of every kind of packet."""
    doc = _czml(results, tmp_path)
    iss = doc["iss"]
    assert iss["point"] == {"pixelSize": 9, "color": {"rgba": [255, 200, 0, 255]}}
    assert iss["label"]["font"] == "12pt sans-serif"
    assert iss["label"]["verticalOrigin"] == "BOTTOM"
    assert iss["label"]["pixelOffset"] == {"cartesian2": [0, -12]}
    assert iss["path"]["width"] == 2 and iss["path"]["resolution"] == 60
    assert doc["document"]["clock"]["multiplier"] == 60
    st = doc["station-0"]
    assert st["point"]["pixelSize"] == 7
    assert st["label"]["font"] == "11pt sans-serif"
    assert st["label"]["pixelOffset"] == {"cartesian2": [0, -10]}
    view = next(p for k, p in doc.items() if k.startswith("passes-"))
    assert view["point"] == {"pixelSize": 16, "color": {"rgba": [225, 87, 89, 200]}}
    assert view["label"]["font"] == "11pt sans-serif"
    assert view["label"]["pixelOffset"] == {"cartesian2": [0, 14]}
    event = next(p for k, p in doc.items() if k.startswith("event-"))
    assert event["label"]["font"] == "12pt sans-serif"
    assert event["label"]["pixelOffset"] == {"cartesian2": [0, 24]}
    model = next(p for k, p in doc.items() if k.startswith("model-"))
    assert model["point"]["pixelSize"] == 8
    assert model["label"]["font"] == "11pt sans-serif"
    assert model["label"]["verticalOrigin"] == "BOTTOM"
    assert model["label"]["pixelOffset"] == {"cartesian2": [0, -12]}
    assert model["path"]["width"] == 2 and model["path"]["resolution"] == 60
    assert model["path"]["leadTime"] == 0
    pos = model["position"]
    assert pos["referenceFrame"] == "FIXED"
    assert pos["interpolationAlgorithm"] == "LAGRANGE" and pos["interpolationDegree"] == 5
    burn = next(p for k, p in doc.items() if k.startswith("burn-"))
    assert burn["point"]["pixelSize"] == 10
    assert burn["label"]["font"] == "11pt sans-serif"
    assert burn["label"]["pixelOffset"] == {"cartesian2": [0, 24]}


# --------------------------------------------------------------------------------------------
# Survivors of the mutation run (issue 18): what the export entry point writes, exactly


def test_geojson_export_feature_types_and_precision(results, tmp_path):
    """Every feature of the GeoJSON export is a 'Feature' (RFC 7946 3.2), stations and events
    are Points, the track's LineStrings are kept beside the modelled legs, and coordinates carry
    7 decimals of a degree (1 cm) and altitudes 0.1 m."""
    from sim.export.formats import export
    from sim.tracks import split_antimeridian

    export(results, "geojson", tmp_path / "g.geojson")
    doc = json.loads((tmp_path / "g.geojson").read_text())
    assert doc["type"] == "FeatureCollection"
    feats = doc["features"]
    assert all(f["type"] == "Feature" for f in feats)
    kinds = [f["properties"].get("kind", "track") for f in feats]
    eph = results.ephemeris
    segments = split_antimeridian(eph.lon_deg, eph.lat_deg, edge_points=False)
    assert kinds.count("track") == len(segments)
    for f, kind in zip(feats, kinds, strict=True):
        if kind in ("station", "event", "burn"):
            assert f["geometry"]["type"] == "Point"
        if kind == "track":
            assert f["geometry"]["type"] == "LineString"
            coords = np.array(f["geometry"]["coordinates"])
            assert np.array_equal(coords[:, :2], np.round(coords[:, :2], 7))
            assert np.array_equal(coords[:, 2], np.round(coords[:, 2], 1))
            assert (np.abs(coords[:, :2] * 1e7 - np.round(coords[:, :2] * 1e7)) < 1e-3).all()


def test_geojson_track_two_samples_are_a_line_and_one_sample_a_rounded_point(results):
    import copy

    eph = results.ephemeris
    e = copy.copy(eph)
    e.lon_deg = eph.lon_deg.copy()
    e.lon_deg[:10] = -170.0
    e.lon_deg[10:12] = 170.0  # two samples alone on the far side of the antimeridian
    e.lon_deg[12:20] = -170.0
    e.lon_deg[20] = 170.123456789  # one alone
    e.lon_deg[21:] = -170.0
    feats = T.geojson_track(e)["features"]
    by_start = {f["properties"]["start_utc"]: f for f in feats}
    times = eph.iso(3)
    two = by_start[times[10]]["geometry"]
    assert two["type"] == "LineString" and len(two["coordinates"]) == 2
    one = by_start[times[20]]["geometry"]
    assert one["type"] == "Point"
    lon, lat, alt_m = one["coordinates"]
    assert lon == 170.1234568
    assert lat == round(float(eph.lat_deg[20]), 7) and lat != round(float(eph.lat_deg[20]), 6)
    assert alt_m == round(float(eph.alt_km[20]) * 1000.0, 1)
    assert alt_m != round(float(eph.alt_km[20]) * 1000.0)


def test_export_czml_start_csv_any_name_and_met(results, tmp_path):
    """The czml export honours --start as well as --end; the csv export writes CSV whatever the
    file's suffix, with met_s counted from the launch event."""
    from sim.export.formats import export

    jd = results.ephemeris.times.jd
    export(results, "czml", tmp_path / "c.czml", start_jd=jd[5])
    c = json.loads((tmp_path / "c.czml").read_text())
    iss = next(p for p in c if p["id"] == "iss")
    assert iss["position"]["epoch"] == sim.times.jd_iso(jd[5])
    assert len(iss["position"]["cartesian"]) == 4 * (jd.size - 5)
    paths = export(results, "csv", tmp_path / "r.dat")
    assert paths[0] == tmp_path / "r.dat"
    rows = _read_csv(tmp_path / "r.dat")
    assert len(rows) == jd.size
    launch = next(e for e in results.events if e["name"] == "launch")
    for row in rows[::40]:
        want = _sec(row["time_utc"]) - _sec(launch["utc"])
        assert float(row["met_s"]) == pytest.approx(want, abs=2e-3)


def test_exports_without_a_launch_and_with_an_event_off_the_track(results, tmp_path):
    """A replay with no launch event has no met_s column; an event where SGP4 failed (no ISS
    position) is left out of the GeoJSON, and the events after it are kept."""
    import copy

    from sim.export.formats import export

    r = copy.copy(results)
    nowhere = dict(results.events[0], name="nowhere")
    for key in ("iss_lat_deg", "iss_lon_deg", "iss_alt_km"):
        nowhere[key] = float("nan")
    r.events = [nowhere] + [e for e in results.events if e["name"] != "launch"]
    export(r, "csv", tmp_path / "r.csv")
    assert "met_s" not in (tmp_path / "r.csv").read_text().split("\n")[0].split(",")
    export(r, "geojson", tmp_path / "g.geojson")
    feats = json.loads((tmp_path / "g.geojson").read_text())["features"]
    names = [f["properties"]["name"] for f in feats if f["properties"].get("kind") == "event"]
    assert names == [e["name"] for e in r.events[1:]] and names


def test_kml_bytes_are_those_of_the_element_tree(results):
    """kml_bytes writes the gx:Track bodies as text in bulk: the bytes must be exactly those
    ElementTree writes for kml_tree (indented one space per level), declaration included."""
    import io

    from sim.export.kml import kml_bytes, kml_tree

    buf = io.BytesIO()
    tree = kml_tree(results)
    tree.write(buf, encoding="utf-8", xml_declaration=True)
    want = buf.getvalue()
    assert want.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<kml ")
    assert b"\n  <Placemark>" in want and b"<gx:coord>" in want and b"<when>" in want
    assert kml_bytes(results) == want
    # every gx:Track of the tree has as many <when> as <gx:coord>, one per sample
    tracks = tree.getroot().iter(f"{GX}Track")
    counts = [(len(t.findall(f"{KML}when")), len(t.findall(f"{GX}coord"))) for t in tracks]
    assert counts and all(a == b > 0 for a, b in counts)
