"""Every column of every data file of the default run against an independent computation
(issue 18): track.csv, passes.csv/json, events.csv, summary.json events, GeoJSON, KML, CZML and
the OEM. Positions come from skyfield / python-sgp4 on the set in force (tests/reference.py);
stations and event times from the scenario file read here with tomllib.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import reference as ref
from conftest import (
    BUNDLED_TLE,
    CSV_XYZ_TOLERANCE_KM,
    GEODETIC_TOLERANCE_DEG,
    HEIGHT_TOLERANCE_KM,
    LOOK_ANGLE_TOLERANCE_DEG,
    OEM_POSITION_TOLERANCE_KM,
    OEM_VELOCITY_TOLERANCE_KM_S,
    ROOT,
)

from sim.export.formats import export
from sim.export.results import write_data_files

SCENARIO = ROOT / "scenarios" / "soyuz-ms25.toml"
#: Event positions are written to 4 decimals of a degree and 3 of a km.
EVENT_DEG_TOLERANCE = 5e-5 + GEODETIC_TOLERANCE_DEG
#: CZML writes Earth-fixed metres to 2 decimals.
CZML_TOLERANCE_KM = 5e-6 + 1e-5
#: How many rows of each long file are compared with skyfield (spread over the whole stay).
ROWS = 600


@pytest.fixture(scope="module")
def toml():
    return tomllib.loads(SCENARIO.read_text())


@pytest.fixture(scope="module")
def sats():
    return ref.tle_satellites(BUNDLED_TLE)


@pytest.fixture(scope="module")
def folder(replay, tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    write_data_files(replay, out)
    export(replay, "geojson", out / "export.geojson")
    export(replay, "oem", out / "itrf.oem", frame="ITRF")
    return out


def sample(n_total: int, n: int = ROWS) -> np.ndarray:
    return np.unique(np.linspace(0, n_total - 1, n).astype(int))


def check_geodetic(sats, sec, lat, lon, alt_km, deg_tol=GEODETIC_TOLERANCE_DEG):
    g = ref.geodetic_sat(sats, sec)
    assert np.abs(np.asarray(lat) - g[:, 0]).max() < deg_tol, "latitude"
    dlon = (np.asarray(lon) - g[:, 1] + 180.0) % 360.0 - 180.0
    assert np.abs(dlon).max() < deg_tol, "longitude"
    assert np.abs(np.asarray(alt_km) - g[:, 2]).max() < HEIGHT_TOLERANCE_KM, "height"


def event_times(toml) -> dict:
    out = {"launch": ref.sec_of_iso(toml["launch"]["time_utc"])}
    for e in toml["events"]:
        out[e["name"]] = ref.sec_of_iso(e["time_utc"])
    return out


# --------------------------------------------------------------------------------------------
# track.csv


@pytest.fixture(scope="module")
def track_rows(folder):
    with open(folder / "track.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_track_csv_header_is_the_documented_one(folder):
    readme = (ROOT / "README.md").read_text()
    documented = re.search(r"\| `track\.csv` \| `([a-z_,]+)`", readme).group(1)
    header = (folder / "track.csv").read_text().splitlines()[0]
    assert header == documented


def test_track_csv_times_are_the_scenario_grid(track_rows, toml):
    times = event_times(toml)
    start, end = times[toml["replay"]["start"]], times[toml["replay"]["end"]]
    step = toml["replay"]["step_s"]
    sec = np.array([ref.sec_of_iso(r["time_utc"]) for r in track_rows])
    assert sec[0] == pytest.approx(start, abs=1e-3)
    assert sec[-1] == pytest.approx(end, abs=1e-3)
    assert np.abs(np.diff(sec)[:-1] - step).max() < 1.5e-3


def test_track_csv_every_column_against_skyfield(track_rows, sats, toml):
    idx = sample(len(track_rows))
    rows = [track_rows[i] for i in idx]
    sec = np.array([ref.sec_of_iso(r["time_utc"]) for r in rows])

    def col(name):
        return np.array([float(r[name]) for r in rows])

    check_geodetic(sats, sec, col("lat_deg"), col("lon_deg"), col("alt_km"))
    # x/y/z are Earth-fixed (ITRS), not TEME
    xyz = np.column_stack([col("x_km"), col("y_km"), col("z_km")])
    assert np.abs(xyz - ref.itrs_sat_km(sats, sec)).max() < CSV_XYZ_TOLERANCE_KM
    # sunlit: outside the umbra (conical shadow of the reference)
    depth = ref.umbra_depth_km(ref.teme_sat_km(sats, sec), ref.teme_sun_km(sec))
    sunlit = np.array([r["sunlit"] for r in rows])
    clear = np.abs(depth) > 0.05
    assert set(sunlit) == {"true", "false"}
    assert np.array_equal(sunlit[clear] == "true", depth[clear] <= 0)
    # the set in force and its signed age
    k = ref.set_in_force(sats, sec)
    assert [r["element_set_epoch_utc"] for r in rows] == [ref.epoch_iso_s(sats[i]) for i in k]
    epoch = np.array([ref.epoch_sec(sats[i]) for i in k])
    assert np.abs(col("element_set_age_h") - (sec - epoch) / 3600.0).max() < 6e-5
    # mission elapsed time from the scenario's launch
    launch = event_times(toml)["launch"]
    assert np.abs(col("met_s") - (sec - launch)).max() < 6e-4


# --------------------------------------------------------------------------------------------
# passes and events


@pytest.fixture(scope="module")
def pass_rows(folder):
    with open(folder / "passes.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_passes_csv_and_json_columns_against_skyfield(folder, pass_rows, sats, toml):
    stations = {s["name"]: s for s in toml["stations"]}
    times = event_times(toml)
    window = times[toml["replay"]["start"]], times[toml["replay"]["end"]]
    as_json = json.loads((folder / "passes.json").read_text())
    assert len(as_json) == len(pass_rows) > 150
    for row, obj in zip(pass_rows, as_json, strict=True):
        assert list(row) == list(obj)
        for key, value in obj.items():
            assert row[key] == ("" if value is None else str(value)), key
    for name, st in stations.items():
        rows = [r for r in pass_rows if r["station"] == name]
        assert rows, name
        sec = np.array(
            [[ref.sec_of_iso(r[f"{k}_utc"]) for k in ("rise", "culmination", "set")] for r in rows]
        )
        look = ref.look(sats, st["lat_deg"], st["lon_deg"], st["elevation_m"], sec.ravel())
        look = look.reshape(-1, 3, 3)
        # times are written to the millisecond: near the zenith the azimuth turns by up to
        # 0.1 deg in half a millisecond, so allow what it turns in that half-millisecond
        half_ms = ref.look(
            sats, st["lat_deg"], st["lon_deg"], st["elevation_m"], (sec + 5e-4).ravel()
        ).reshape(-1, 3, 3)
        for k, key in enumerate(("rise", "culmination", "set")):
            az = np.array([float(r[f"{key}_azimuth_deg"]) for r in rows])
            d = np.abs((az - look[:, k, 1] + 180.0) % 360.0 - 180.0)
            turn = np.abs((half_ms[:, k, 1] - look[:, k, 1] + 180.0) % 360.0 - 180.0)
            assert (d - turn).max() < LOOK_ANGLE_TOLERANCE_DEG, key
        max_el = np.array([float(r["max_elevation_deg"]) for r in rows])
        assert np.abs(max_el - look[:, 1, 0]).max() < LOOK_ANGLE_TOLERANCE_DEG
        rng = np.array([float(r["min_range_km"]) for r in rows])
        assert np.abs(rng - look[:, 1, 2]).max() < 5e-3  # times written to the millisecond
        dur = np.array([float(r["duration_s"]) for r in rows])
        assert np.abs(dur - (sec[:, 2] - sec[:, 0])).max() < 2e-3
        k = ref.set_in_force(sats, sec[:, 1])
        assert [r["element_set_epoch_utc"] for r in rows] == [ref.epoch_iso_s(sats[i]) for i in k]
        for r, s in zip(rows, sec, strict=True):
            assert r["open_start"] == str(abs(s[0] - window[0]) < 2e-3)
            assert r["open_end"] == str(abs(s[2] - window[1]) < 2e-3)
            visible = r["visible"] == "True"
            assert (r["peak_magnitude"] != "") == visible
            assert (r["visible_start_utc"] != "") == visible
            if visible:
                a, b = ref.sec_of_iso(r["visible_start_utc"]), ref.sec_of_iso(r["visible_end_utc"])
                assert s[0] - 1e-3 <= a < b <= s[2] + 1e-3
    assert [r["station"] for r in pass_rows if r["station"] not in stations] == []


def check_events(rows, sats, toml, lat_key="iss_lat_deg", lon_key="iss_lon_deg"):
    times = event_times(toml)
    assert sorted(r["name"] for r in rows) == sorted(times)  # any order (by time or by file)
    sec = np.array([ref.sec_of_iso(r["utc"]) for r in rows])
    assert np.abs(sec - np.array([times[r["name"]] for r in rows])).max() < 1e-3
    lat = [float(r[lat_key]) for r in rows]
    lon = [float(r[lon_key]) for r in rows]
    alt = [float(r["iss_alt_km"]) for r in rows]
    g = ref.geodetic_sat(sats, sec)
    assert np.abs(np.array(lat) - g[:, 0]).max() < EVENT_DEG_TOLERANCE
    assert np.abs((np.array(lon) - g[:, 1] + 180) % 360 - 180).max() < EVENT_DEG_TOLERANCE
    assert np.abs(np.array(alt) - g[:, 2]).max() < 6e-4
    met = np.array([float(r["met_s"]) for r in rows])
    assert np.abs(met - (sec - times["launch"])).max() < 6e-4
    k = ref.set_in_force(sats, sec)
    assert [r["element_set_epoch_utc"] for r in rows] == [ref.epoch_iso_s(sats[i]) for i in k]
    age = np.array([float(r["element_set_age_h"]) for r in rows])
    epoch = np.array([ref.epoch_sec(sats[i]) for i in k])
    assert np.abs(age - (sec - epoch) / 3600).max() < 6e-4


def test_events_csv_against_the_scenario_and_skyfield(folder, sats, toml):
    with open(folder / "events.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    check_events(rows, sats, toml)
    kinds = {"launch": "launch"} | {e["name"]: e["kind"] for e in toml["events"]}
    assert [r["kind"] for r in rows] == [kinds[r["name"]] for r in rows]


def test_summary_events_and_stations(folder, sats, toml):
    summary = json.loads((folder / "summary.json").read_text())
    check_events(summary["events"], sats, toml)
    assert list(summary["passes_per_station"]) == [s["name"] for s in toml["stations"]]
    passes = json.loads((folder / "passes.json").read_text())
    for name, counts in summary["passes_per_station"].items():
        mine = [p for p in passes if p["station"] == name]
        assert counts == {"passes": len(mine), "visible": sum(p["visible"] for p in mine)}


# --------------------------------------------------------------------------------------------
# GeoJSON, KML, CZML


def test_groundtrack_geojson_coordinates_are_lon_lat_alt(folder, sats):
    doc = json.loads((folder / "groundtrack.geojson").read_text())
    coords, times = [], []
    for feat in doc["features"]:
        if feat["properties"].get("source") == "model":  # the modelled Soyuz legs
            continue
        pts = feat["geometry"]["coordinates"]
        pts = [pts] if feat["geometry"]["type"] == "Point" else pts
        coords += pts
        times += feat["properties"]["times_utc"]
    assert len(coords) == len(times) > 90_000
    idx = sample(len(coords))
    c = np.array([coords[i] for i in idx])
    sec = np.array([ref.sec_of_iso(times[i]) for i in idx])
    check_geodetic(sats, sec, c[:, 1], c[:, 0], c[:, 2] / 1000.0)


def test_exported_geojson_stations_and_events(folder, sats, toml):
    doc = json.loads((folder / "export.geojson").read_text())
    stations = [f for f in doc["features"] if f["properties"].get("kind") == "station"]
    assert [f["properties"]["name"] for f in stations] == [s["name"] for s in toml["stations"]]
    for f, s in zip(stations, toml["stations"], strict=True):
        assert f["geometry"]["coordinates"] == [s["lon_deg"], s["lat_deg"]]
    events = [f for f in doc["features"] if f["properties"].get("kind") == "event"]
    rows = [
        {
            "name": f["properties"]["name"],
            "utc": f["properties"]["time_utc"],
            "lon": f["geometry"]["coordinates"][0],
            "lat": f["geometry"]["coordinates"][1],
        }
        for f in events
    ]
    times = event_times(toml)
    assert sorted(r["name"] for r in rows) == sorted(times)
    sec = np.array([ref.sec_of_iso(r["utc"]) for r in rows])
    assert np.abs(sec - np.array([times[r["name"]] for r in rows])).max() < 1e-3
    g = ref.geodetic_sat(sats, sec)
    alt_m = np.array([f["geometry"]["coordinates"][2] for f in events])
    assert np.abs(np.array([r["lat"] for r in rows]) - g[:, 0]).max() < EVENT_DEG_TOLERANCE
    assert np.abs(np.array([r["lon"] for r in rows]) - g[:, 1]).max() < EVENT_DEG_TOLERANCE
    assert np.abs(alt_m / 1000 - g[:, 2]).max() < 6e-4


KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


def test_kml_track_stations_and_events(folder, sats, toml):
    root = ET.parse(folder / "replay.kml").getroot()
    whens, coords = [], []
    iss = next(
        pm
        for pm in root.iter(f"{KML}Placemark")
        if pm.find(f"{KML}name").text == toml["object"]["name"]
        and pm.find(f".//{GX}Track") is not None
    )
    for track in iss.iter(f"{GX}Track"):
        whens += [w.text for w in track.findall(f"{KML}when")]
        coords += [c.text.split() for c in track.findall(f"{GX}coord")]
    assert len(whens) == len(coords) > 90_000
    idx = sample(len(coords))
    c = np.array([[float(v) for v in coords[i]] for i in idx])
    sec = np.array([ref.sec_of_iso(whens[i]) for i in idx])
    check_geodetic(sats, sec, c[:, 1], c[:, 0], c[:, 2] / 1000.0)
    folders = {f.find(f"{KML}name").text: f for f in root.iter(f"{KML}Folder")}
    marks = folders["Ground stations"].findall(f"{KML}Placemark")
    assert [m.find(f"{KML}name").text for m in marks] == [s["name"] for s in toml["stations"]]
    for m, s in zip(marks, toml["stations"], strict=True):
        lon, lat, _ = (float(v) for v in m.find(f".//{KML}coordinates").text.split(","))
        assert (lon, lat) == pytest.approx((s["lon_deg"], s["lat_deg"]), abs=1e-7)
    events = [
        m
        for name, f in folders.items()
        if name.startswith("Mission events")
        for m in f.findall(f"{KML}Placemark")
    ]
    times = event_times(toml)
    assert sorted(m.find(f"{KML}name").text for m in events) == sorted(times)
    sec = np.array([ref.sec_of_iso(m.find(f".//{KML}when").text) for m in events])
    lon, lat, alt = np.array(
        [[float(v) for v in m.find(f".//{KML}coordinates").text.split(",")] for m in events]
    ).T
    g = ref.geodetic_sat(sats, sec)
    assert np.abs(lat - g[:, 0]).max() < EVENT_DEG_TOLERANCE
    assert np.abs(lon - g[:, 1]).max() < EVENT_DEG_TOLERANCE
    assert np.abs(alt / 1000 - g[:, 2]).max() < 6e-4


def test_czml_positions_stations_passes_and_events(folder, replay, sats, toml):
    packets = {p["id"]: p for p in json.loads((folder / "replay.czml").read_text())}
    pos = packets["iss"]["position"]
    assert pos["referenceFrame"] == "FIXED"
    samples = np.array(pos["cartesian"]).reshape(-1, 4)
    idx = sample(len(samples))
    sec = ref.sec_of_iso(pos["epoch"]) + samples[idx, 0]
    xyz_km = samples[idx, 1:] / 1000.0
    assert np.abs(xyz_km - ref.itrs_sat_km(sats, sec)).max() < CZML_TOLERANCE_KM
    for k, s in enumerate(toml["stations"]):
        packet = packets[f"station-{k}"]
        assert packet["name"] == s["name"]
        assert packet["position"]["cartographicDegrees"] == pytest.approx(
            [s["lon_deg"], s["lat_deg"], s["elevation_m"]]
        )
        spans = packets[f"passes-{k}"]["availability"]
        spans = spans if isinstance(spans, list) else spans.split("/")
        n_passes = sum(p.station == s["name"] for p in replay.passes)
        assert len(spans) == n_passes > 10
    window = (ref.sec_of_iso(pos["epoch"]), ref.sec_of_iso(pos["epoch"]) + samples[-1, 0])
    times = event_times(toml)
    inside = [n for n, t in times.items() if window[0] - 1e-3 <= t <= window[1] + 1e-3]
    events = [p for p in packets.values() if p["id"].startswith("event-")]
    assert sorted(p["name"] for p in events) == sorted(inside) and len(inside) == 2
    for p in events:
        lon, lat, alt_m = p["position"]["cartographicDegrees"]
        g = ref.geodetic_sat(sats, [times[p["name"]]])[0]
        assert abs(lat - g[0]) < EVENT_DEG_TOLERANCE and abs(lon - g[1]) < EVENT_DEG_TOLERANCE
        assert abs(alt_m / 1000 - g[2]) < 6e-4


# --------------------------------------------------------------------------------------------
# OEM


def read_oem(path):
    text = path.read_text()
    meta = dict(re.findall(r"^(\w+) = (.*)$", text, flags=re.M))
    rows = [ln for ln in text.splitlines() if re.match(r"^\d{4}-\d\d-\d\dT", ln)]
    rows = [rows[i].split() for i in sample(len(rows))]
    assert all(len(r) == 7 for r in rows)
    sec = np.array([ref.sec_of_iso(r[0] + "Z") for r in rows])
    states = np.array([[float(v) for v in r[1:]] for r in rows])
    return meta, sec, states


@pytest.mark.parametrize("name", ["replay.oem", "itrf.oem"])
def test_oem_states_to_a_centimetre(folder, sats, name):
    from skyfield.framelib import ICRS_to_J2000

    meta, sec, states = read_oem(folder / name)
    assert sec[-1] - sec[0] > 10 * 86400

    def f(sat, s):
        t = ref.utc(s)
        if meta["REF_FRAME"] == "EME2000":
            p = sat.at(t)
            r, v = ICRS_to_J2000 @ p.position.km, ICRS_to_J2000 @ p.velocity.km_per_s
        else:
            from skyfield.framelib import itrs

            r, v = sat.at(t).frame_xyz_and_velocity(itrs)
            r, v = r.km, v.km_per_s
        return np.concatenate([r, v]).T

    expected = ref.per_set(sats, sec, f)
    assert meta["REF_FRAME"] == {"replay.oem": "EME2000", "itrf.oem": "ITRF"}[name]
    assert meta["TIME_SYSTEM"] == "UTC" and meta["CENTER_NAME"] == "EARTH"
    assert np.abs(states[:, :3] - expected[:, :3]).max() < OEM_POSITION_TOLERANCE_KM
    assert np.abs(states[:, 3:] - expected[:, 3:]).max() < OEM_VELOCITY_TOLERANCE_KM_S


def test_track_json_every_key_against_skyfield(replay, sats, toml, tmp_path):
    from sim.export.track import write_track

    launch = event_times(toml)["launch"]
    path = write_track(
        replay.ephemeris, tmp_path / "t.json", launch_jd=ref.JD_2024 + launch / 86400
    )
    data = json.loads(path.read_text())
    assert data["object_norad_id"] == toml["object"]["norad_id"]
    assert data["samples"] == len(data["time_utc"]) > 90_000
    assert "ITRS" in data["note"] and "umbra" in data["note"]
    assert "sgp4_errors" not in data
    idx = sample(data["samples"])
    sec = np.array([ref.sec_of_iso(data["time_utc"][i]) for i in idx])

    def col(name):
        return np.array([data[name][i] for i in idx])

    check_geodetic(sats, sec, col("lat_deg"), col("lon_deg"), col("alt_km"))
    xyz = np.column_stack([col("x_km"), col("y_km"), col("z_km")])
    assert np.abs(xyz - ref.itrs_sat_km(sats, sec)).max() < CSV_XYZ_TOLERANCE_KM
    depth = ref.umbra_depth_km(ref.teme_sat_km(sats, sec), ref.teme_sun_km(sec))
    lit = col("sunlit")
    clear = np.abs(depth) > 0.05
    assert set(lit.tolist()) == {True, False}
    assert np.array_equal(lit[clear], depth[clear] <= 0)
    k = ref.set_in_force(sats, sec)
    assert col("element_set_epoch_utc").tolist() == [ref.epoch_iso_s(sats[i]) for i in k]
    epoch = np.array([ref.epoch_sec(sats[i]) for i in k])
    assert np.abs(col("element_set_age_h") - (sec - epoch) / 3600.0).max() < 6e-5
    # met_s from the single-float launch Julian date given here: 40 us resolution
    assert np.abs(col("met_s") - (sec - launch)).max() < 1e-3


def test_sgp4_failures_are_empty_cells_and_nulls_with_the_reasons(tmp_path):
    """A decaying object: rows where SGP4 fails keep their time and set, with empty numbers in
    the CSV and nulls in the JSON (never NaN, which is not JSON), and the JSON names why."""
    from conftest import write_decaying_tle

    import sim
    from sim.ephemeris import propagate
    from sim.export.track import write_track

    cat = sim.load_catalogue(write_decaying_tle(tmp_path))
    # within the 30-day limit of the trust rule; the object decays after a few hours anyway
    eph = propagate(cat, start="2024-03-27T12:00Z", end="2024-04-20T12:00Z", step_s=3600)
    failed = np.nonzero(~eph.ok)[0]
    assert 0 < failed.size < len(eph)
    text = write_track(eph, tmp_path / "t.json").read_text()
    assert "NaN" not in text
    data = json.loads(text)
    for name in ("lat_deg", "lon_deg", "alt_km", "x_km", "sunlit"):
        values = np.array(data[name], dtype=object)
        assert all(v is None for v in values[failed]), name
        assert all(v is not None for v in values[eph.ok]), name
    assert sum(data["sgp4_errors"].values()) == failed.size
    with open(write_track(eph, tmp_path / "t.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for i in (failed[0], failed[-1]):
        assert rows[i]["lat_deg"] == rows[i]["sunlit"] == "" and rows[i]["time_utc"]
        assert rows[i]["element_set_epoch_utc"] == "2024-03-27T12:00:00Z"


def test_exports_are_written_only_when_the_scenario_asks(tmp_path):
    """scenarios/README.md: czml, kml and oem are written when set to true; a scenario that
    leaves them out gets none of them, and one without a launch no launch window or met_s."""
    import sim

    text = SCENARIO.read_text().replace("../tle/", f"{ROOT}/tle/")
    text = text.replace('end = "undocking-ms24"', 'end = "2024-03-25T16:00:00Z"')
    text = re.sub(r"^(czml|kml|oem) = true.*$", "", text, flags=re.M)
    text = re.sub(r"^\[launch\]\n(?:[^\[\n].*\n|\n)*", "", text, flags=re.M)  # no launch
    (tmp_path / "plain.toml").write_text(text)
    results = sim.run_scenario(sim.load_scenario(tmp_path / "plain.toml"))
    out = tmp_path / "out"
    out.mkdir()
    write_data_files(results, out)
    written = sorted(p.name for p in out.iterdir())
    assert not {"replay.czml", "replay.kml", "replay.oem"} & set(written), written
    assert "launch_window.json" not in written
    assert {"summary.json", "track.csv", "passes.json", "events.csv"} <= set(written)
    header = (out / "track.csv").read_text().splitlines()[0]
    assert not header.endswith("met_s")  # no launch, no mission elapsed time


def test_launch_window_json_holds_the_readme_table(folder):
    """README: 'sim run writes the same to launch_window.json' as the launch-window table."""
    data = json.loads((folder / "launch_window.json").read_text())
    launches = {a["name"]: a for a in data["launches"]}
    rows = re.findall(
        r"^\| (first attempt[^|]*|launch) \|(.*)\|$", (ROOT / "README.md").read_text(), re.M
    )
    assert len(rows) == 2 and len(data["opportunities"]) >= 5
    for (_label, rest), name in zip(rows, ("scrub", "launch"), strict=True):
        _lift, _in_plane, after, offset, phase = (c.strip() for c in rest.split("|"))
        a = launches[name]
        assert after == f"{a['lead_s']:.0f} s"
        assert offset == f"{a['plane_offset_deg']:.3f}°"
        assert phase == f"{a['phase_at_insertion_deg']:.0f}°"
