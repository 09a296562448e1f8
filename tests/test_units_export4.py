"""Fast, direct tests of sim.export written against the last open survivors of the export
mutation run (docs/mutation.md, export table): a catalogue of a single element set without a
name line, a leg that starts with a burn, a repeated instant on either side of 00:00 UTC (where
the whole Julian day of the (whole, fraction) split changes), a folder that cannot be created,
and the mission elapsed time of a lift-off between milliseconds. Expected values come from the
element-set lines themselves (read by column, as the TLE format defines them), the calendar
(reference.sec_of_iso), the operating system's own error text and hand arithmetic, never from
the writer's output."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import reference as ref
from test_units_export3 import _event

import sim
from sim.times import TimeGrid

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_TLE = ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle"


# --------------------------------------------------------------------------------------------
# a catalogue of one element set, written without a name line


def _first_set_lines() -> tuple[str, str]:
    lines = [ln for ln in BUNDLED_TLE.read_text().splitlines() if ln.strip()]
    first = next(i for i, ln in enumerate(lines) if ln.startswith("1 "))
    return lines[first], lines[first + 1]


@pytest.fixture(scope="module")
def one_set(tmp_path_factory):
    """A two-hour replay (60 s steps) from one element set given as its two lines only."""
    folder = tmp_path_factory.mktemp("one_set")
    line1, line2 = _first_set_lines()
    (folder / "one.tle").write_text(f"{line1}\n{line2}\n")
    (folder / "s.toml").write_text(
        """
[mission]
name = "One element set"
[object]
norad_id = 25544
[replay]
start = "2024-03-27T12:00:00Z"
end = "2024-03-27T14:00:00Z"
step_s = 60.0
[element_sets]
files = ["one.tle"]
[[stations]]
name = "Minsk"
lat_deg = 53.9
lon_deg = 27.57
[outputs]
html = false
oem = true
"""
    )
    res = sim.run_scenario(sim.load_scenario(folder / "s.toml"))
    assert len(res.catalogue.sets) == 1 and not (res.catalogue.sets[0].name or "").strip()
    return res, line1


def _cospar_by_hand(line1: str) -> str:
    """Columns 10-17 of line 1 (international designator: year, launch number, piece), in the
    OEM's OBJECT_ID form YYYY-NNNP; two-digit years 57-99 are 19xx (the TLE convention)."""
    yy, rest = int(line1[9:11]), line1[11:17].strip()
    return f"{1900 + yy if yy >= 57 else 2000 + yy}-{rest}"


def test_one_element_set_without_a_name_in_the_output_folder(one_set, tmp_path):
    from sim.export.results import write_data_files

    res, line1 = one_set
    write_data_files(res, tmp_path)
    norad = int(line1[2:7])  # columns 3-7 of line 1: the catalogue number
    # the calendar is named after the catalogue number when the set has no name line
    cal = (tmp_path / "passes.ics").read_text()
    assert re.search(r"^X-WR-CALNAME:(.*?)\r?$", cal, re.M).group(1) == (
        f"NORAD {norad} visible passes"
    )
    # the OEM names the object by its international designator, read off line 1
    oem = (tmp_path / "replay.oem").read_text()
    ids = re.findall(r"^OBJECT_ID\s*=\s*(\S+)\s*$", oem, re.M)
    assert ids and set(ids) == {_cospar_by_hand(line1)} == {"1998-067A"}


# --------------------------------------------------------------------------------------------
# samples of one instant: a leg that starts with a burn, an instant split across 00:00 UTC


class _Eph:
    """The least of an ephemeris that the model helpers read: times and a length."""

    def __init__(self, times: TimeGrid):
        self.times = times

    def __len__(self):
        return len(self.times)


def _grid_s(sec) -> _Eph:
    """Samples ``sec`` seconds after 2024-03-27 00:00 UTC, split as the flight model splits its
    samples (one epoch, the seconds added to its fraction; TimeGrid normalises the day)."""
    sec = np.asarray(sec, dtype=float)
    return _Eph(TimeGrid(np.full(sec.size, 2460396.5), sec / ref.DAY_S))


