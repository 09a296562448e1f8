"""The modelled Soyuz legs in every output, read back by independent readers.

CZML through czml3's models, KML through an XML parser, OEM through a KVN reader written here
(EME2000 states checked against skyfield's TEME -> GCRS rotation and the IAU frame bias, per
instant), GeoJSON through json, the timeline through its artists, the README's tables against a
fresh run. One replay of the default scenario (which flies the model) for the whole module.

Run ``python tests/test_soyuz_outputs.py`` to print the README's tables from a fresh run.
"""

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import numpy as np
import pytest
from conftest import ROOT

import sim

ONE_METRE_KM = 1e-3
ONE_CM_S_KM_S = 1e-5
ONE_MS_DAYS = 1e-3 / 86400
KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


@pytest.fixture(scope="module")
def results(replay):
    """The session's default replay (conftest ``replay``: computed once per worker), read only."""
    return replay


@pytest.fixture(scope="module")
def written(results, tmp_path_factory):
    """The data files ``sim run`` writes (no pictures)."""
    from sim.export.results import write_data_files

    folder = tmp_path_factory.mktemp("run")
    write_data_files(results, folder)
    return folder


def _jd(text: str) -> float:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400 + 2440587.5


def _modelled(results):
    return [tr for tr in results.trajectories.values() if tr.modelled]


def _burns(results):
    """(leg name, burn) of every modelled burn."""
    return [(leg.name, b) for leg in results.flight.legs for b in leg.burns]


def _last_row_per_instant(eph):
    """Index of the last sample at each distinct instant (a burn instant appears 2-3 times)."""
    iso = eph.iso(3)
    last = {t: i for i, t in enumerate(iso)}
    return np.array(sorted(last.values()))


def test_the_default_replay_flies_the_model(results):
    """The premise of the module: three modelled legs, nine burns, passes flagged model."""
    assert [tr.name for tr in _modelled(results)] == [
        "Soyuz MS-25 ascent",
        "Soyuz MS-25 free flight",
        "Soyuz MS-24 return",
    ]
    assert len(_burns(results)) == 9
    assert results.model_passes and all(
        p.element_set_epoch_utc == "model" for p in results.model_passes
    )


def test_czml_one_entity_per_leg_with_increasing_times_and_itrs_positions(results, tmp_path):
    from czml3 import Document

    from sim.export.formats import export

    export(results, "czml", tmp_path / "r.czml")
    doc = Document.model_validate(json.loads((tmp_path / "r.czml").read_text()))
    packets = {p.id: p for p in doc.packets}
    model_packets = [p for p in doc.packets if p.id.startswith("model-")]
    assert len(model_packets) == len(_modelled(results)) == 3
    ids = set()
    for tr in _modelled(results):
        (pk,) = [p for p in model_packets if p.name == f"{tr.name} (model)"]
        ids.add(pk.id)
        assert "model" in pk.name.lower() and "MODEL" in pk.description
        text = html.unescape(pk.description)
        assert all(a in text for a in tr.assumptions)  # the description lists every assumption
        samples = np.array(pk.position.cartesian.values).reshape(-1, 4)
        assert np.all(np.diff(samples[:, 0]) > 0), f"{tr.name}: sample times not increasing"
        eph = tr.ephemeris
        rows = _last_row_per_instant(eph)
        assert len(samples) == len(rows)
        epoch = _jd(str(pk.position.epoch))
        assert np.abs(epoch + samples[:, 0] / 86400 - eph.times.jd[rows]).max() < ONE_MS_DAYS
        diff_km = np.linalg.norm(samples[:, 1:] / 1000 - eph.r_itrs_km[rows], axis=1)
        assert diff_km.max() < ONE_METRE_KM
        span = pk.availability
        assert abs(_jd(str(span.start)) - eph.times.jd[0]) < ONE_MS_DAYS
        assert abs(_jd(str(span.end)) - eph.times.jd[-1]) < ONE_MS_DAYS
    assert len(ids) == 3  # each its own id
    # colours: each leg its own path colour, none the ISS's
    colours = {tuple(p.path.material.solidColor.color.rgba.values) for p in model_packets}
    assert len(colours) == 3 and tuple(packets["iss"].path.material.solidColor.color.rgba.values)
    # the clock spans launch to landing; the ISS keeps its own window
    clock = packets["document"].clock.interval
    assert abs(_jd(str(clock.start)) - _jd("2024-03-23T12:36:10.573Z")) < ONE_MS_DAYS
    assert abs(_jd(str(clock.end)) - _jd("2024-04-06T07:17:00Z")) < ONE_MS_DAYS
    assert str(packets["iss"].availability.start).startswith("2024-03-25T15:02:51")
    # every burn is a labelled moment that says model
    burn_packets = [p for p in doc.packets if p.id.startswith("burn-")]
    assert len(burn_packets) == len(_burns(results))
    for _leg, b in _burns(results):
        (pk,) = [p for p in burn_packets if p.name == f"{b.name} (model)"]
        assert abs(_jd(str(pk.availability.start)) - _jd(b.utc)) < ONE_MS_DAYS
        assert "model" in pk.label.text and f"{b.dv_m_s:.1f} m/s" in pk.label.text


