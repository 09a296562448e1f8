"""Fast, direct tests of sim.export written against the surviving mutants of the full mutation
run (docs/mutation.md, "open" rows of the export table): cuts whose ends fall exactly on a
sample, a burn or an event; spans with exactly two samples; failed samples inside a cut; events
without a source; the exact words and the written precision of the CZML and the OEM comments.
The replay is the first-attempt scenario from 13:00 to 17:00 UTC (lift-off 13:21, docking
16:39), so both modelled legs, all seven burns and the docking lie inside it. Expected values
come from the ephemeris' own time split (reference.sec_of_split), the scenario, and hand
arithmetic, never from the writer's output."""

from __future__ import annotations

import copy
import html
import json
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import reference as ref
from test_units_export import _scenario_text as scenario_text

import sim
from sim.errors import SimError

START, END = "2024-03-21T13:00:00Z", "2024-03-21T17:00:00Z"
KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


def _scenario_text() -> str:
    return scenario_text(("czml",), START, END)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario3")
    (folder / "s.toml").write_text(_scenario_text())
    return sim.run_scenario(sim.load_scenario(folder / "s.toml"))


def _doc(results, **kwargs) -> dict:
    from sim.export.czml import czml_document

    return {p["id"]: p for p in json.loads(czml_document(results, **kwargs).dumps())}


def _span_s(text: str) -> tuple[float, float]:
    a, b = text.split("/")
    return ref.sec_of_iso(a), ref.sec_of_iso(b)


def _legs(results):
    from sim.export.model import modelled_legs, unique_rows

    out = []
    for ml in modelled_legs(results):
        rows = unique_rows(ml.ephemeris)
        out.append((ml, rows[ml.ephemeris.ok[rows]]))
    return out


def _sec_rows(eph, rows) -> np.ndarray:
    return np.array([ref.sec_of_split(eph.times.whole[i], eph.times.fraction[i]) for i in rows])


# --------------------------------------------------------------------------------------------
# CZML: modelled legs


def test_czml_model_sample_times_precision_words_and_burn_moments(results):
    doc = _doc(results)
    legs = _legs(results)
    assert [ml.trajectory.label for ml, _ in legs][0].endswith("ascent (model)")
    for ml, rows in legs:
        eph = ml.ephemeris
        p = doc[f"model-{ml.slug}"]
        samples = np.array(p["position"]["cartesian"]).reshape(-1, 4)
        sec = _sec_rows(eph, rows)
        # seconds from the leg's first instant, to the millisecond
        assert np.abs(samples[:, 0] - (sec - sec[0])).max() < 1e-3
        # positions written to the centimetre: whole centimetres
        cm = samples[:, 1:] * 100.0
        assert np.abs(cm - np.round(cm)).max() < 1e-6
        assert np.abs(samples[:, 1:] - eph.r_itrs_km[rows] * 1000.0).max() <= 0.005 + 1e-9
        # the label is the leg's, and the description says MODEL, the frame and the burns
        assert p["label"]["text"] == ml.trajectory.label
        text = p["description"]
        assert text.startswith(f"<p><b>{html.escape(ml.trajectory.label)}</b>: a MODEL, not a ")
        assert (
            "Earth-fixed (ITRS) positions of the numerical flight model; burns are impulsive "
            "(the interpolation smooths each over a few samples).</p><ul><li>"
        ) in text
        items = re.findall(r"<li>(.*?)</li>", text)
        assert items == [html.escape(a) for a in ml.assumptions]
        assert text.endswith("</li></ul>")
        assert text.count("</li><li>") == len(ml.assumptions) - 1
        hi = sec[-1]
        for k, (_burn, row) in enumerate(ml.burns):
            b = doc[f"burn-{ml.slug}-{k}"]
            t = ref.sec_of_split(eph.times.whole[row], eph.times.fraction[row])
            a, e = _span_s(b["availability"])
            assert abs(a - t) < 2e-3 and abs(e - min(t + 600.0, hi)) < 2e-3
            lon, lat, _alt = b["position"]["cartographicDegrees"]
            # written to 1e-7 deg (1 cm): no eighth decimal
            assert lon == round(lon, 7) and lat == round(lat, 7)
            assert abs(lon - eph.lon_deg[row]) <= 5e-8 + 1e-12
            assert abs(lat - eph.lat_deg[row]) <= 5e-8 + 1e-12
    # DV7 is less than 600 s before docking: its moment ends with the leg
    ml, rows = legs[1]
    assert ml.burns[-1][0].name == "DV7"
    a, e = _span_s(doc[f"burn-{ml.slug}-{len(ml.burns) - 1}"]["availability"])
    assert e - a < 600.0 - 1.0