def test_a_leg_that_starts_and_ends_with_a_burn():
    from sim.export.model import first_of_instant, pieces, unique_rows

    eph = _grid_s([0.0, 0.0, 10.0, 20.0, 20.0])  # before and after a burn at 0 s and at 20 s
    assert [first_of_instant(eph, row) for row in range(5)] == [0, 0, 2, 3, 3]
    assert unique_rows(eph).tolist() == [1, 2, 4]
    assert [r.tolist() for r in pieces(eph)] == [[0], [1, 2, 3], [4]]


def test_one_instant_on_either_side_of_midnight_is_one_instant():
    from sim.export.model import SAME_INSTANT_S, first_of_instant, pieces, unique_rows

    # 0.3 microseconds before and 0.2 after 00:00 UTC on 2024-03-28: 0.5 us apart, one instant
    # by the 1 us rule, but the split's whole day differs between the two
    day = 86400.0
    eph = _grid_s([day - 20.0, day - 10.0, day - 0.3e-6, day + 0.2e-6, day + 10.0])
    w, f = eph.times.whole, eph.times.fraction
    assert w[2] + 1.0 == w[3] and f[2] > 0.999 and f[3] < 1e-6  # the day changes between them
    gap_s = ref.sec_of_split(w[3], f[3]) - ref.sec_of_split(w[2], f[2])
    assert 0.0 < gap_s < SAME_INSTANT_S
    assert ref.sec_of_split(w[2], f[2]) == pytest.approx(
        ref.sec_of_iso("2024-03-28T00:00:00Z"), abs=1e-6
    )
    assert unique_rows(eph).tolist() == [0, 1, 3, 4]  # of the instant, the later sample
    assert [r.tolist() for r in pieces(eph)] == [[0, 1, 2], [3, 4]]
    assert [first_of_instant(eph, row) for row in range(5)] == [0, 1, 2, 2, 4]


def test_oem_same_instant_rule_on_either_side_of_midnight():
    """The OEM's test of "this segment starts just after that burn" on the same samples."""
    from sim.export.oem import _same_time

    day = 86400.0
    eph = _grid_s([day - 20.0, day - 10.0, day - 0.3e-6, day + 0.2e-6, day + 10.0])
    assert eph.times.whole[2] != eph.times.whole[3]
    leg = type("Leg", (), {"ephemeris": eph})()
    assert _same_time(leg, 2, 3) and _same_time(leg, 3, 2) and not _same_time(leg, 1, 2)


# --------------------------------------------------------------------------------------------
# a folder that cannot be created, when running as root too


def test_output_folder_on_a_dangling_link_says_why(tmp_path):
    """A link to nothing: stat finds no folder, and mkdir cannot make one where the link is
    (root or not). The message names the path and the system's reason."""
    from sim.errors import OutputError
    from sim.export.atomic import output_folder

    link = tmp_path / "out"
    link.symlink_to(tmp_path / "missing")
    for path in (link, link / "sub"):
        with pytest.raises(OutputError) as err:
            output_folder(path)
        assert str(err.value) == f"{path}: cannot create the folder ({os.strerror(errno.EEXIST)})"
    assert link.is_symlink() and not (tmp_path / "missing").exists()  # nothing made


# --------------------------------------------------------------------------------------------
# the mission elapsed time of a lift-off between milliseconds, in the JSON track


def test_track_json_met_to_the_millisecond(one_set, tmp_path):
    from sim.export.track import write_track

    res, _ = one_set
    eph = res.ephemeris
    sec = ref.sec_of_split(eph.times.whole, eph.times.fraction)
    launch_s = sec[3] + 0.4567  # between two milliseconds
    launch_jd = ref.JD_2024 + launch_s / ref.DAY_S  # a float JD: good to about 40 us
    data = json.loads(write_track(eph, tmp_path / "t.json", launch_jd=launch_jd).read_text())
    met = np.array(data["met_s"])
    assert met.size == len(eph)
    assert np.abs(met - (sec - launch_s)).max() <= 0.5e-3 + 1e-4
    digits = [len(repr(float(v)).split(".")[1].rstrip("0")) for v in met]
    assert max(digits) == 3  # milliseconds, as the CSV's %.3f: no fourth digit


