"""For the people watching the sky (issue 13): local time, the observer's table, the calendar,
sky plots of passes cut by the window, one consistent command line."""

import csv
import json
import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from conftest import ROOT

import sim
from sim.cli import main
from sim.passes import Station, find_passes

MINSK = "Minsk=53.90,27.57,220"
DOCKING = "2024-03-25T15:02:51Z"
# the first visible pass over Minsk rises at 18:05:59 UTC (README; skyfield agrees within 1 s in
# test_passes.py); Minsk keeps UTC+3 all year
RISE_UTC = datetime(2024, 3, 25, 18, 5, 59, tzinfo=UTC)
RISE_MINSK = "21:05:59"


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Run from a folder outside the checkout, as a user after 'pip install' would."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def minsk_evening(catalogue):
    minsk = Station("Minsk", 53.90, 27.57, 220.0)
    return find_passes(catalogue, [minsk], DOCKING, "2024-03-26T00:00Z")


def _row_with(table: str, text: str) -> str:
    rows = [line for line in table.splitlines() if text in line]
    assert len(rows) == 1, table
    return rows[0]


def test_minsk_table_is_in_local_time_and_tz_utc_restores_utc(capsys, elsewhere):
    table = _run(capsys, "passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-25")
    row = _row_with(table, RISE_MINSK)
    assert re.search(r"\s\+03\s", row) and "18:05:59" not in table
    assert "Europe/Minsk" in table
    utc = _run(
        capsys, "passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-25", "--tz",
        "UTC",
    )  # fmt: skip
    row = _row_with(utc, "18:05:59")
    assert " UTC " in row and RISE_MINSK not in utc


def test_observer_table_columns(capsys, elsewhere, minsk_evening):
    table = _run(capsys, "passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-25")
    p = next(p for p in minsk_evening if p.visible)
    row = _row_with(table, RISE_MINSK)
    # start, highest point, end: time, elevation, compass point and azimuth, in local time
    for jd, el, az in (
        (p.rise_jd, 10.0, p.rise_azimuth_deg),
        (p.culmination_jd, p.max_elevation_deg, p.culmination_azimuth_deg),
        (p.set_jd, 10.0, p.set_azimuth_deg),
    ):
        local = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=jd - 2440587.5)).astimezone(
            ZoneInfo("Europe/Minsk")
        ) + timedelta(milliseconds=500)
        assert re.search(rf"{local:%H:%M:%S}\s+{el:.0f}°\s+[NESW]{{1,3}}\s+{az:.0f}°", row), row
    minutes, seconds = divmod(round(p.duration_s), 60)
    assert f" {minutes}:{seconds:02d} " in row
    assert f"{p.peak_magnitude:.1f}" in row
    # the footer gives every number of the preset, so two presets never read alike
    spot = _run(
        capsys, "passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-27",
        "--preset", "spot-the-station",
    )  # fmt: skip
    eye = _run(capsys, "passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-27")
    assert "at least 40°" in spot.split("Other presets")[0]
    assert spot.split("Other presets")[0].splitlines()[-1] != eye.split("Other presets")[0]


def test_compass_points_against_azimuth():
    from sim.passes import compass_point

    names = "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()
    for k, name in enumerate(names):
        assert compass_point(22.5 * k + 11.0) == name
        assert compass_point((22.5 * k - 11.0) % 360) == name