def test_czml_cut_on_burn_instants_keeps_both_ends(results):
    """A cut from the DV2 instant to the DV3 instant (exact sample times): the leg starts at
    DV2's sample and ends at DV3's, both burns are drawn, DV1 (45 min before) and DV4 (15 min
    after) are not."""
    (_asc, _), (ml, rows) = _legs(results)
    eph = ml.ephemeris
    jd = eph.times.jd
    burns = {b.name: row for b, row in ml.burns}
    doc = _doc(results, start_jd=jd[burns["DV2"]], end_jd=jd[burns["DV3"]])
    p = doc[f"model-{ml.slug}"]
    a, b = _span_s(p["availability"])
    t2, t3 = _sec_rows(eph, [burns["DV2"], burns["DV3"]])
    assert abs(a - t2) < 2e-3 and abs(b - t3) < 2e-3
    inside = rows[(jd[rows] >= jd[burns["DV2"]]) & (jd[rows] <= jd[burns["DV3"]])]
    samples = np.array(p["position"]["cartesian"]).reshape(-1, 4)
    assert samples.shape[0] == inside.size
    names = sorted(q["name"] for key, q in doc.items() if key.startswith("burn-"))
    assert names == ["DV2 (model)", "DV3 (model)"]
    assert not [key for key in doc if key.startswith(f"model-{_asc.slug}")] or (
        _asc.slug == ml.slug
    )


def test_czml_legs_with_two_samples_or_none_in_the_cut(results):
    (asc, asc_rows), (ff, ff_rows) = _legs(results)
    jd_iss = results.ephemeris.times.jd
    # the ascent's first two samples only (lift-off and 10 s later): still drawn
    end = asc.ephemeris.times.jd[asc_rows[1]]
    doc = _doc(results, start_jd=jd_iss[0], end_jd=end)
    samples = np.array(doc[f"model-{asc.slug}"]["position"]["cartesian"]).reshape(-1, 4)
    assert samples.shape[0] == 2
    # a cut after the ascent: the ascent has no sample there, the free flight is drawn
    doc = _doc(results, start_jd=jd_iss[120], end_jd=jd_iss[180])
    keys = [k for k in doc if k.startswith("model-")]
    assert len(keys) == 1
    p = doc[keys[0]]
    assert p["name"] == ff.trajectory.label
    # the clock spans the cut ISS samples (the model's samples lie inside)
    a, b = _span_s(doc["document"]["clock"]["interval"])
    assert abs(a - ref.sec_of_jd(jd_iss[120])) < 2e-3
    assert abs(b - ref.sec_of_jd(jd_iss[180])) < 2e-3
    # whole replay: the ISS runs to 17:00, after docking: the clock ends with the ISS
    a, b = _span_s(_doc(results)["document"]["clock"]["interval"])
    assert abs(b - ref.sec_of_iso(END)) < 2e-3
    assert abs(a - ref.sec_of_iso(START)) < 2e-3


# --------------------------------------------------------------------------------------------
# CZML: the ISS, failed samples and events


def test_czml_iss_two_sample_cut_and_failed_samples_inside_a_cut(results):
    eph = results.ephemeris
    jd = eph.times.jd
    doc = _doc(results, start_jd=jd[100], end_jd=jd[101])
    samples = np.array(doc["iss"]["position"]["cartesian"]).reshape(-1, 4)
    assert samples.shape[0] == 2 and abs(samples[1, 0] - 30.0) < 1e-3
    cm = samples[:, 1:] * 100.0
    assert np.abs(cm - np.round(cm)).max() < 1e-6  # whole centimetres
    # rows 110-112 failed (SGP4 error): a cut across them leaves them out
    broken = copy.copy(results)
    bad = copy.copy(eph)
    bad.error = eph.error.copy()
    bad.error[110:113] = 6
    broken.ephemeris = bad
    doc = _doc(broken, start_jd=jd[100], end_jd=jd[120])
    samples = np.array(doc["iss"]["position"]["cartesian"]).reshape(-1, 4)
    want = np.r_[100:110, 113:121]
    assert samples.shape[0] == want.size
    assert np.abs(samples[:, 0] - (want - 100) * 30.0).max() < 1e-3


