"""The notebook API (issue 12 item 5): DataFrames, datetimes beside Julian dates, short reprs,
dir(sim), and one time parser that takes datetime, ISO strings and numpy.datetime64."""

import sys
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import BUNDLED_TLE, ONE_MILLIMETRE_KM
from sgp4.api import Satrec

import sim
from sim.times import parse_utc

J2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)  # JD 2451545.0 (UTC reading)
ONE_MILLISECOND_S = 1e-3


@pytest.fixture(scope="module")
def catalogue():
    return sim.load_catalogue(BUNDLED_TLE)


@pytest.fixture(scope="module")
def minsk_passes(catalogue):
    minsk = sim.Station("Minsk", 53.9, 27.57, 220.0)
    return sim.find_passes(catalogue, [minsk], "2024-03-28T00:00Z", "2024-03-30T00:00Z")


def _jd_pair(dt: datetime) -> tuple[float, float]:
    """(whole, fraction) UTC Julian date without float64 rounding of the sum (40 us)."""
    d = dt - J2000
    return 2451545.0 + d.days, (d.seconds + d.microseconds / 1e6) / 86400.0


def test_ephemeris_dataframe_rows_are_the_instants_they_say(catalogue):
    eph = sim.propagate(catalogue, start="2024-03-28T00:00Z", end="2024-03-28T03:00Z", step_s=30)
    df = eph.to_dataframe()
    assert len(df) == len(eph) and str(df.index.tz) == "UTC" and df.index.name == "time_utc"
    # every row, re-propagated independently with python-sgp4 at the row's own timestamp
    rows = np.arange(0, len(df), 37)
    for i in rows:
        stamp = df.index[i].to_pydatetime()
        whole, fraction = _jd_pair(stamp)
        s = catalogue.sets[int(np.atleast_1d(catalogue.index_at(whole, fraction))[0])]
        sat = Satrec.twoline2rv(*s.to_tle())
        err, r, v = sat.sgp4(whole, fraction)
        assert err == 0
        got = df.iloc[i][["x_teme_km", "y_teme_km", "z_teme_km"]].to_numpy(dtype=float)
        assert np.linalg.norm(got - r) < 10 * ONE_MILLIMETRE_KM
        assert df.iloc[i]["element_set_epoch_utc"] == s.epoch_iso
    assert df["sunlit"].dtype == bool and set(df["sgp4_error"]) == {0}
    assert df["alt_km"].between(400, 440).all()  # ISS geodetic altitude, km


def test_pass_datetimes_match_the_julian_dates(minsk_passes):
    assert minsk_passes
    for p in minsk_passes:
        for name in ("rise", "culmination", "set"):
            when = getattr(p, name)
            assert isinstance(when, datetime) and when.utcoffset() == timedelta(0)
            jd = getattr(p, f"{name}_jd")
            assert abs((when - J2000).total_seconds() / 86400 + 2451545.0 - jd) * 86400 < 1e-3
        assert p.rise < p.culmination < p.set


def test_passes_dataframe(minsk_passes):
    df = sim.passes_dataframe(minsk_passes)
    assert len(df) == len(minsk_passes)
    assert str(df["rise_utc"].dt.tz) == "UTC"
    for row, p in zip(df.itertuples(), minsk_passes, strict=True):
        assert abs((row.rise_utc.to_pydatetime() - p.rise).total_seconds()) <= ONE_MILLISECOND_S
        assert abs((row.set_utc.to_pydatetime() - p.set).total_seconds()) <= ONE_MILLISECOND_S
        assert row.station == p.station and row.visible == p.visible
    # the visible part is empty (NaT) exactly where the pass is not visible
    assert (df["visible_start_utc"].isna() == ~df["visible"]).all()
    empty = sim.passes_dataframe([])
    assert len(empty) == 0 and "rise_utc" in empty.columns


def test_missing_pandas_names_the_extra(monkeypatch, catalogue, minsk_passes):
    eph = sim.propagate(catalogue, start="2024-03-28T00:00Z", end="2024-03-28T00:10Z", step_s=60)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(sim.SimError, match=r"pip install 'sim-orbital-replay\[pandas\]'"):
        eph.to_dataframe()
    with pytest.raises(sim.SimError, match=r"passes_dataframe\(\) needs pandas"):
        sim.passes_dataframe(minsk_passes)


