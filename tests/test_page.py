"""The offline replay page: its data, the file, and the page itself in a real headless browser.

The browser tests need Debian's chromium and chromium-driver (``.ci/run`` installs them). They
are skipped with the reason shown when the browser is missing outside CI, and fail in CI unless
``.ci/run`` said why it could not install it (``SIM_NO_BROWSER``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from sim.errors import OutputError
from sim.times import DAY_S

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
START = datetime(2024, 3, 26, 14, 0, 0, tzinfo=UTC)
END = datetime(2024, 3, 26, 20, 0, 0, tzinfo=UTC)
# The visible Minsk pass of that evening, from the README table (checked against skyfield's
# find_events to 1 s in tests/test_passes.py)
MINSK_RISE = "2024-03-26 17:18:03"
FIVE_MB = 5 * 1024 * 1024
CESIUM_MESSAGE = (
    "CesiumJS could not be loaded: this page needs the internet; open replay.html for the "
    "offline replay"
)


@pytest.fixture(scope="session")
def short_results():
    """The default scenario over six hours of 26 March 2024 (Minsk first among the stations)."""
    import sim

    try:  # where it lives once Results and the run move out of sim.scenario
        from sim.replay import run_scenario
    except ImportError:
        from sim.scenario import run_scenario

    sc = sim.load_scenario(sim.default_scenario())
    assert sc.stations[0].name == "Minsk"
    return run_scenario(dataclasses.replace(sc, start=START, end=END))


def _page_start_jd(payload) -> float:
    """The page's time origin (``start_utc``) as a UTC Julian date."""
    from sim.times import datetime_to_jd

    whole, fraction = datetime_to_jd(datetime.fromisoformat(payload["start_utc"]))
    return whole + fraction


def _page_seconds(payload, jd):
    """Seconds on the page's time axis of UTC Julian dates."""
    return (np.asarray(jd) - _page_start_jd(payload)) * DAY_S


@pytest.fixture(scope="session")
def payload(short_results):
    from sim.page import page_payload

    return page_payload(short_results)


@pytest.fixture(scope="session")
def page_file(short_results, tmp_path_factory):
    from sim.page import write_page

    return write_page(short_results, tmp_path_factory.mktemp("page") / "replay.html")


# --------------------------------------------------------------------------------------------
# the data behind the page


def test_payload_opens_at_the_scenario_start(payload):
    """The page opens at the replay window's start; its time axis may begin earlier, where a
    modelled leg (ascent, chase) begins before the window."""
    origin = datetime.fromisoformat(payload["start_utc"])
    assert origin <= START
    assert origin + timedelta(seconds=payload["initial_s"]) == START
    assert origin + timedelta(seconds=payload["duration_s"]) >= END
    launch = datetime(2024, 3, 23, 12, 36, 10, 573000, tzinfo=UTC)  # scenario [launch]
    assert payload["launch_s"] == pytest.approx((launch - origin).total_seconds(), abs=1e-3)


def test_thinned_track_samples_are_where_the_ephemeris_puts_the_station(short_results, payload):
    eph = short_results.ephemeris
    traj = payload["trajectories"][0]  # the scenario's object, from element sets
    assert traj["modelled"] is False and traj["label"] == "ISS (ZARYA)"
    t = np.array(traj["t_s"])
    assert t[0] == pytest.approx(payload["initial_s"], abs=1e-3)
    assert t[-1] - t[0] == pytest.approx(6 * 3600, abs=1e-3)
    assert np.all(np.diff(t)[:-1] >= 30.0 - 1e-6)  # display step, last piece may be shorter
    # independent look-up: the full-resolution ephemeris at the same instants
    eph_t = _page_seconds(payload, eph.times.jd)
    rows = np.searchsorted(eph_t, t - 1e-3)
    assert np.allclose(eph_t[rows], t, atol=1e-3)
    assert np.allclose(traj["lat_deg"], eph.lat_deg[rows], atol=0.001)
    lon_diff = (np.array(traj["lon_deg"]) - eph.lon_deg[rows] + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(lon_diff) <= 0.001)
    assert np.array_equal(np.array(traj["sunlit"], dtype=bool), eph.sunlit[rows])


