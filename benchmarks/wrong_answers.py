"""Re-create the wrong answers of issue 18 one at a time in a scratch worktree and name the test
that catches each (slow; not part of CI). Usage, from the repository top:

    git worktree add --detach /work/wt-tests-scratch HEAD
    nice -n 19 .venv/bin/python benchmarks/wrong_answers.py /work/wt-tests-scratch

Each entry replaces one exact text in one file of the scratch copy (the replacement must match
exactly once), runs the named tests with the scratch copy first on PYTHONPATH, records the first
failing test, and restores the file. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

D, E, P, M, S = (
    "tests/test_derived.py",
    "tests/test_export_contents.py",
    "tests/test_plot_meaning.py",
    "tests/test_readme.py",
    "tests/test_scenario.py",
)

# (what the issue calls it, file, old text, new text, tests to run)
WRONG = [
    (
        "azimuth with the arguments of atan2 swapped",
        "sim/passes.py",
        "az = np.degrees(np.arctan2(enu[:, 0], enu[:, 1])) % 360.0\n        return el, az, rng",
        "az = np.degrees(np.arctan2(enu[:, 1], enu[:, 0])) % 360.0\n        return el, az, rng",
        [D + "::test_pass_azimuths_and_elevations_match_skyfield"],
    ),
    (
        "range reported at rise instead of culmination",
        "sim/passes.py",
        "min_range_km=float(rng_tca[n]),",
        "min_range_km=float(geo.look(cs, rise)[2][n]),",
        [D + "::test_range_is_taken_at_culmination"],
    ),
    (
        "the faintest magnitude reported as the peak",
        "sim/passes.py",
        "mag.min(axis=1)",
        "mag.max(axis=1)",
        [D + "::test_peak_magnitude_from_an_independent_phase_angle"],
    ),
    (
        "phase angle replaced by its supplement",
        "sim/passes.py",
        "estimated_magnitude(rng, np.arccos(np.clip(cos_p, -1, 1)))",
        "estimated_magnitude(rng, np.pi - np.arccos(np.clip(cos_p, -1, 1)))",
        [D + "::test_peak_magnitude_from_an_independent_phase_angle"],
    ),
    (
        "min_peak_elevation ignored",
        "sim/passes.py",
        "if not sky_dark[n] or p.max_elevation_deg < preset.min_peak_elevation_deg:",
        "if not sky_dark[n]:",
        [D + "::test_min_peak_elevation_is_honoured"],
    ),
    (
        "twilight crossing never refined",
        "sim/passes.py",
        "crossing = (sun_rise > 0) != (sun_set > 0)",
        "crossing = np.zeros(sun_rise.shape, dtype=bool)",
        [D + "::test_pass_crossing_the_twilight_limit_mid_pass"],
    ),
    (
        "golden-section refinement removed",
        "sim/passes.py",
        "t_max, f_max = _search_max(lambda x, i: geo.f(cs[i], x), lo, hi)",
        "t_max, f_max = t[ci], np.array([margins[k][i] for k, i in zip(cs, ci, strict=True)])",
        [D + "::test_grazing_pass_with_no_coarse_sample_above_the_mask_is_found"],
    ),
    (
        "every pass named with element set 0",
        "sim/passes.py",
        "element_set_epoch_utc=epochs[set_index[n]],",
        "element_set_epoch_utc=epochs[0],",
        [D + "::test_each_pass_names_the_set_in_force_at_culmination"],
    ),
    (
        "the nasa preset's mask changed",
        "sim/passes.py",
        '"nasa": VisibilityPreset("nasa", 15.0, -6.0)',
        '"nasa": VisibilityPreset("nasa", 20.0, -6.0)',
        [D + "::test_presets_are_the_documented_numbers"],
    ),
    (
        "spot-the-station minimum peak changed",
        "sim/passes.py",
        'VisibilityPreset("spot-the-station", 10.0, -6.0, 40.0)',
        'VisibilityPreset("spot-the-station", 10.0, -6.0, 30.0)',
        [D + "::test_presets_are_the_documented_numbers"],
    ),
    (
        "the default mask of a station not taken from the preset",
        "sim/scenario.py",
        "else preset.min_elevation_deg,",
        "else 10.0,",
        [D + "::test_scenario_stations_take_the_presets_mask"],
    ),
    (
        "the penumbra counted as shadow (visibility)",
        "sim/passes.py",
        "sun.teme(whole, frac)) == UMBRA\n\n    def darkness(xx, _rows):\n"
        "        w, fr = geo.jd(xx)\n"
        "        r, _, _ = _teme_by_runs(geo.catalogue, w, fr)\n"
        "        return np.where(shadow_state(r, sun.teme(w, fr)) == UMBRA, 1.0, -1.0)",
        "sun.teme(whole, frac)) != 0\n\n    def darkness(xx, _rows):\n"
        "        w, fr = geo.jd(xx)\n"
        "        r, _, _ = _teme_by_runs(geo.catalogue, w, fr)\n"
        "        return np.where(shadow_state(r, sun.teme(w, fr)) != 0, 1.0, -1.0)",
        [D + "::test_shadow_bounds_of_visible_parts_match_the_conical_shadow"],
    ),
    (
        "the penumbra counted as shadow (track sunlit)",
        "sim/ephemeris.py",
        "return (self.shadow == SUNLIT) | (self.shadow == PENUMBRA)",
        "return self.shadow == SUNLIT",
        [D + "::test_shadow_state_of_every_sample_near_a_boundary"],
    ),
    (
        "the shadow radius 6371 km",
        "sim/ephemeris.py",
        "EARTH_RADIUS_KM = 6378.137",
        "EARTH_RADIUS_KM = 6371.0",
        [D + "::test_shadow_state_of_every_sample_near_a_boundary"],
    ),
    (
        "the sub-solar latitude sign flipped",
        "sim/ephemeris.py",
        "lat = np.degrees(np.arctan2(r[2], np.hypot(r[0], r[1])))",
        "lat = np.degrees(np.arctan2(-r[2], np.hypot(r[0], r[1])))",
        [D + "::test_subsolar_point_away_from_the_equinox"],
    ),
    (
        "the sub-solar longitude sign flipped",
        "sim/ephemeris.py",
        "lon = np.degrees(np.arctan2(r[1], r[0]))\n    return float(lat), float(lon)",
        "lon = np.degrees(np.arctan2(-r[1], r[0]))\n    return float(lat), float(lon)",
        [D + "::test_subsolar_point_away_from_the_equinox"],
    ),
    (
        "WGS72 flattening",
        "sim/ephemeris.py",
        "WGS84_F = 1.0 / 298.257223563",
        "WGS84_F = 1.0 / 298.26",
        [E + "::test_track_csv_every_column_against_skyfield"],
    ),
    (
        "station latitude and longitude swapped in CZML",
        "sim/export/czml.py",
        "cartographicDegrees=[st.lon_deg, st.lat_deg, st.elevation_m]",
        "cartographicDegrees=[st.lat_deg, st.lon_deg, st.elevation_m]",
        [E + "::test_czml_positions_stations_passes_and_events"],
    ),
    (
        "station latitude and longitude swapped in KML",
        "sim/export/kml.py",
        'f"{st.lon_deg:.7f},{st.lat_deg:.7f},0"',
        'f"{st.lat_deg:.7f},{st.lon_deg:.7f},0"',
        [E + "::test_kml_track_stations_and_events"],
    ),
    (
        "station latitude and longitude swapped in GeoJSON",
        "sim/export/formats.py",
        '"coordinates": [st.lon_deg, st.lat_deg]',
        '"coordinates": [st.lat_deg, st.lon_deg]',
        [E + "::test_exported_geojson_stations_and_events"],
    ),
    (
        "events dropped from CZML",
        "sim/export/czml.py",
        'if not lo <= ev["jd"] <= hi or ev["iss_lat_deg"] != ev["iss_lat_deg"]:',
        "if True:",
        [E + "::test_czml_positions_stations_passes_and_events"],
    ),
    (
        "the sunlit column of track.csv inverted",
        "sim/export/track.py",
        'np.where(eph.sunlit, "true", "false")',
        'np.where(eph.sunlit, "false", "true")',
        [E + "::test_track_csv_every_column_against_skyfield"],
    ),
    (
        "track.csv x/y in TEME instead of ITRS",
        "sim/export/track.py",
        '"x_km": np.round(eph.r_itrs_km[:, 0], 4),\n'
        '        "y_km": np.round(eph.r_itrs_km[:, 1], 4),',
        '"x_km": np.round(eph.r_teme_km[:, 0], 4),\n'
        '        "y_km": np.round(eph.r_teme_km[:, 1], 4),',
        [E + "::test_track_csv_every_column_against_skyfield"],
    ),
    (
        "the OEM without the frame bias",
        "sim/export/oem.py",
        'm = np.einsum("ij,kjn->nik", ICRS_to_J2000, gcrs_to_teme)',
        'm = np.einsum("ij,kjn->nik", np.eye(3), gcrs_to_teme)',
        [E + "::test_oem_states_to_a_centimetre"],
    ),
    (
        "OEM velocity left in TEME",
        "sim/export/oem.py",
        'v[ok] = np.einsum("nij,nj->ni", m, eph.v_teme_km_s[ok])',
        "v[ok] = eph.v_teme_km_s[ok]",
        [E + "::test_oem_states_to_a_centimetre"],
    ),
    (
        "duplicate station names accepted",
        "sim/scenario.py",
        "if n in snames[:i]:",
        "if False:",
        [D + "::test_duplicate_station_names_are_refused"],
    ),
    (
        "event latitude/longitude swapped in the summary",
        "sim/replay.py",
        '"iss_lat_deg": round(float(lat[n]), 4),\n'
        '                "iss_lon_deg": round(float(lon[n]), 4),',
        '"iss_lat_deg": round(float(lon[n]), 4),\n'
        '                "iss_lon_deg": round(float(lat[n]), 4),',
        [E + "::test_summary_events_and_stations"],
    ),
    (
        "event mission elapsed time with the wrong sign",
        "sim/replay.py",
        "round((jd[n] - launch_jd) * DAY_S, 3)",
        "round((launch_jd - jd[n]) * DAY_S, 3)",
        [E + "::test_events_csv_against_the_scenario_and_skyfield"],
    ),
    (
        "track.csv met_s with the wrong sign",
        "sim/export/track.py",
        "((eph.times.whole - whole) + (eph.times.fraction - (launch_jd - whole))) * 86400.0, 3",
        "-((eph.times.whole - whole) + (eph.times.fraction - (launch_jd - whole))) * 86400.0, 3",
        [E + "::test_track_csv_every_column_against_skyfield"],
    ),
    (
        "KML track coordinates latitude first",
        "sim/export/kml.py",
        "for row in zip(lon.tolist(), lat.tolist(), alt_m.tolist(), strict=True)",
        "for row in zip(lat.tolist(), lon.tolist(), alt_m.tolist(), strict=True)",
        [E + "::test_kml_track_stations_and_events"],
    ),
    (
        "CZML positions in TEME instead of Earth-fixed",
        "sim/export/czml.py",
        "    xyz_m = eph.r_itrs_km[idx] * 1000.0\n    samples",
        "    xyz_m = eph.r_teme_km[idx] * 1000.0\n    samples",
        [E + "::test_czml_positions_stations_passes_and_events"],
    ),
    (
        "rise azimuth reported from the set",
        "sim/passes.py",
        "rise_azimuth_deg=float(az_rise[n]),",
        "rise_azimuth_deg=float(az_set[n]),",
        [D + "::test_pass_azimuths_and_elevations_match_skyfield"],
    ),
    (
        "magnitude standard -1.3 instead of -1.8",
        "sim/passes.py",
        "ISS_STANDARD_MAGNITUDE = -1.8",
        "ISS_STANDARD_MAGNITUDE = -1.3",
        [D + "::test_peak_magnitude_from_an_independent_phase_angle"],
    ),
    (
        "magnitude with 2.5 log10 of the range",
        "sim/passes.py",
        "standard_magnitude + 5.0 * np.log10(np.asarray(range_km) / 1000.0)",
        "standard_magnitude + 2.5 * np.log10(np.asarray(range_km) / 1000.0)",
        [D + "::test_peak_magnitude_from_an_independent_phase_angle"],
    ),
    (
        "map track colours swapped",
        "sim/plots/maps.py",
        "colours.append(SUNLIT if state[a] else ECLIPSE)",
        "colours.append(ECLIPSE if state[a] else SUNLIT)",
        [P + "::test_map_colours_sunlit_track_by_the_conical_shadow"],
    ),
    (
        "the night drawn on the day side",
        "sim/plots/maps.py",
        "return np.degrees(alt, out=alt)",
        "return -np.degrees(alt, out=alt)",
        [P + "::test_night_is_drawn_opposite_the_subsolar_point"],
    ),
    (
        "the sky plot mirrored east-west",
        "sim/plots/sky.py",
        "ax.set_theta_direction(-1)",
        "ax.set_theta_direction(1)",
        [P + "::test_sky_plot_east_is_right_and_the_path_is_the_pass"],
    ),
    (
        "every pass drawn as visible",
        "sim/plots/sky.py",
        "vis = (seconds >= t0) & (seconds <= t1)",
        "vis = np.ones(len(seconds), dtype=bool)",
        [P + "::test_sky_plot_marks_only_the_visible_part"],
    ),
    (
        "the altitude panel plotting latitude",
        "sim/plots/timeline.py",
        "orbit_altitudes(jd, eph.lat_deg[ok], eph.alt_km[ok])",
        "orbit_altitudes(jd, eph.lat_deg[ok], eph.lat_deg[ok])",
        [P + "::test_altitude_panel_plots_the_height_above_wgs84"],
    ),
    (
        "timeline marks every pass as visible",
        "sim/plots/timeline.py",
        "vis = [p for p in mine if p.visible]",
        "vis = mine",
        [P + "::test_timeline_counts_and_places_every_pass"],
    ),
    (
        "footprints ignoring the mask",
        "sim/plots/maps.py",
        "footprint(st.lat_deg, st.lon_deg, altitude_km, st.min_elevation_deg)",
        "footprint(st.lat_deg, st.lon_deg, altitude_km, 0.0)",
        [P + "::test_footprint_radius_follows_the_mask"],
    ),
    (
        "the phase bars all zero",
        "sim/plots/window.py",
        "phases = np.array([o.phase_deg for o in window.opportunities])",
        "phases = np.zeros(len(window.opportunities))",
        [P + "::test_phase_bars_are_the_phase_angles_of_the_opportunities"],
    ),
    (
        "lead of the lift-off with the wrong sign",
        "sim/mission.py",
        "(nearest.in_plane_jd - launch_jd) * DAY_S,",
        "(launch_jd - nearest.in_plane_jd) * DAY_S,",
        [M + "::test_launch_window_table_is_fresh_output"],
    ),
    (
        "insertion point moved uprange instead of downrange",
        "sim/mission.py",
        "p = p * math.cos(d) + np.cross(h, p) * math.sin(d)",
        "p = p * math.cos(d) - np.cross(h, p) * math.sin(d)",
        [M + "::test_launch_window_table_is_fresh_output"],
    ),
    (
        "the naked-eye (default) mask changed",
        "sim/passes.py",
        '"naked-eye": VisibilityPreset("naked-eye", 10.0, -6.0)',
        '"naked-eye": VisibilityPreset("naked-eye", 8.0, -6.0)',
        [M + "::test_minsk_table_is_fresh_output"],
    ),
]


def run(scratch: Path, tests: list[str]) -> str:
    env = dict(os.environ, PYTHONPATH=str(scratch), MPLBACKEND="Agg")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not soak"]
    proc = subprocess.run(
        cmd + tests, cwd=scratch, env=env, capture_output=True, text=True, timeout=900
    )
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", proc.stdout, re.M)
    return failed[0] if failed else ("(error)" if proc.returncode not in (0, 1) else "")


def main(scratch: Path) -> int:
    print("| wrong answer | file | caught by |")
    print("|---|---|---|")
    missed = 0
    for name, rel, old, new, tests in WRONG:
        path = scratch / rel
        text = path.read_text()
        if text.count(old) != 1:
            print(f"| {name} | `{rel}` | NOT CHECKED: text to replace not found once |")
            missed += 1  # the code moved on: the entry must follow it
            continue
        path.write_text(text.replace(old, new))
        try:
            caught = run(scratch, tests)
        finally:
            path.write_text(text)
        missed += not caught
        print(f"| {name} | `{rel}` | {f'`{caught}`' if caught else 'NOT CAUGHT'} |", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))