def test_kml_one_folder_per_leg_named_model(results, tmp_path):
    from sim.export.formats import export

    export(results, "kml", tmp_path / "r.kml")
    root = ET.parse(tmp_path / "r.kml").getroot()
    folders = [f for f in root.iter(f"{KML}Folder") if "(model)" in f.find(f"{KML}name").text]
    assert [f.find(f"{KML}name").text for f in folders] == [
        f"{tr.name} (model)" for tr in _modelled(results)
    ]
    styles = set()
    for folder, tr in zip(folders, _modelled(results), strict=True):
        description = folder.find(f"{KML}description").text
        assert "MODEL" in description
        assert all(a in description for a in tr.assumptions)
        track_mark = folder.find(f"{KML}Placemark")
        styles.add(track_mark.find(f"{KML}styleUrl").text)
        whens, coords = [], []
        for track in track_mark.iter(f"{GX}Track"):
            c = np.array([list(map(float, e.text.split())) for e in track.findall(f"{GX}coord")])
            if len(c) > 1:
                assert np.all(np.abs(np.diff(c[:, 0])) < 180)  # split at the antimeridian
            whens += [_jd(e.text) for e in track.findall(f"{KML}when")]
            coords += c.tolist()
        eph = tr.ephemeris
        rows = _last_row_per_instant(eph)
        coords = np.array(coords)
        assert np.all(np.diff(whens) > 0) and len(whens) == len(rows)
        assert np.abs(np.array(whens) - eph.times.jd[rows]).max() < ONE_MS_DAYS
        assert np.abs(coords[:, 0] - eph.lon_deg[rows]).max() < 1e-6
        assert np.abs(coords[:, 1] - eph.lat_deg[rows]).max() < 1e-6
        assert np.abs(coords[:, 2] / 1000 - eph.alt_km[rows]).max() < ONE_METRE_KM
        burns = [b for leg, b in _burns(results) if leg == tr.name]
        marks = [m.find(f"{KML}name").text for m in folder.findall(f"{KML}Placemark")[1:]]
        assert marks == [f"{b.name} {b.dv_m_s:.1f} m/s (model)" for b in burns]
    assert len(styles) == 3 and "#track" not in styles  # a style of its own per leg


def _read_oem_segments(text):
    """A KVN reader written from CCSDS 502.0-B-2: header, and per segment its META keys,
    COMMENT lines and rows (epoch string, six numbers)."""
    header, segments, comments = {}, [], []
    section = header
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("COMMENT"):
            (segments[-1]["comments"] if segments else comments).append(line[7:].strip())
            continue
        if line == "META_START":
            segments.append({"meta": {}, "comments": [], "rows": []})
            section = segments[-1]["meta"]
            continue
        if line == "META_STOP":
            section = None
            continue
        if section is not None and "=" in line:
            key, value = (x.strip() for x in line.split("=", 1))
            section[key] = value
            continue
        fields = line.split()
        segments[-1]["rows"].append((fields[0], [float(x) for x in fields[1:]]))
    return header, comments, segments