def test_passes_carry_rise_times_and_sky_tracks_that_start_at_the_mask(short_results, payload):
    minsk = [p for p in payload["passes"] if p["station"] == "Minsk"]
    assert len(minsk) == sum(p.station == "Minsk" for p in short_results.passes) >= 3
    origin = datetime.fromisoformat(payload["start_utc"])
    rise_utc = [  # to the nearest second, as the README table and the page's clock give them
        (origin + timedelta(seconds=p["rise_s"] + 0.5)).strftime("%Y-%m-%d %H:%M:%S") for p in minsk
    ]
    assert MINSK_RISE in rise_utc  # the README's visible evening pass, to the second
    for p in payload["passes"]:
        sky = p["sky"]
        assert sky["t_s"][0] == 0.0
        assert sky["t_s"][-1] == pytest.approx(p["set_s"] - p["rise_s"], abs=0.06)
        if not p["open_start"]:
            assert sky["el_deg"][0] == pytest.approx(10.0, abs=0.05)  # rises through the mask
        assert max(sky["el_deg"]) == pytest.approx(p["max_elevation_deg"], abs=0.3)


def test_footprint_radius_matches_the_horizon_geometry(payload):
    """Independent: the ground range at which a satellite at altitude h stands at elevation e,
    from the triangle Earth centre - station - satellite (spherical Earth, R = 6378.137 km)."""
    r_km = 6378.137
    h_km = payload["footprint_altitude_km"]
    assert 400.0 < h_km < 440.0  # the ISS in spring 2024
    for st in payload["stations"]:
        e = math.radians(st["min_elevation_deg"])
        # sine rule: angle at the satellite is asin(R cos(e) / (R + h))
        nadir = math.asin(r_km * math.cos(e) / (r_km + h_km))
        expected = (math.pi / 2 - e - nadir) * r_km
        assert st["footprint_radius_km"] == pytest.approx(expected, abs=0.5)


def test_utc_offsets_follow_daylight_saving():
    from sim.page.payload import utc_offsets

    # Houston's zone: clocks went from CST (UTC-6) to CDT (UTC-5) at 2 am local on
    # 10 March 2024, i.e. 08:00 UTC
    start = (2460379.5, 0.0)  # 2024-03-10 00:00 UTC
    assert utc_offsets("America/Chicago", start, DAY_S) == [
        [0.0, -6 * 3600.0],
        [8 * 3600.0, -5 * 3600.0],
    ]
    assert utc_offsets("Europe/Minsk", start, DAY_S) == [[0.0, 3 * 3600.0]]
    assert utc_offsets(None, start, DAY_S) == [[0.0, 0.0]]


def test_a_station_time_zone_is_used_when_the_station_has_one(short_results):
    """A ``zone_name`` (the station's zone, given or found from its coordinates) wins, then a
    ``timezone`` attribute; without either the page shows UTC."""
    from types import SimpleNamespace

    from sim.page import page_payload

    def stand_in(st, **zone):
        keys = ("name", "lat_deg", "lon_deg", "elevation_m", "min_elevation_deg")
        return SimpleNamespace(**{k: getattr(st, k) for k in keys}, **zone)

    results = copy.copy(short_results)
    sc = results.scenario
    minsk, houston = sc.stations[0], sc.stations[3]
    assert houston.name == "Houston JSC"
    stations = [
        stand_in(minsk, timezone="Europe/Minsk"),
        stand_in(houston, zone_name="America/Chicago", timezone=None),
        stand_in(houston),
    ]
    results.scenario = dataclasses.replace(sc, stations=stations)
    results.passes, results.pass_tracks = [], {}  # the stand-ins are not for pass geometry
    got = page_payload(results)["stations"]
    assert [s["timezone"] for s in got] == ["Europe/Minsk", "America/Chicago", None]
    assert got[0]["utc_offsets"] == [[0.0, 3 * 3600.0]]
    assert got[1]["utc_offsets"] == [[0.0, -5 * 3600.0]]  # CDT since 10 March 2024
    assert got[2]["utc_offsets"] == [[0.0, 0.0]]


def _with_model_leg(results):
    """The replay with a second, modelled trajectory (the ISS track shifted by 20 deg of
    longitude standing in for a Soyuz leg)."""
    try:  # the Results' own trajectory type, once it has one
        from sim.results import MODEL, Trajectory

        def make(name, eph, modelled):
            return Trajectory(name, eph, MODEL) if modelled else Trajectory(name, eph)
    except ImportError:
        from sim.page.payload import PageTrajectory

        def make(name, eph, modelled):
            return PageTrajectory(name, eph, modelled, "model" if modelled else "element sets")

    shifted = copy.copy(results.ephemeris)
    shifted.lon_deg = (results.ephemeris.lon_deg + 200.0) % 360.0 - 180.0
    out = copy.copy(results)
    out.trajectories = {
        "ISS": make("ISS", results.ephemeris, False),
        "Soyuz MS-25": make("Soyuz MS-25", shifted, True),
    }
    return out