def _event(eph, row, name, **more):
    return {
        "name": name,
        "jd": float(eph.times.jd[row]),
        "utc": eph.iso(3)[row],
        "iss_lat_deg": float(eph.lat_deg[row]),
        "iss_lon_deg": float(eph.lon_deg[row]),
        "iss_alt_km": round(float(eph.alt_km[row]), 3),
        **more,
    }


def test_czml_events_at_the_ends_of_a_cut_and_without_a_source(results):
    eph = results.ephemeris
    jd = eph.times.jd
    ours = copy.copy(results)
    ours.events = [
        _event(eph, 10, "before", source="s0"),
        _event(eph, 100, "first", source="s1"),
        _event(eph, 150, "middle"),
        _event(eph, 200, "last", source="s3"),
        _event(eph, 201, "after", source="s4"),
    ]
    doc = _doc(ours, start_jd=jd[100], end_jd=jd[200])
    drawn = {p["name"]: p for k, p in doc.items() if k.startswith("event-")}
    assert sorted(drawn) == ["first", "last", "middle"]
    assert drawn["first"]["description"] == "s1"
    assert drawn["middle"]["description"] == ""  # no source: an empty description
    hi = ref.sec_of_jd(jd[200])
    for name, row in (("first", 100), ("middle", 150), ("last", 200)):
        t = ref.sec_of_jd(jd[row])
        a, b = _span_s(drawn[name]["availability"])
        assert abs(a - t) < 2e-3 and abs(b - min(t + 600.0, hi)) < 2e-3
        lon, lat, alt_m = drawn[name]["position"]["cartographicDegrees"]
        assert (lon, lat) == (eph.lon_deg[row], eph.lat_deg[row])
        assert alt_m == pytest.approx(eph.alt_km[row] * 1000.0, abs=0.6)


def test_czml_refuses_a_cut_with_one_sample(results):
    jd = results.ephemeris.times.jd
    with pytest.raises(SimError):
        _doc(results, start_jd=jd[5], end_jd=jd[5])


# --------------------------------------------------------------------------------------------
# OEM


def _kvn(text):
    from test_units_export import _read_kvn

    return _read_kvn(text)


def _with_errors(results, rows):
    out = copy.copy(results)
    eph = copy.copy(results.ephemeris)
    eph.error = results.ephemeris.error.copy()
    eph.error[rows] = 6
    out.ephemeris = eph
    return out


def test_oem_two_good_samples_and_a_lone_good_sample(results, monkeypatch):
    from sim.export.oem import oem_text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    n = len(results.ephemeris)
    # exactly two good samples: one segment of two states
    keep = np.ones(n, dtype=bool)
    keep[[7, 8]] = False
    _h, segs = _kvn(oem_text(_with_errors(results, keep)))
    assert len(segs) == 1 and segs[0]["states"].shape == (2, 6)
    # a lone good sample between failures is a segment of its own (one state, no interpolation)
    bad = np.zeros(n, dtype=bool)
    bad[[20, 22]] = True
    _h, segs = _kvn(oem_text(_with_errors(results, bad)))
    sizes = [s["states"].shape[0] for s in segs]
    assert sizes[:3] == [20, 1, n - 23] or sizes[1] == 1
    lone = next(s for s in segs if s["states"].shape[0] == 1)
    assert "INTERPOLATION" not in lone["meta"]
    assert abs(lone["sec"][0] - ref.sec_of_jd(results.ephemeris.times.jd[21])) < 2e-3
    assert "new segment after samples where SGP4 failed" in lone["comments"]


def test_oem_writers_default_to_eme2000(results, tmp_path, monkeypatch):
    from sim.export import oem

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    path = oem.write_oem(results, tmp_path / "r.oem")
    _h, segs = _kvn(path.read_text())
    assert {s["meta"]["REF_FRAME"] for s in segs} == {"EME2000"}
    texts = oem.model_oem_texts(results)
    _h, segs = _kvn(texts["soyuz-ms-25"])
    assert {s["meta"]["REF_FRAME"] for s in segs} == {"EME2000"}
    (paths,) = [oem.write_model_oems(results, tmp_path, "ITRF")]
    _h, segs = _kvn(paths[0].read_text())
    assert {s["meta"]["REF_FRAME"] for s in segs} == {"ITRF"}