def _teme_to_eme2000(times_iso, r_teme, v_teme):
    """Per instant, with skyfield: TEME -> GCRS (transpose of skyfield's GCRS -> TEME), then
    the IAU 2000 frame bias to J2000."""
    from skyfield.framelib import ICRS_to_J2000
    from skyfield.sgp4lib import TEME

    from sim.times import TimeGrid

    t = TimeGrid.from_datetimes(times_iso).to_skyfield()
    m = TEME.rotation_at(t)  # (3, 3, n): GCRS -> TEME
    r = np.einsum("ij,kjn,nk->ni", ICRS_to_J2000, m, r_teme)
    v = np.einsum("ij,kjn,nk->ni", ICRS_to_J2000, m, v_teme)
    return r, v


@pytest.mark.parametrize("slug", ["soyuz-ms-25", "soyuz-ms-24"])
def test_oem_per_object_segments_at_every_burn(results, written, slug):
    text = (written / f"replay-{slug}.oem").read_text()
    header, comments, segments = _read_oem_segments(text)
    assert header["CCSDS_OEM_VERS"] == "2.0"
    assert any("MODEL" in c for c in comments) and any("no element set" in c for c in comments)
    assert any("J2" in c and "drag" in c for c in comments)  # the forces
    legs = [leg for leg in results.flight.legs if leg.slug == slug]
    burns = [b for leg in legs for b in leg.burns]
    starts = [s["meta"]["START_TIME"] for s in segments]
    stops = [s["meta"]["STOP_TIME"] for s in segments]
    for seg in segments:
        assert seg["meta"]["REF_FRAME"] == "EME2000" and "(model)" in seg["meta"]["OBJECT_NAME"]
        times = [_jd(t + "Z") for t, _ in seg["rows"]]
        assert np.all(np.diff(times) > 0)
        assert seg["rows"][0][0] == seg["meta"]["START_TIME"]
        assert seg["rows"][-1][0] == seg["meta"]["STOP_TIME"]
        assert any("MODEL" in c for c in seg["comments"])
    for b in burns:
        t = b.utc[:-1]
        assert t in starts, f"no segment starts at burn {b.name}"
        first_of_leg = any(leg.times.iso()[0][:-1] == t for leg in legs)
        assert first_of_leg or t in stops, f"no segment ends at burn {b.name}"
        inside = [s for s in segments if s["meta"]["START_TIME"] < t < s["meta"]["STOP_TIME"]]
        assert not inside, f"a segment runs across burn {b.name}"
    # one segment per leg at least, and a boundary at every burn inside a leg
    assert len(segments) >= len(legs) + sum(
        b.utc != leg.times.iso()[0] for leg in legs for b in leg.burns
    )
    # states within 1 m (1 cm/s) of the leg's own TEME states, rotated independently
    rows = [(t, v) for s in segments for t, v in s["rows"]]
    state = np.array([v for _, v in rows])
    ref_r, ref_v = [], []
    for leg in legs:
        iso = [t[:-1] for t in leg.times.iso()]
        index = {}
        for i, t in enumerate(iso):
            index.setdefault(t, []).append(i)
        for seg in segments:
            for k, (t, _v) in enumerate(seg["rows"]):
                if t not in index or not (iso[0] <= t <= iso[-1]):
                    continue
                if seg["meta"]["START_TIME"] < iso[0] or seg["meta"]["STOP_TIME"] > iso[-1]:
                    continue
                # at a burn instant: the first sample ends a segment, the last starts one
                i = index[t][0] if (k == len(seg["rows"]) - 1 and k) else index[t][-1]
                ref_r.append(leg.r_teme_km[i])
                ref_v.append(leg.v_teme_km_s[i])
    assert len(ref_r) == len(rows)
    times = [t + "Z" for t, _ in rows]
    r, v = _teme_to_eme2000(times, np.array(ref_r), np.array(ref_v))
    assert np.linalg.norm(state[:, :3] - r, axis=1).max() < ONE_METRE_KM
    assert np.linalg.norm(state[:, 3:] - v, axis=1).max() < ONE_CM_S_KM_S
    # across each boundary at a burn the velocity jumps by the burn's size
    for b in burns:
        t = b.utc[:-1]
        if t not in stops:
            continue
        before = segments[stops.index(t)]["rows"][-1][1]
        after = segments[starts.index(t)]["rows"][0][1]
        jump_m_s = np.linalg.norm(np.subtract(after[3:], before[3:])) * 1e3
        assert jump_m_s == pytest.approx(b.dv_m_s, abs=0.01)