# --------------------------------------------------------------------------------------------
# KML: an event without a source; track files written compact


def test_kml_event_without_a_source_has_an_empty_description(one_set):
    import copy
    import xml.etree.ElementTree as ET

    from sim.export.kml import kml_bytes

    res, _ = one_set
    eph = res.ephemeris
    ours = copy.copy(res)

    ours.events = [_event(eph, 10, "no-source"), _event(eph, 20, "with-source", source="notes.txt")]
    kml = "{http://www.opengis.net/kml/2.2}"
    root = ET.fromstring(kml_bytes(ours))
    described = {
        p.findtext(f"{kml}name"): p.findtext(f"{kml}description")
        for p in root.iter(f"{kml}Placemark")
        if p.findtext(f"{kml}name") in ("no-source", "with-source")
    }
    assert described == {"no-source": "", "with-source": "notes.txt"}  # nothing invented


@pytest.mark.parametrize("suffix", ["geojson", "json"])
def test_track_files_are_written_compact(one_set, tmp_path, suffix):
    """Track files are large: written without whitespace, like the ground track (the data a
    reader gets is the same either way; the size is not)."""
    from sim.export.track import write_track

    res, _ = one_set
    text = write_track(res.ephemeris, tmp_path / f"t.{suffix}").read_text()
    assert text == json.dumps(json.loads(text), separators=(",", ":")) + "\n"


# --------------------------------------------------------------------------------------------
# the OEM of a modelled object with a single leg


@pytest.fixture(scope="module")
def soyuz(tmp_path_factory):
    """The bundled first-attempt scenario from 16:00 to 17:00 UTC (its modelled legs whole)."""
    from test_units_export import _scenario_text

    folder = tmp_path_factory.mktemp("soyuz")
    (folder / "s.toml").write_text(
        _scenario_text(("oem",), "2024-03-21T16:00:00Z", "2024-03-21T17:00:00Z")
    )
    return sim.run_scenario(sim.load_scenario(folder / "s.toml"))


def test_model_oem_of_an_object_with_a_single_leg(soyuz):
    import copy

    from sim.export.oem import model_oem_texts

    legs = [tr for tr in soyuz.trajectories.values() if tr.modelled]
    assert len(legs) == 2 and legs[0].object_name == legs[1].object_name  # ascent, free flight
    for leg in legs:  # each leg alone: the object's OEM is named after it
        ours = copy.copy(soyuz)
        ours.trajectories = {
            k: tr for k, tr in soyuz.trajectories.items() if tr is leg or not tr.modelled
        }
        (text,) = model_oem_texts(ours).values()
        assert f"\nCOMMENT {leg.object_name}: MODEL" in text
        names = set(re.findall(r"^OBJECT_NAME\s*=\s*(.+?)\s*$", text, re.M))
        assert len(names) == 1 and names.pop().startswith(leg.object_name)
        assert len(re.findall(r"^META_START$", text, re.M)) >= 1


def test_teme_to_eme2000_at_a_single_instant():
    """One instant (a leg or a segment of one sample): the rotation is the one that instant
    gets as the first of a longer span (a knot there too, so no interpolation between them),
    and a rotation (orthonormal, determinant 1)."""
    from sim.export.oem import teme_to_eme2000_matrices

    w, f = 2460396.5, 0.3  # 2024-03-27 07:12 UTC
    (one,) = teme_to_eme2000_matrices([w], [f])
    first = teme_to_eme2000_matrices([w, w], [f, f + 0.01])[0]
    assert np.abs(one - first).max() < 1e-15
    assert np.abs(one @ one.T - np.eye(3)).max() < 1e-12 and np.linalg.det(one) > 0.999999