def test_payload_holds_several_trajectories_and_labels_the_modelled_one(short_results):
    from sim.page import page_payload

    trajs = page_payload(_with_model_leg(short_results))["trajectories"]
    assert [t["label"] for t in trajs] == ["ISS", "Soyuz MS-25 (model)"]
    assert [t["modelled"] for t in trajs] == [False, True]
    assert trajs[1]["lon_deg"][0] == pytest.approx((trajs[0]["lon_deg"][0] + 200) % 360 - 180)


def test_page_is_one_self_contained_file(page_file, payload):
    text = page_file.read_text(encoding="utf-8")
    # nothing to fetch: no external script, style, image or font, no URL scheme at all
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", text)
    assert refs == ["data:,"]
    assert "://" not in text
    assert "@import" not in text and "url(" not in text
    # the data inside reads back as the payload
    match = re.search(r'<script id="sim-data" type="application/json">(.*?)</script>', text, re.S)
    assert json.loads(match.group(1)) == json.loads(json.dumps(payload))


def test_data_cannot_close_its_script_element():
    from sim.page import render_page

    text = render_page({"title": "</script><script>alert(1)</script>", "x": "<!-- y"})
    data = re.search(r'<script id="sim-data" type="application/json">(.*?)</script>', text, re.S)
    assert json.loads(data.group(1))["title"] == "</script><script>alert(1)</script>"
    assert "<title>&lt;/script&gt;" in text


def test_same_replay_gives_a_byte_identical_page(short_results, page_file, tmp_path):
    from sim.page import write_page

    again = write_page(short_results, tmp_path / "again.html")
    assert again.read_bytes() == page_file.read_bytes()


def test_write_page_is_atomic_and_reports_a_missing_folder(short_results, tmp_path):
    from sim.page import write_page

    with pytest.raises(OutputError, match="does not exist"):
        write_page(short_results, tmp_path / "missing" / "replay.html")
    target = tmp_path / "replay.html"
    target.write_text("old")
    write_page(short_results, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["replay.html"]  # no temporary left


@pytest.fixture(scope="module")
def default_page(tmp_path_factory):
    """``sim export html --output FILE`` on the default scenario (the whole docked stay)."""
    from sim.cli import main

    out = tmp_path_factory.mktemp("default") / "replay.html"
    assert main(["export", "html", "--output", str(out)]) == 0
    return out


def test_default_page_fits_in_an_email(default_page):
    size = default_page.stat().st_size
    print(f"default replay.html: {size} bytes")
    assert 100_000 < size <= FIVE_MB


# --------------------------------------------------------------------------------------------
# in a real browser, offline


@pytest.fixture(scope="module")
def browser():
    reason = os.environ.get("SIM_NO_BROWSER")
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("the selenium package")
    if missing:
        why = f"browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if reason:
            pytest.skip(f"{why}; .ci/run could not install it: {reason}")
        if os.environ.get("CI"):
            pytest.fail(f"{why}: .ci/run should have installed it")
        pytest.skip(why)
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,720",
        # no network: every connection goes to a closed local port, no name resolves
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
    )
    yield driver
    driver.quit()


def _wait(predicate, timeout_s=10.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the page")


def _errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _clock(driver):
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.ID, "clock-utc")
    return el.text, float(el.get_attribute("data-t"))


def _marker(driver):
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.CSS_SELECTOR, "#positions .pos")
    return float(el.get_attribute("data-lat")), float(el.get_attribute("data-lon"))


def _ephemeris_at(results, payload, t_s):
    """Latitude and longitude of the full-resolution ephemeris at ``t_s`` on the page's time
    axis (linear between its 10 s samples, longitude unwrapped)."""
    eph = results.ephemeris
    eph_t = _page_seconds(payload, eph.times.jd)
    lon = np.degrees(np.unwrap(np.radians(eph.lon_deg)))
    lat = float(np.interp(t_s, eph_t, eph.lat_deg))
    return lat, (float(np.interp(t_s, eph_t, lon)) + 180.0) % 360.0 - 180.0


def _pixel_brightness(driver, lon_deg, lat_deg):
    """Mean RGB of a 5x5 patch of the map canvas around a place."""
    return driver.execute_script(
        """
        const c = document.getElementById('map');
        const x = Math.round((arguments[0] + 180) / 360 * c.width);
        const y = Math.round((90 - arguments[1]) / 180 * c.height);
        const d = c.getContext('2d').getImageData(x - 2, y - 2, 5, 5).data;
        let s = 0; for (let i = 0; i < d.length; i += 4) { s += d[i] + d[i + 1] + d[i + 2]; }
        return s / 75;
        """,
        lon_deg,
        lat_deg,
    )