def test_geojson_modelled_features_say_model(results, written, tmp_path):
    from sim.export.formats import export

    export(results, "geojson", tmp_path / "e.geojson")
    for doc in (
        json.loads((written / "groundtrack.geojson").read_text()),
        json.loads((tmp_path / "e.geojson").read_text()),
    ):
        legs = [f for f in doc["features"] if f["properties"].get("kind") == "modelled leg"]
        assert [f["properties"]["leg"] for f in legs] == [tr.name for tr in _modelled(results)]
        for f, tr in zip(legs, _modelled(results), strict=True):
            assert f["properties"]["source"] == "model"
            assert f["properties"]["assumptions"] == tr.assumptions
            eph = tr.ephemeris
            rows = _last_row_per_instant(eph)
            coords = np.array([c for line in f["geometry"]["coordinates"] for c in line])
            assert len(coords) == len(rows)
            assert np.abs(coords[:, 0] - eph.lon_deg[rows]).max() < 1e-6
            assert np.abs(coords[:, 1] - eph.lat_deg[rows]).max() < 1e-6
        burns = [f for f in doc["features"] if f["properties"].get("kind") == "burn"]
        assert len(burns) == len(_burns(results))
        assert all(f["properties"]["source"] == "model" for f in burns)
        # the ISS pieces keep their properties, and nothing else says model
        iss = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
        assert iss and all(
            set(f["properties"]) == {"start_utc", "end_utc", "times_utc", "norad_id"} for f in iss
        )


def test_timeline_shows_every_burn_and_spans_launch_to_landing(results):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from test_pictures import _assert_readable

    from sim.plots.render import draw
    from sim.plots.style import MARKERS

    fig = draw(results, "timeline", {})
    try:
        ax = fig.axes[0]
        marker = MARKERS["burn"]["marker"]
        drawn = [line for line in ax.lines if line.get_marker() == marker]
        assert len(drawn) == 1
        x = np.sort(np.asarray(drawn[0].get_xdata(), dtype=float))
        expected = np.sort(
            [
                mdates.date2num(datetime.fromisoformat(b.utc.replace("Z", "+00:00")))
                for _leg, b in _burns(results)
            ]
        )
        assert len(x) == len(expected) == 9
        assert np.abs(x - expected).max() < 1.0 / 86400  # every burn, to the second
        lo, hi = ax.get_xlim()
        for name in ("launch", "docking", "undocking-ms24", "landing"):
            (ev,) = [e for e in results.events if e["name"] == name]
            when = mdates.date2num(datetime.fromisoformat(ev["utc"].replace("Z", "+00:00")))
            assert lo < when < hi, f"{name} outside the frame"
        # the events and burn groups are labelled; model things say so in the legend
        texts = [t.get_text() for t in ax.texts]
        assert {"launch", "docking", "undocking-ms24", "landing"} <= set(texts)
        assert any(t.startswith("DV4") for t in texts) and any("de-orbit" in t for t in texts)
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "Soyuz pass visible to the eye (model)" in labels
        assert sum("(model" in label for label in labels) >= 5
        # the modelled passes are drawn: Minsk's visible ones at their culminations
        visible = [
            p.culmination_jd for p in results.model_passes if p.station == "Minsk" and p.visible
        ]
        (thick,) = [
            c for c in ax.collections if c.get_label() == "Soyuz pass visible to the eye (model)"
        ]
        xs = sorted(seg[0][0] for seg in thick.get_segments())
        assert len(xs) >= len(visible) > 0
        _assert_readable(fig)
    finally:
        plt.close(fig)