def test_reprs_are_short(tmp_path, catalogue, minsk_passes):
    eph = sim.propagate(catalogue, start="2024-03-28T00:00Z", end="2024-03-29T00:00Z", step_s=10)
    results = sim.run_scenario(sim.load_scenario(_short_scenario(tmp_path)))
    for obj in (results, catalogue, eph, eph.times, minsk_passes[0], results.scenario):
        text = repr(obj)
        assert text.count("\n") <= 1 and len(text) < 240, text
        assert "array(" not in text and "object at 0x" not in text, text
    assert "8,641 samples" in repr(eph) and "NORAD 25544" in repr(catalogue)
    assert repr(minsk_passes[0]).startswith("<Pass Minsk: ")


def _short_scenario(folder):
    path = folder / "short.toml"
    path.write_text(
        f"""
[mission]
name = "Short"
[object]
norad_id = 25544
[replay]
start = "2024-03-28T00:00:00Z"
end = "2024-03-28T02:00:00Z"
step_s = 60.0
[element_sets]
files = ["{BUNDLED_TLE.as_posix()}"]
[[stations]]
name = "Minsk"
lat_deg = 53.9
lon_deg = 27.57
"""
    )
    return path


def test_dir_lists_the_lazy_names():
    names = dir(sim)
    for name in sim.__all__:
        assert name in names, name
        assert getattr(sim, name) is not None
    for name in ("run_scenario", "propagate", "find_passes", "passes_dataframe", "Results"):
        assert name in names


# --------------------------------------------------------------------------------------------
# one time parser


INSTANT = datetime(2024, 3, 28, 1, 2, 3, 456789, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        INSTANT,
        INSTANT.replace(tzinfo=None),  # naive: UTC
        "2024-03-28T01:02:03.456789Z",
        "2024-03-28T04:02:03.456789+03:00",
        np.datetime64("2024-03-28T01:02:03.456789"),
        np.datetime64("2024-03-28T01:02:03.456789123", "ns"),  # cut to the microsecond
        pd.Timestamp("2024-03-28T01:02:03.456789Z"),
    ],
    ids=["aware", "naive", "iso-z", "iso-offset", "dt64-us", "dt64-ns", "pandas"],
)
def test_parse_utc_accepts_the_three_kinds(value):
    assert parse_utc(value, "start") == INSTANT


@pytest.mark.parametrize(
    "value",
    [1711587723, 1711587723.5, True, None, b"2024-03-28", date(2024, 3, 28), np.datetime64("NaT")],
    ids=["int", "float", "bool", "None", "bytes", "date", "NaT"],
)
def test_parse_utc_refuses_anything_else_naming_the_argument(value):
    with pytest.raises(sim.SimError, match=r"^launch_time: "):
        parse_utc(value, "launch_time")


def test_public_functions_take_datetime64_and_name_a_bad_argument(catalogue):
    start64, end64 = np.datetime64("2024-03-28T00:00"), np.datetime64("2024-03-28T01:00")
    by_string = sim.propagate(
        catalogue, start="2024-03-28T00:00Z", end="2024-03-28T01:00Z", step_s=60
    )
    by_dt64 = sim.propagate(catalogue, start=start64, end=end64, step_s=60)
    assert np.array_equal(by_string.r_teme_km, by_dt64.r_teme_km)
    grid = np.arange(start64, end64 + np.timedelta64(1, "m"), np.timedelta64(1, "m"))
    by_array = sim.propagate(catalogue, grid)
    assert np.array_equal(by_string.r_teme_km, by_array.r_teme_km)
    minsk = sim.Station("Minsk", 53.9, 27.57)
    a = sim.find_passes(catalogue, [minsk], "2024-03-28T00:00Z", "2024-03-29T00:00Z")
    b = sim.find_passes(catalogue, [minsk], start64, np.datetime64("2024-03-29"))
    assert [p.to_dict() for p in a] == [p.to_dict() for p in b]
    with pytest.raises(sim.SimError, match=r"^start: expected a datetime"):
        sim.propagate(catalogue, start=1711584000, end=end64, step_s=60)
    with pytest.raises(sim.SimError, match=r"^end: expected a datetime"):
        sim.find_passes(catalogue, [minsk], start64, 3.5)
    with pytest.raises(sim.SimError, match=r"^times: expected a datetime"):
        sim.propagate(catalogue, 5)
    with pytest.raises(sim.SimError, match=r"^times\[1\]: "):
        sim.propagate(catalogue, ["2024-03-28T00:00Z", date(2024, 3, 28)])