def test_csv_keeps_utc_columns_and_adds_local_ones(tmp_path, minsk_evening):
    from sim.export.results import write_passes_csv
    from sim.passes import PASS_FIELDS

    write_passes_csv(minsk_evening, tmp_path / "passes.csv")
    with open(tmp_path / "passes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    # the original 17 columns come first, unchanged in order
    assert header[:17] == PASS_FIELDS[:17] and header[1] == "rise_utc"
    row = next(r for r in rows if r["visible"] == "True")
    assert row["rise_utc"].startswith("2024-03-25T18:05:59.") and row["rise_utc"].endswith("Z")
    assert row["rise_local"].startswith(f"2024-03-25T{RISE_MINSK}.")
    assert row["rise_local"].endswith("+03:00") and row["timezone"] == "Europe/Minsk"
    for key in ("rise", "culmination", "set", "visible_start", "visible_end"):
        utc = datetime.fromisoformat(row[f"{key}_utc"].replace("Z", "+00:00"))
        local = datetime.fromisoformat(row[f"{key}_local"])
        assert local == utc and local.utcoffset() == timedelta(hours=3)


def test_sky_plot_title_in_local_time(minsk_evening, catalogue):
    from sim.passes import pass_track
    from sim.plots.sky import sky_plot

    p = next(p for p in minsk_evening if p.visible)
    minsk = Station("Minsk", 53.90, 27.57, 220.0)
    fig = sky_plot(p, *pass_track(catalogue, minsk, p))
    title = fig.axes[0].get_title()
    assert f"{RISE_MINSK} +03" in title and "18:05" not in title
    ticks = [t.get_text() for t in fig.axes[0].texts]
    assert "21:06" in ticks and "18:06" not in ticks  # minute ticks in local time too


def test_ocean_station_gets_a_nautical_zone():
    # the middle of the South Pacific: 140° W is 9.3 hours behind Greenwich
    st = Station("Pacific", -30.0, -140.0)
    assert re.fullmatch(r"Etc/GMT[+-]\d{1,2}", st.zone_name)
    offset_h = datetime(2024, 3, 25, tzinfo=UTC).astimezone(st.zone).utcoffset() / timedelta(
        hours=1
    )
    assert offset_h == round(-140.0 / 15.0)
    atlantic = Station("Atlantic", 0.0, -30.0)
    offset_h = datetime(2024, 3, 25, tzinfo=UTC).astimezone(atlantic.zone).utcoffset()
    assert offset_h / timedelta(hours=1) == -2
    # an override wins; a bad name is a one-line SimError
    assert Station("x", -30.0, -140.0, timezone="Pacific/Pitcairn").zone_name == "Pacific/Pitcairn"
    with pytest.raises(sim.SimError, match="not a known time zone"):
        Station("x", 0.0, 0.0, timezone="Mars/Olympus")


def _unfold(text: str) -> list[str]:
    """RFC 5545 lines: CRLF-separated, a leading space continues the previous line."""
    assert "\r\n" in text
    lines = []
    for raw in text.split("\r\n"):
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _events_by_hand(text: str) -> list[dict]:
    events, current = [], None
    for line in _unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            key, _, value = line.partition(":")
            current[key.split(";")[0]] = value
    return events


def test_ics_parses_back_with_two_parsers(capsys, elsewhere):
    import icalendar

    args = ["passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-30"]
    rows = json.loads(_run(capsys, *args, "--json"))
    visible = [r for r in rows if r["visible"]]
    assert len(visible) >= 5
    _run(capsys, *args, "--ics", "passes.ics")
    data = (elsewhere / "passes.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    by_hand = _events_by_hand(data.decode("utf-8"))
    assert len(events) == len(by_hand) == len(visible)
    for ev, hand, row in zip(events, by_hand, visible, strict=True):
        start = datetime.fromisoformat(row["visible_start_utc"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(row["visible_end_utc"].replace("Z", "+00:00"))
        start_s = (start + timedelta(milliseconds=500)).replace(microsecond=0)
        end_s = (end + timedelta(milliseconds=500)).replace(microsecond=0)
        assert ev.decoded("dtstart") == start_s and ev.decoded("dtend") == end_s
        assert hand["DTSTART"] == f"{start_s:%Y%m%dT%H%M%SZ}"
        assert f"max {row['max_elevation_deg']:.0f}°" in str(ev["summary"])
        assert f"mag {row['peak_magnitude']:.1f}" in str(ev["summary"])
        description = str(ev["description"])
        for key in ("visible_start", "visible_end"):
            point = f"{row[key + '_elevation_deg']:.0f}° above "
            assert point in description
        assert description.count("(") >= 3 and "+03" in description
    assert len({str(e["uid"]) for e in events}) == len(events)
    # deterministic: a rerun writes the same bytes (stable UIDs, DTSTAMP from the data)
    _run(capsys, *args, "--ics", "again.ics")
    assert (elsewhere / "again.ics").read_bytes() == data


def test_visible_only_lists_exactly_the_visible_passes(capsys, elsewhere):
    args = ["passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-30"]
    every = json.loads(_run(capsys, *args, "--json"))
    only = json.loads(_run(capsys, *args, "--json", "--visible-only"))
    assert only == [r for r in every if r["visible"]] and 0 < len(only) < len(every)
    table = _run(capsys, *args, "--visible-only")
    body = [line for line in table.splitlines() if line.startswith("Minsk ")]
    assert len(body) == len(only)
    assert all(re.search(r"\d\d:\d\d:\d\d-\d\d:\d\d:\d\d", line) for line in body)


def test_open_start_pass_has_no_rise_marker(catalogue):
    from sim.passes import pass_track
    from sim.plots.sky import sky_plot

    minsk = Station("Minsk", 53.90, 27.57, 220.0)
    closed = find_passes(catalogue, [minsk], DOCKING, "2024-03-26T00:00Z")[1]
    # start the window one minute after that pass rose: the pass is cut by the window start
    cut_at = closed.rise_jd + 60.0 / 86400.0
    start = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=cut_at - 2440587.5)).isoformat()
    cut = find_passes(catalogue, [minsk], start, "2024-03-26T00:00Z")[0]
    assert cut.open_start and not closed.open_start

    def labels(p):
        fig = sky_plot(p, *pass_track(catalogue, minsk, p), start_label="docking")
        return [line.get_label() for line in fig.axes[0].lines], fig.axes[0].get_title()

    closed_labels, closed_title = labels(closed)
    cut_labels, cut_title = labels(cut)
    assert "rise" in closed_labels and "rise" not in cut_labels
    assert "set" in closed_labels and "set" in cut_labels
    assert "already above the horizon at docking" in cut_title
    assert "already above" not in closed_title


def test_skyplots_all_passes(capsys, elsewhere):
    args = ["passes", "--station", MINSK, "--start", DOCKING, "--end", "2024-03-25T21:00Z"]
    _run(capsys, *args, "--skyplots", "vis")
    _run(capsys, *args, "--skyplots", "all", "--all-passes")
    assert len(list((elsewhere / "vis").iterdir())) == 1
    assert len(list((elsewhere / "all").iterdir())) == 3


def test_pass_across_an_element_set_switch_is_flagged(catalogue):
    from sim.ephemeris import geodetic, itrs_at

    switch = catalogue.switches()[0]
    w = math.floor(switch.jd)
    lat, lon, _ = geodetic(itrs_at(catalogue, np.array([w]), np.array([switch.jd - w])))
    # a station right under the ISS at the switch instant sees a pass around it
    below = Station("Below", float(lat[0]), float(lon[0]))
    t0 = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=switch.jd - 2440587.5)
    passes = find_passes(catalogue, [below], t0 - timedelta(minutes=30), t0 + timedelta(minutes=30))
    spanning = [p for p in passes if p.rise_jd < switch.jd < p.set_jd]
    assert len(spanning) == 1 and spanning[0].element_set_switch
    assert all(not p.element_set_switch for p in passes if p not in spanning)
    assert "set switch" in sim.cli.format_pass_table(passes)


def test_cli_and_api_give_the_same_passes_for_a_preset(capsys, catalogue):
    cli = json.loads(
        _run(
            capsys,
            "passes",
            "--station",
            MINSK,
            "--start",
            DOCKING,
            "--end",
            "2024-03-28",
            "--preset",
            "nasa",
            "--json",
        )  # fmt: skip
    )
    minsk = Station("Minsk", 53.90, 27.57, elevation_m=220)
    api = find_passes(catalogue, [minsk], DOCKING, "2024-03-29T00:00Z", preset="nasa")
    assert [p.to_dict() for p in api] == cli
    assert min(r["max_elevation_deg"] for r in cli) > 15.0  # the nasa mask, 15°, applied


def test_bundled_sets_are_the_default_and_tle_path_names_them(capsys, elsewhere):
    assert _run(capsys, "tle", "path").strip() == str(sim.default_tle())
    out = _run(
        capsys, "track", "--start", DOCKING, "--end", "2024-03-25T16:00Z", "--output", "t.csv"
    )
    assert "wrote" in out and (elsewhere / "t.csv").is_file()
    out = _run(capsys, "window", "--site", "45.9961,63.5639", "--start", "2024-03-22",
               "--end", "2024-03-23")  # fmt: skip
    assert "2024-03-23" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert re.fullmatch(r"sim \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_negative_coordinates_without_equals(capsys, elsewhere):
    out = _run(
        capsys, "passes", "--station", "Cape=-33.9,18.4", "--start", "2024-03-28",
        "--end", "2024-03-28", "--json",
    )  # fmt: skip
    assert json.loads(out)
    out = _run(capsys, "window", "--site", "-33.9,18.4", "--start", "2024-03-28", "--end",
               "2024-03-29")  # fmt: skip
    assert "in-plane" in out


def test_end_date_includes_that_day(capsys, elsewhere):
    args = ["passes", "--station", MINSK, "--start", "2024-03-26", "--json"]
    by_date = json.loads(_run(capsys, *args, "--end", "2024-03-26"))
    by_instant = json.loads(_run(capsys, *args, "--end", "2024-03-27T00:00:00Z"))
    assert by_date == by_instant
    assert by_date[-1]["rise_utc"] > "2024-03-26T18:00"  # the evening passes are in


def test_one_rounding_rule_for_every_time():
    from sim.times import human_time, iso_array, jd_to_iso

    whole = np.full(4, 2460395.0)
    seconds = np.array([0.4, 0.6, 0.5, 59.9996])  # JD 2460395.0 is 2024-03-25 12:00 UTC
    fraction = seconds / 86400.0
    rounded = ["12:00:00", "12:00:01", "12:00:01", "12:01:00"]
    arr = iso_array(whole, fraction, 0)
    for k, hms in enumerate(rounded):
        assert arr[k] == f"2024-03-25T{hms}Z" == jd_to_iso(whole[k], fraction[k], 0)
        assert human_time(whole[k], fraction[k]) == f"2024-03-25 {hms} UTC"
    assert iso_array(whole, fraction, 3)[0] == "2024-03-25T12:00:00.400Z"
    # the vectorised and the one-instant paths agree everywhere, at every precision
    rng = np.random.default_rng(13)
    whole = np.floor(rng.uniform(2460390, 2460410, 2000))
    fraction = rng.uniform(0.0, 1.0, 2000)
    fraction[:500] = np.round(fraction[:500] * 86400 * 2) / 86400 / 2  # exact half seconds
    for digits in (0, 1, 3, 6):
        arr = iso_array(whole, fraction, digits)
        assert arr == [jd_to_iso(w, f, digits) for w, f in zip(whole, fraction, strict=True)]


def test_readme_minsk_section_is_the_local_table(capsys, elsewhere):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## When could Minsk see the station?")[1].split("\n## ")[0]
    command = re.search(r"`(sim passes [^`]+)`", section.replace("\n", " ")).group(1)
    assert "--tle" not in command
    block = section.split("```")[1].strip("\n")
    fresh = _run(capsys, *command.split()[1:])
    assert fresh.strip("\n") == block
    assert re.search(rf"{RISE_MINSK}.*\+03|\+03.*{RISE_MINSK}", block)


def test_run_writes_passes_ics_and_lists_events_in_time_order(tmp_path):
    from dataclasses import replace

    import icalendar

    from sim.export.results import write_data_files

    sc = sim.load_scenario(sim.default_scenario())
    short = replace(sc, end="2024-03-25T21:00:00Z", outputs={"name": "short"})
    results = sim.run_scenario(short)
    jds = [e["jd"] for e in results.events]
    assert jds == sorted(jds)  # the scrub of 21 March comes before the launch of the 23rd
    assert [e["name"] for e in results.events][:2] == ["scrub", "launch"]
    write_data_files(results, tmp_path)
    cal = icalendar.Calendar.from_ical((tmp_path / "passes.ics").read_bytes())
    visible = [p for p in results.passes if p.visible]
    assert len(list(cal.walk("VEVENT"))) == len(visible) > 0


def test_local_time_axis_names_the_zone():
    import matplotlib.pyplot as plt

    from sim.plots.sky import local_time_axis

    fig, ax = plt.subplots()
    ax.set_xlim(19807.6, 19807.9)  # 2024-03-25 14:24 to 21:36 UTC
    local_time_axis(ax, ZoneInfo("Europe/Minsk"))
    assert ax.get_xlabel() == "local time, Europe/Minsk (+03)"
    local_time_axis(ax)
    assert ax.get_xlabel() == "UTC"
    plt.close(fig)


SCENARIO = """
[mission]
name = "Zones"
[object]
norad_id = 25544
[replay]
start = "2024-03-28T00:00:00Z"
end = "2024-03-28T06:00:00Z"
step_s = 60.0
[element_sets]
files = ["{tle}"]
[[stations]]
name = "Minsk"
lat_deg = 53.9
lon_deg = 27.57
[[stations]]
name = "Minsk in UTC"
lat_deg = 53.9
lon_deg = 27.57
timezone = "{zone}"
"""


def test_scenario_station_timezone_overrides_the_coordinates(tmp_path, capsys):
    path = tmp_path / "zones.toml"
    path.write_text(SCENARIO.format(tle=sim.default_tle().as_posix(), zone="UTC"))
    sc = sim.load_scenario(path)
    assert [s.zone_name for s in sc.stations] == ["Europe/Minsk", "UTC"]
    path.write_text(SCENARIO.format(tle=sim.default_tle().as_posix(), zone="Europe/Atlantis"))
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Europe/Atlantis" in err and "not a known time zone" in err and err.count("\n") == 1


def test_rows_follow_daylight_saving_time(capsys, elsewhere):
    # Berlin moves from CET (+01) to CEST (+02) at 01:00 UTC on 31 March 2024
    table = _run(
        capsys, "passes", "--station", "Berlin=52.52,13.40", "--start", "2024-03-30",
        "--end", "2024-03-31",
    )  # fmt: skip
    rows = [line for line in table.splitlines() if line.startswith("Berlin ")]
    zones = [re.search(r"\s(CES?T [+-]\d\d)\s", row).group(1) for row in rows]
    assert {z for row, z in zip(rows, zones, strict=True) if "2024-03-30" in row} == {"CET +01"}
    assert {z for row, z in zip(rows, zones, strict=True) if "2024-03-31" in row} == {"CEST +02"}


def test_window_times_in_the_site_zone(capsys, elsewhere):
    args = ["window", "--site", "45.9961,63.5639", "--start", "2024-03-23", "--end", "2024-03-23"]
    utc = _run(capsys, *args)
    local = _run(capsys, *args, "--tz", "Asia/Qyzylorda")
    assert "2024-03-23 12:38:05 UTC" in utc and "2024-03-23 17:38:05 +05" in local
    assert _run(capsys, *args, "--tz", "site") == local