def test_run_summary_states_the_model_and_the_minsk_evening(results, capsys):
    from sim.cli import _print_flight

    _print_flight(results, results.summary())
    out = capsys.readouterr().out
    assert "a MODEL" in out
    total = sum(b.dv_m_s for _leg, b in _burns(results) if b.name.startswith("DV"))
    assert f"total Δv {total:.1f} m/s" in out
    minsk = next(line for line in out.splitlines() if line.strip().startswith("Minsk"))
    # the evening of 24 March in Minsk (UTC+3): the visible modelled passes, from the data
    evening = [
        p
        for p in results.model_passes
        if p.station == "Minsk" and p.visible and p.to_dict()["rise_utc"].startswith("2024-03-24")
    ]
    assert evening
    for p in evening:
        local = _minsk_time(p.to_dict()["visible_start_utc"])
        assert f"{local:%H:%M} +03 ({p.max_elevation_deg:.0f}°)" in minsk


def _rounded(iso_utc: str, offset_h: int = 0, step_s: int = 1) -> datetime:
    """A UTC time plus ``offset_h`` hours, rounded to the nearest ``step_s`` seconds."""
    t = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).timestamp()
    return datetime.fromtimestamp(round(t / step_s) * step_s + offset_h * 3600, UTC)


def _minsk_time(iso_utc: str, step_s: int = 1) -> datetime:
    """Wall-clock time in Minsk (UTC+3 all year), to the nearest ``step_s`` seconds."""
    return _rounded(iso_utc, 3, step_s)


# --- the README section "The Soyuz itself (a model)" -------------------------------------


def _met(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def readme_tables(results) -> tuple[str, str]:
    """The burn table and the table of the Soyuz passes Minsk could see, as in the README."""
    burns = [
        "| burn | UTC | MET (h:mm:ss) | orbit | Δv (m/s) | orbit after (km) |",
        "|---|---|---|---|---|---|",
    ]
    for leg in results.flight.legs:
        for b in leg.burns:
            when = f"{_rounded(b.utc):%Y-%m-%d %H:%M:%S}"
            burns.append(
                f"| {b.name} ({leg.object_name}) | {when} | {_met(b.met_s)} | {b.orbit} | "
                f"{b.dv_m_s:.1f} | {b.perigee_km:.0f} x {b.apogee_km:.0f} |"
            )
    passes = [
        "| date (Minsk) | visible from (UTC+3) | to | highest | rises in the | sets in the | leg |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in results.model_passes:
        if p.station != "Minsk" or not p.visible:
            continue
        d = p.to_dict()
        start = _minsk_time(d["visible_start_utc"], 60)
        end = _minsk_time(d["visible_end_utc"], 60)
        passes.append(
            f"| {start:%Y-%m-%d} | {start:%H:%M} | {end:%H:%M} | "
            f"{p.max_elevation_deg:.0f}° | {d['rise_compass']} | {d['set_compass']} | "
            f"{p.extra['object']} |"
        )
    return "\n".join(burns), "\n".join(passes)


def test_readme_soyuz_tables_equal_a_fresh_run(results):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The Soyuz itself (a model)")[1].split("\n## ")[0]
    tables = re.findall(r"((?:^\|.*\|\n)+)", section + "\n", re.M)
    burns, passes = readme_tables(results)
    assert [t.strip("\n") for t in tables] == [burns, passes]


if __name__ == "__main__":
    for table in readme_tables(sim.run_scenario(sim.load_scenario(sim.default_scenario()))):
        print(table, end="\n\n")