def test_cospar_designators_of_five_characters():
    from sim.export.oem import _cospar

    assert _cospar("57001") == "1957-001"
    assert _cospar("98067") == "1998-067"
    assert _cospar("24055A") == "2024-055A"
    assert _cospar("  ") == "UNKNOWN"


def test_creation_date_is_utc_in_any_local_zone(monkeypatch):
    import time
    from datetime import UTC, datetime

    from sim.export.oem import creation_date_utc

    monkeypatch.setenv("TZ", "Asia/Kathmandu")  # UTC+05:45
    time.tzset()
    try:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        now = creation_date_utc()
        assert now.utcoffset().total_seconds() == 0.0
        assert abs((now - datetime.now(UTC)).total_seconds()) < 60.0
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
        fixed = creation_date_utc()
        assert fixed.utcoffset().total_seconds() == 0.0
        assert fixed == datetime(1970, 1, 2, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_model_oem_unknown_object_fitted_values_and_a_change_without_burn(results, monkeypatch):
    """Synthetic legs: the ascent without its flight-model leg, the free flight with a fitted
    value, DV3 not listed as a burn (its repeated instant is then a change of force model) and
    a burn listed 1 s after the leg's first sample (not the start of a segment)."""
    import dataclasses

    from sim.export import model, oem

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    (asc, _), (ff, _) = _legs(results)
    burns = [(b, row) for b, row in ff.burns if b.name != "DV3"]
    early = dataclasses.replace(ff.burns[0][0], name="DV0")
    jd = ff.ephemeris.times.jd
    assert 0.5 < (jd[1] - jd[0]) * 86400.0 < 1.5
    facts = {**ff.leg.facts, "fit": {"parameters": {"drag_scale": 1.23456789}}}
    legs = [
        model.ModelledLeg(asc.trajectory, None, []),
        model.ModelledLeg(
            ff.trajectory,
            dataclasses.replace(ff.leg, facts=facts),
            [
                (early, 1),
                *burns,
            ],
        ),
    ]
    monkeypatch.setattr(model, "modelled_legs", lambda _results: legs)
    monkeypatch.setattr(oem, "MODEL_OBJECT_IDS", {})
    _h, segs = _kvn(oem.model_oem_texts(results, "ITRF")["soyuz-ms-25"])
    assert {s["meta"]["OBJECT_ID"] for s in segs} == {"UNKNOWN"}
    fitted = [c for s in segs for c in s["comments"] if c.startswith("fitted")]
    assert fitted == ["fitted to the published landing: drag_scale = 1.23457"]
    assert not [c for c in segs[0]["comments"] if c.startswith("fitted")]
    # segments of the free flight: the first lists the assumptions, none starts after DV0
    ff_segs = [s for s in segs if ff.trajectory.label in s["comments"][0]]
    assert ff_segs[0]["comments"][1].startswith("assumption: ")
    assert "fitted to the published landing: drag_scale = 1.23457" in ff_segs[0]["comments"]
    starts = [[c for c in s["comments"] if c.startswith("starts just after")] for s in ff_segs]
    assert starts[0] == []
    names = [re.match(r"starts just after burn (DV\d)", c[0]).group(1) for c in starts[1:] if c]
    assert names == ["DV1", "DV2", "DV4", "DV5", "DV6", "DV7"]
    no_burn = [
        k
        for k, s in enumerate(ff_segs)
        if "new segment where the force model changes (no burn)" in s["comments"]
    ]
    t3 = next(ref.sec_of_iso(b.utc) for b, _r in ff.burns if b.name == "DV3")
    assert len(no_burn) == 1 and abs(ff_segs[no_burn[0]]["sec"][0] - t3) < 2e-3
    # later segments of a leg do not repeat its assumptions
    assert all(not c.startswith("assumption") for s in ff_segs[1:] for c in s["comments"])


# --------------------------------------------------------------------------------------------
# A grid with fractional seconds across a change of whole Julian day (12:00 UTC) between the
# first two samples


def _decimals(x: float) -> int:
    text = repr(float(x))
    return 0 if "e" in text or "." not in text else len(text.split(".")[1].rstrip("0"))


@pytest.fixture(scope="module")
def frac_eph(results):
    from sim.ephemeris import propagate

    sec = ref.sec_of_iso("2024-03-22T11:59:59.6Z") + np.arange(40) * 0.9123457
    eph = propagate(results.catalogue, ref.utc(sec), sunlight=False)
    assert eph.times.whole[0] != eph.times.whole[1]  # the day changes between them
    return eph, sec


def test_czml_times_across_a_julian_day_on_a_fractional_grid(results, frac_eph, monkeypatch):
    from sim.export import czml, model

    eph, sec = frac_eph
    (asc, _), _ff = _legs(results)
    tr = copy.copy(asc.trajectory)
    tr.ephemeris = eph
    monkeypatch.setattr(czml, "modelled_legs", lambda _r: [model.ModelledLeg(tr, None, [])])
    ours = copy.copy(results)
    ours.ephemeris = eph
    ours.events = []
    doc = _doc(ours)
    for key in ("iss", f"model-{model.leg_slug(tr)}"):
        samples = np.array(doc[key]["position"]["cartesian"]).reshape(-1, 4)
        assert samples.shape[0] == sec.size
        assert np.abs(samples[:, 0] - (sec - sec[0])).max() < 0.6e-3  # to the millisecond
        assert max(_decimals(t) for t in samples[:, 0]) <= 3


# --------------------------------------------------------------------------------------------
# track CSV / JSON / GeoJSON: written precision, modelled failed rows, legs with few samples


def test_track_json_and_geojson_precision(results, frac_eph, tmp_path):
    from sim.export import track

    eph, _sec = frac_eph
    path = track.write_track(eph, tmp_path / "t.json")
    data = json.loads(path.read_text())
    most = {"lat_deg": 7, "lon_deg": 7, "alt_km": 4, "x_km": 4, "y_km": 4, "z_km": 4}
    most["element_set_age_h"] = 4
    for name, digits in most.items():
        assert max(_decimals(v) for v in data[name]) == digits, name
    assert np.abs(np.array(data["lat_deg"]) - eph.lat_deg).max() <= 5e-8 + 1e-12
    from sim.export.formats import export

    (out,) = export(results, "json", tmp_path / "e.json")
    e = json.loads(out.read_text())
    for name, digits in (("lat_deg", 7), ("lon_deg", 7), ("alt_km", 4)):
        values = [v for v in _find_lists(e, name)]
        assert values and max(_decimals(v) for v in values if v is not None) == digits, name


def _find_lists(obj, key):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key and isinstance(v, list):
                yield from v
            else:
                yield from _find_lists(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _find_lists(v, key)


def test_geojson_model_features_precision_and_legs_with_few_samples(results, monkeypatch):
    from sim.export import model, track

    feats = track.geojson_model_features(results)
    legs = [f for f in feats if f["properties"]["kind"] == "modelled leg"]
    burns = [f for f in feats if f["properties"]["kind"] == "burn"]
    assert len(legs) == 2 and len(burns) == 7
    coords = [c for f in legs for line in f["geometry"]["coordinates"] for c in line]
    coords += [f["geometry"]["coordinates"] for f in burns]
    for axis, digits in ((0, 7), (1, 7), (2, 1)):
        assert max(_decimals(c[axis]) for c in coords) == digits
    # a leg with one good sample is left out; the next leg is still written; two samples do
    (asc, asc_rows), (ff, _rows) = _legs(results)
    one = copy.copy(asc.trajectory)
    one.ephemeris = copy.copy(asc.ephemeris)
    one.ephemeris.error = asc.ephemeris.error.copy()
    one.ephemeris.error[asc_rows[1:]] = 6
    two = copy.copy(asc.trajectory)
    two.ephemeris = copy.copy(asc.ephemeris)
    two.ephemeris.error = asc.ephemeris.error.copy()
    two.ephemeris.error[asc_rows[2:]] = 6
    fake = [model.ModelledLeg(one, None, []), model.ModelledLeg(two, None, []), ff]
    monkeypatch.setattr(model, "modelled_legs", lambda _r: fake)
    feats = track.geojson_model_features(results)
    legs = [f for f in feats if f["properties"]["kind"] == "modelled leg"]
    assert [sum(len(x) for x in f["geometry"]["coordinates"]) for f in legs][0] == 2
    assert len(legs) == 2 and legs[1]["properties"]["leg"] == ff.trajectory.name


def test_groundtrack_has_the_replay_and_the_legs(results, tmp_path):
    from sim.export import track

    path = track.write_groundtrack(results, tmp_path / "g.geojson")
    feats = json.loads(path.read_text())["features"]
    kinds = [f["properties"].get("kind", "track") for f in feats]
    assert kinds.count("track") >= 1 and "norad_id" in feats[0]["properties"]
    assert kinds.count("modelled leg") == 2 and kinds.count("burn") == 7


def test_track_csv_of_a_modelled_leg_with_a_failed_sample(results, tmp_path):
    from sim.export import track

    (asc, _rows), _ff = _legs(results)
    eph = copy.copy(asc.ephemeris)
    eph.error = asc.ephemeris.error.copy()
    eph.error[5] = 6
    launch = ref.sec_of_split(eph.times.whole[0], eph.times.fraction[0])
    path = track.write_track(eph, tmp_path / "m.csv", launch_jd=float(eph.times.jd[0]))
    lines = path.read_text().split("\n")
    header = lines[0].split(",")
    assert header[-1] == "met_s" and len(header) == 11
    failed = lines[1 + 5].split(",")
    assert len(failed) == 11
    assert failed[1:8] == [""] * 7 and failed[9] == ""
    t5 = ref.sec_of_split(eph.times.whole[5], eph.times.fraction[5])
    assert abs(float(failed[10]) - (t5 - launch)) < 1e-3
    good = lines[1 + 4].split(",")
    assert len(good) == 11 and good[9] == ""


# --------------------------------------------------------------------------------------------
# KML, the model passes CSV, output paths


def test_kml_events_without_a_position_and_legs_with_few_samples(results, monkeypatch):
    from sim.export import kml, model

    eph = results.ephemeris
    ours = copy.copy(results)
    nan_event = {**_event(eph, 10, "no-position-here"), "iss_lat_deg": float("nan")}
    ours.events = [nan_event, _event(eph, 40, "placed-after-a-gap", source="s")]
    (asc, asc_rows), (ff, _rows) = _legs(results)

    def leg(name, good):
        tr = copy.copy(asc.trajectory)
        tr.name = name
        tr.ephemeris = copy.copy(asc.ephemeris)
        tr.ephemeris.error = asc.ephemeris.error.copy()
        tr.ephemeris.error[asc_rows[good:]] = 6
        return model.ModelledLeg(tr, None, [])

    fake = [leg("One-sample leg", 1), leg("Two-sample leg", 2), ff]
    monkeypatch.setattr(kml, "modelled_legs", lambda _r: fake)
    text = kml.kml_bytes(ours).decode("utf-8")
    assert "no-position-here" not in text and "placed-after-a-gap" in text
    assert "One-sample leg" not in text
    assert "Two-sample leg (model)" in text and ff.trajectory.label in text
    root = ET.fromstring(text)
    folders = [f for f in root.iter(f"{KML}Folder")]
    two = next(
        p
        for f in folders
        for p in f.iter(f"{KML}Placemark")
        if (p.findtext(f"{KML}name") or "").startswith("Two-sample leg")
    )
    assert len(list(two.iter(f"{GX}coord"))) == 2 and len(list(two.iter(f"{KML}when"))) == 2


def test_model_passes_csv_lines_end_in_lf(results, tmp_path):
    from sim.export.results import write_model_passes

    path = tmp_path / "mp.csv"
    write_model_passes(results.model_passes, path)
    data = path.read_bytes()
    assert b"\r" not in data and data.startswith(b"object,")
    assert data.count(b"\n") == len(results.model_passes) + 1


def test_output_paths_under_a_regular_file_say_why(tmp_path):
    from sim.errors import OutputError
    from sim.export.atomic import output_file, output_folder

    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError) as err:
        output_file(tmp_path / "f" / "child.csv")
    assert str(err.value) == f"{tmp_path / 'f' / 'child.csv'}: cannot be written (Not a directory)"
    with pytest.raises(OutputError) as err:
        output_folder(tmp_path / "f" / "sub")
    assert (
        str(err.value) == f"{tmp_path / 'f' / 'sub'}: cannot be used as a folder (Not a directory)"
    )


def test_oem_eme2000_over_two_weeks_against_skyfield(results, monkeypatch):
    """The TEME to EME2000 rotation is interpolated between knots every 10 min; over two weeks
    the short nutation terms would move positions by metres with too few knots."""
    from skyfield.framelib import ICRS_to_J2000
    from skyfield.sgp4lib import TEME

    from sim.ephemeris import propagate
    from sim.export.oem import oem_text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    sec = ref.sec_of_iso("2024-03-27T00:00:00Z") + np.arange(57) * 6 * 3600.0
    eph = propagate(results.catalogue, ref.utc(sec), sunlight=False)
    ours = copy.copy(results)
    ours.ephemeris = eph
    _h, segs = _kvn(oem_text(ours))
    got = np.concatenate([s["states"][:, :3] for s in segs])
    t = ref.utc(sec)
    m = np.einsum("ij,jkn->nik", ICRS_to_J2000, np.transpose(TEME.rotation_at(t), (1, 0, 2)))
    want = np.einsum("nij,nj->ni", m, eph.r_teme_km)
    assert np.abs(got - want).max() < 1e-5  # 1 cm; measured agreement well below a millimetre


# --------------------------------------------------------------------------------------------
# iCalendar: times on a Julian day with an odd integer part, rounding, defaults


def _ics_pass(results, start_iso: str, culm_offset_s: float):
    import dataclasses

    def jd(sec):
        w, f = ref.split_jd(np.array([sec]))
        return float(w[0] + f[0])

    t0 = ref.sec_of_iso(start_iso)
    return dataclasses.replace(
        results.passes[0],
        station="Here",
        timezone="UTC",
        visible=True,
        visible_start_jd=jd(t0),
        culmination_jd=jd(t0 + culm_offset_s),
        visible_end_jd=jd(t0 + 600.0),
        peak_magnitude=-2.0,
        visible_start_elevation_deg=20.0,
        visible_start_azimuth_deg=300.0,
        visible_end_elevation_deg=15.0,
        visible_end_azimuth_deg=100.0,
        max_elevation_deg=60.0,
        culmination_azimuth_deg=200.0,
    )


def _unfold(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


def test_ics_times_on_an_odd_julian_day_rounded_to_the_second(results, tmp_path, monkeypatch):
    import time

    from sim.export.ics import pass_event, write_ics
    from sim.export.results import write_passes

    # JD 2460391 (odd) runs from 2024-03-21 12:00 UTC; 19:12:41.7 rounds to 19:12:42
    p = _ics_pass(results, "2024-03-21T19:12:41.7Z", 300.0)
    assert math.floor(p.visible_start_jd) % 2 == 1
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    time.tzset()
    try:
        text = _unfold(pass_event(p).to_ical())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "DTSTART:20240321T191242Z" in text and "DTEND:20240321T192242Z" in text
    assert "SUMMARY:ISS visible from Here: max 60°\\, mag -2.0" in text  # RFC 5545 escapes ","
    assert "UID:iss-here-20240321T191242Z@sim-orbital-replay" in text
    desc = text.split("DESCRIPTION:")[1].split("\r\n")[0].replace("\\,", ",")
    assert desc.startswith("Appears 2024-03-21 19:12:42 UTC, 20° above ")
    assert "Highest 2024-03-21 19:17:42 UTC, 60° above " in desc
    assert "Disappears 2024-03-21 19:22:42 UTC, 15° above " in desc
    # a culmination exactly at the visible start or end is inside the visible part
    for offset in (0.0, 600.0):
        q = _ics_pass(results, "2024-03-21T19:12:41.7Z", offset)
        assert "outside the visible part" not in _unfold(pass_event(q).to_ical())
    q = _ics_pass(results, "2024-03-21T19:12:41.7Z", 601.0)
    assert "Highest (outside the visible part)" in _unfold(pass_event(q).to_ical())
    # the default object name is the ISS, in every writer
    write_ics([p], tmp_path / "p.ics")
    assert "X-WR-CALNAME:ISS visible passes" in _unfold((tmp_path / "p.ics").read_bytes())
    write_passes([p], tmp_path)
    assert "X-WR-CALNAME:ISS visible passes" in _unfold((tmp_path / "passes.ics").read_bytes())


# --------------------------------------------------------------------------------------------
# sim.export.model: burns located in the samples, pieces by hand, a replay without its flight


def test_modelled_legs_place_burns_at_their_instants_and_name_a_bad_time(results):
    import dataclasses

    from sim.export import model

    for ml, _rows in _legs(results):
        eph = ml.ephemeris
        for burn, row in ml.burns:
            t = ref.sec_of_split(eph.times.whole[row], eph.times.fraction[row])
            assert abs(t - ref.sec_of_iso(burn.utc)) < 1e-3
            # the first of the instant's samples: the one before has the same time
            assert abs(eph.times.jd[row + 1] - eph.times.jd[row]) * 86400.0 < 1e-3
    # without the flight (a replay read back without it) the legs carry no burns
    ours = copy.copy(results)
    ours.flight = None
    legs = model.modelled_legs(ours)
    assert len(legs) == 2 and all(ml.leg is None and ml.burns == [] for ml in legs)
    # a burn time that does not parse is named in the error
    ff = results.flight.legs[-1]
    bad = dataclasses.replace(ff.burns[0], utc="not a time")
    flight = copy.copy(results.flight)
    flight.legs = [*results.flight.legs[:-1], dataclasses.replace(ff, burns=[bad])]
    ours.flight = flight
    with pytest.raises(SimError) as err:
        model.modelled_legs(ours)
    assert f"{ff.name} burn {bad.name}" in str(err.value)


class _Grid:
    """The least of an ephemeris that pieces() reads: times and a length."""

    def __init__(self, sec):
        sec = np.asarray(sec, dtype=float)
        self.times = type("T", (), {})()
        self.times.whole = np.full(sec.size, 2460390.5)
        self.times.fraction = sec / 86400.0
        self._n = sec.size

    def __len__(self):
        return self._n


def test_pieces_split_at_repeated_instants_by_hand():
    from sim.export.model import pieces

    got = [r.tolist() for r in pieces(_Grid([0.0, 0.0, 10.0, 20.0, 20.0]))]
    assert got == [[0], [1, 2, 3], [4]]
    got = [r.tolist() for r in pieces(_Grid([0.0, 10.0, 20.0, 20.0, 30.0]))]
    assert got == [[0, 1, 2], [3, 4]]


# --------------------------------------------------------------------------------------------
# track: MET of a lift-off between samples, an unknown suffix, output_file of a plain path


def test_track_met_between_samples_and_an_unknown_suffix(results, tmp_path):
    from sim.errors import OutputError
    from sim.export import track

    (asc, _rows), _ff = _legs(results)
    eph = asc.ephemeris
    launch_jd = float(eph.times.jd[0]) - 0.4567 / 86400.0
    path = track.write_track(eph, tmp_path / "m.csv", launch_jd=launch_jd)
    rows = path.read_text().split("\n")[1:-1]
    met = np.array([float(r.split(",")[-1]) for r in rows])
    sec = _sec_rows(eph, range(len(eph)))
    assert np.abs(met - (sec - sec[0] + 0.4567)).max() < 1.5e-3
    with pytest.raises(OutputError) as err:
        track.write_track(eph, tmp_path / "t.Xyz")
    assert "unknown track format 'xyz'" in str(err.value)


def test_output_file_of_a_path_through_a_linked_folder_is_the_path(tmp_path):
    from sim.export.atomic import output_file

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    target, status = output_file(tmp_path / "link" / "f.csv")
    assert target == tmp_path / "link" / "f.csv" and status is None


def test_oem_set_change_hidden_by_failed_samples(results, monkeypatch):
    """Failed samples, then a different element set that is not a recorded switch from the
    last one: the new segment names its set and does not claim SGP4 failed under the same set."""
    from sim.export.oem import oem_text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    cat = results.catalogue
    eph = results.ephemeris
    k = int(eph.set_index[0])
    jumps = {(sw.from_index, sw.to_index) for sw in cat.switches()}
    k2 = next(j for j in range(len(cat.sets)) if j != k and (k, j) not in jumps)
    ours = _with_errors(results, [100])
    ours.ephemeris.set_index = eph.set_index.copy()
    ours.ephemeris.set_index[101:] = k2
    _h, segs = _kvn(oem_text(ours))
    assert len(segs) == 2
    assert segs[1]["comments"][0].startswith(f"element set epoch {cat.sets[k2].epoch_iso[:-1]} ")
    assert not [c for c in segs[1]["comments"] if "SGP4 failed" in c or "switched" in c]