def test_replay_page_plays_offline_in_a_browser(
    browser, page_file, payload, short_results, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from sim.ephemeris import subsolar_point

    browser.get(page_file.resolve().as_uri())
    _wait(lambda: browser.execute_script("return window.simFirstFrameMs !== undefined"))
    first_frame_ms = browser.execute_script("return window.simFirstFrameMs")
    print(f"time to first frame: {first_frame_ms:.0f} ms")
    assert 0 < first_frame_ms < 10_000

    # the clock reads the scenario's start, and the marker is where the ISS was then
    text, t = _clock(browser)
    assert text == START.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert t == payload["initial_s"]
    lat0, lon0 = _marker(browser)
    assert (lat0, lon0) == pytest.approx(_ephemeris_at(short_results, payload, t), abs=0.01)
    t0 = t

    # play for 2 s (600x by default): the clock and the marker move
    browser.find_element(By.ID, "play").click()
    time.sleep(2.0)
    browser.find_element(By.ID, "play").click()
    text, t = _clock(browser)
    assert t - t0 > 60.0, f"clock moved only {t - t0} s in 2 s of play"
    assert text != START.strftime("%Y-%m-%d %H:%M:%S UTC")
    lat1, lon1 = _marker(browser)
    assert math.hypot(lat1 - lat0, lon1 - lon0) > 0.2
    # the marker follows the replay: within 0.05 deg of the full-resolution track
    exp_lat, exp_lon = _ephemeris_at(short_results, payload, t)
    assert lat1 == pytest.approx(exp_lat, abs=0.05)
    assert (lon1 - exp_lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.05)

    # the slider moves the replay: halfway between two display samples at an equator
    # crossing, where the latitude changes fastest, the marker is still on the track
    eph = short_results.ephemeris
    eph_t = _page_seconds(payload, eph.times.jd)
    crossing = eph_t[np.nonzero(np.diff(np.sign(eph.lat_deg)))[0][0]]
    # display samples are every 30 s from the first one; the slider takes whole seconds
    t_mid = float(round(eph_t[0] + 30.0 * math.floor((crossing - eph_t[0]) / 30.0) + 15.0))
    browser.execute_script(
        "const s = document.getElementById('slider'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));",
        t_mid,
    )
    assert _clock(browser)[1] == t_mid
    lat2, lon2 = _marker(browser)
    exp_lat, exp_lon = _ephemeris_at(short_results, payload, t_mid)
    assert abs(lat2) < 1.0
    assert lat2 == pytest.approx(exp_lat, abs=0.05)
    assert (lon2 - exp_lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.05)

    # clicking a pass of Minsk sets the clock to its rise time
    assert browser.find_element(By.ID, "station").get_attribute("value") == "0"  # Minsk
    buttons = browser.find_elements(By.CSS_SELECTOR, "#passes button")
    minsk = [p for p in short_results.passes if p.station == "Minsk"]
    assert len(buttons) == len(minsk)
    target = next(b for b in buttons if b.text.startswith(MINSK_RISE[5:]))
    target.click()
    text, t = _clock(browser)
    assert text == MINSK_RISE + " UTC"
    assert "selected" in target.get_attribute("class")
    assert "not visible" not in browser.find_element(By.ID, "sky-title").text

    # keyboard: Right arrow steps one minute; Minsk then sees the ISS
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    assert _clock(browser)[1] == pytest.approx(t + 60.0, abs=1e-3)
    assert "in view of: Minsk" in browser.find_element(By.ID, "in-view").text
    body.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert _clock(browser)[1] == pytest.approx(t - 60.0, abs=1e-3)
    assert "no station sees it" in browser.find_element(By.ID, "in-view").text
    body.send_keys(Keys.SPACE)
    assert "Pause" in browser.find_element(By.ID, "play").text
    body.send_keys(Keys.SPACE)
    assert "Play" in browser.find_element(By.ID, "play").text

    # the night side: of two open-ocean places, the one where the Sun is down (computed here
    # from the sub-solar point) is drawn darker
    t = _clock(browser)[1]
    jd = _page_start_jd(payload) + t / DAY_S
    lat_s, lon_s = subsolar_point(math.floor(jd), jd % 1)
    places = [(-140.0, -10.0), (80.0, -20.0)]  # mid Pacific, Indian Ocean

    def sun_up(lon, lat):
        cos_z = math.sin(math.radians(lat)) * math.sin(math.radians(lat_s)) + math.cos(
            math.radians(lat)
        ) * math.cos(math.radians(lat_s)) * math.cos(math.radians(lon - lon_s))
        return cos_z > 0

    day = [p for p in places if sun_up(*p)]
    night = [p for p in places if not sun_up(*p)]
    assert len(day) == len(night) == 1
    assert _pixel_brightness(browser, *night[0]) < _pixel_brightness(browser, *day[0]) - 40

    assert not _errors(browser)
    shot = tmp_path / "replay.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
    keep = os.environ.get("SIM_PAGE_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "replay-1280x720.png")


def test_default_page_jumps_to_events(browser, default_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(default_page.resolve().as_uri())
    _wait(lambda: browser.execute_script("return window.simFirstFrameMs !== undefined"))
    first_frame_ms = browser.execute_script("return window.simFirstFrameMs")
    print(f"default page, time to first frame: {first_frame_ms:.0f} ms")
    # the scenario's replay runs from docking to the undocking of Soyuz MS-24
    assert _clock(browser)[0] == "2024-03-25 15:02:51 UTC"
    events = Select(browser.find_element(By.ID, "event"))
    undocking = next(o for o in events.options if o.text.startswith("undocking-ms24"))
    scrub = next(o for o in events.options if o.text.startswith("scrub"))
    assert not scrub.is_enabled()  # before anything was flown: listed, not a jump target
    events.select_by_visible_text(undocking.text)
    assert _clock(browser)[0] == "2024-04-06 03:54:58 UTC"
    assert "undocking-ms24" in browser.find_element(By.ID, "banner").text
    assert not _errors(browser)


def test_modelled_trajectory_is_labelled_in_the_page(browser, short_results, tmp_path):
    from selenium.webdriver.common.by import By

    from sim.page import write_page

    page = write_page(_with_model_leg(short_results), tmp_path / "two.html")
    browser.get(page.resolve().as_uri())
    _wait(lambda: browser.execute_script("return window.simFirstFrameMs !== undefined"))
    assert "Soyuz MS-25 (model)" in browser.find_element(By.ID, "legend").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#positions .pos")
    assert [r.get_attribute("data-name") for r in rows] == ["ISS", "Soyuz MS-25"]
    assert rows[1].text.startswith("Soyuz MS-25 (model):")
    assert not _errors(browser)


def test_replay_without_stations_events_or_launch_draws_without_errors(
    browser, short_results, tmp_path
):
    from selenium.webdriver.common.by import By

    from sim.page import write_page

    bare = copy.copy(short_results)
    bare.scenario = dataclasses.replace(short_results.scenario, stations=[], events=[])
    bare.passes, bare.pass_tracks, bare.events = [], {}, []
    page = write_page(bare, tmp_path / "bare.html")
    browser.get(page.resolve().as_uri())
    _wait(lambda: browser.execute_script("return window.simFirstFrameMs !== undefined"))
    assert browser.find_element(By.ID, "clock-met").text == "no launch in this scenario"
    browser.find_element(By.ID, "play").click()
    time.sleep(0.5)
    browser.find_element(By.ID, "play").click()
    assert _clock(browser)[1] > 0.0
    assert not _errors(browser)


def test_phone_layout_has_no_horizontal_scroll(browser, page_file, tmp_path):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        browser.get(page_file.resolve().as_uri())
        _wait(lambda: browser.execute_script("return window.simFirstFrameMs !== undefined"))
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth,"
            " document.getElementById('map').clientWidth]"
        )
        assert widths[0] <= widths[1] and widths[2] > 300
        shot = tmp_path / "replay-phone.png"
        browser.save_screenshot(str(shot))
        keep = os.environ.get("SIM_PAGE_SCREENSHOTS")
        if keep:
            shutil.copy(shot, Path(keep) / "replay-phone.png")
        assert not _errors(browser)
    finally:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
        )


def test_cesium_page_explains_itself_offline(browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get((ROOT / "docs" / "cesium.html").resolve().as_uri())
    status = _wait(lambda: browser.find_element(By.ID, "status").text, timeout_s=20)
    _wait(lambda: CESIUM_MESSAGE in browser.find_element(By.ID, "status").text, timeout_s=20)
    assert CESIUM_MESSAGE in browser.find_element(By.ID, "status").text, status
    picker = browser.find_element(By.ID, "file")
    assert not picker.is_displayed()  # nothing to show a chosen file with
    logs = browser.get_log("browser")
    assert not [e for e in logs if "is not defined" in e["message"]], logs
    shot = tmp_path / "cesium-offline.png"
    browser.save_screenshot(str(shot))
    keep = os.environ.get("SIM_PAGE_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "cesium-offline.png")
