"""List mutmut's surviving mutants with the line each changes, and sort them into the kinds of
docs/mutation.md: equivalent ones (with the reason) and the rest (open). Run after
benchmarks/mutation.sh; prints a Markdown table."""

from __future__ import annotations

import re
import subprocess
import sys

#: sim.ephemeris (issue 18, read one by one on the run of 2026-11-25): (mutant-name pattern,
#: diff pattern, reason). The trust-rule shortcut, the chunk flags and the choice between two
#: SGP4 paths only decide how much work is done: the rule, check_states or the other path then
#: gives the same answer.
EPHEMERIS_RULES = [
    # the outputs' memory (span2), re-run by mutmut on main 2026-11-26
    (
        r"x__teme_by_runs_|x_propagate_",
        r"(\}, False\)\n\+.*\}, None\)|shared=False,.*\n\+\s*shared=None,)",
        "equivalent: None is falsy like False: the same private arrays",
    ),
    (
        r"x__teme_by_runs_",
        r"\}, False\)\n\+.*\}, True\)",
        "equivalent: r, v and err of the pass search in one shared mapping instead of private "
        "memory; no worker writes them, the values are the same",
    ),
    (
        r"x_propagate_",
        r"shared=False,.*\n\+\s*shared=True,",
        "killed by `tests/test_output_memory.py::test_large_outputs_carry_the_no_huge_page_advice`",
    ),
    # branch survA: the last three open ones, each confirmed by `mutmut run NAME`
    (
        r"x__check_span_",
        r"bounds <= jd_last\)\]\n\+.*bounds < jd_last\)\]",
        "killed by `tests/test_units_ephemeris3.py::"
        "test_a_set_taking_over_exactly_at_the_last_instant_still_bounds_the_run_before_it`",
    ),
    (
        r"x__in_order_",
        r"range\(0, whole\.size - 1, block\).*\n\+.*whole\.size - 2",
        "killed by `tests/test_units_ephemeris3.py::"
        "test_a_grid_of_whole_blocks_plus_two_whose_last_pair_is_out_of_order`",
    ),
    # read one by one on the run of merged main (2026-11-25 22:10, after the track2 rewrite of
    # _check_span, _in_order and the Sun table's calls)
    (
        r"xǁSunTableǁ__init___",
        r"range\(0, n, SUN_KNOTS_PER_CALL\)",
        "equivalent: calls skyfield one knot at a time instead of 96 (same bits per knot: the "
        "block size only keeps OpenBLAS in this thread); only the time changes",
    ),
    (
        r"x__check_span_",
        r"-.*if n > 1 and _in_order.*\n\+.*if n (>= 1|> 2) and",
        "equivalent: for one or two instants the shortcut and the full check test the same "
        "instants (both are ends); catalogue.check_span raises the same",
    ),
    (
        r"x__check_span_",
        r"jd_first, jd_last = .*\n\+.*(fraction\[1\], whole|fraction\[\+1\])",
        "equivalent: jd_first/jd_last only pick the shortcut's quick bounds and the boundaries "
        "inside; instants 0 and n - 1 are ends and are checked in full by the rule anyway, and a "
        "boundary moved by one step is found by the bisection at the same index",
    ),
    (
        r"x__check_span_",
        r"bounds\[\(bounds > jd_first\).*\n\+.*bounds >= jd_first",
        "equivalent: a set starting exactly at the first instant adds index 0 (and -1, clipped "
        "to 0), already an end",
    ),
    (
        r"x__in_order_",
        r"range\(0, whole\.size - 1, block\).*\n\+.*whole\.size \+ 1",
        "equivalent: the extra block starts past the end: its slice is empty and np.all of "
        "nothing is True",
    ),
    (
        r"x__in_order_",
        r"jd\[1:\] >= jd\[:-1\].*\n\+.*jd\[1:\] > jd\[:-1\]",
        "equivalent: a repeated instant makes the grid 'not in order', so it is checked in full "
        "by catalogue.check_span, which raises the same",
    ),
    (
        r"x__check_span_",
        r"-.*if jd\.size > 1 and.*\n\+.*(jd\.size >= 1|jd\.size > 2|bool\(None\)|np\.all\(None\)"
        r"|jd\[1:\] > jd\[:-1\])",
        "equivalent: decides only whether the shortcut is tried (for one instant it is exact "
        "too); otherwise catalogue.check_span, the rule itself, raises the same",
    ),
    (r"x__check_span_", r'side="left"\)', "equivalent: side='left' is searchsorted's default"),
    (
        r"x__check_span_",
        r"first\]+\), 0, None\)\)\n\+.*first\]+\), None, None\)\)",
        "equivalent: no index is below 0 (every boundary kept lies after the first instant, so "
        "the first instant k of its set is at least 1), and index -1 would be the last instant, "
        "already an end; checked: 3,000 random ordered grids, none differs "
        "(benchmarks/mutation_equivalence_span.py)",
    ),
    (
        r"x__check_span_",
        r"\+\s+ends = None",
        "equivalent: whole[None] holds every instant: the shortcut checks them all",
    ),
    (
        r"x__check_span_",
        r"age_d = .*\n\+.*(\) \* 24\.0|age_hours\(None|age_hours\(whole\[ends\], None\)"
        r"|age_hours\(fraction\[ends\]\)|age_hours\(whole\[ends\], \))",
        "equivalent: the ages come out too large or NaN, so the shortcut is not taken and the "
        "rule decides",
    ),
    (
        r"x__check_span_",
        r"if bool\(np\.all\(np\.abs\(age_d\) <.*\n\+.*(bool\(None\)|np\.all\(None\)|<= catalogue"
        r"|- 1\.000001)",
        "equivalent: the shortcut is taken less often (or also at exact equality with the "
        "margin); the rule decides the rest",
    ),
    (
        r"x__chunk_size_",
        r"chunks % 3|chunks -= |chunks > 2|max\(2, |\(n\) and False",
        "equivalent: the chunk size changes no value (one chunk or many, one process or "
        "several give the same bits, test_parallel); only memory and speed",
    ),
    (
        r"x__polar_motion_",
        r"xp == 1\.0|yp == 1\.0",
        "equivalent for every pole angle: the zero-angle shortcut is skipped (W with zero angles "
        "is the identity) or taken at exactly 1 rad, which no pole reaches (below 1e-5 rad)",
    ),
    (
        r"x__polar_motion_",
        r"\(scratch is None\) (and False|or True)|scratch is not None",
        "equivalent: a fresh column instead of the scratch one; the same values",
    ),
    (
        r"x__polar_motion_",
        r"np\.empty\((None|np\.shape\(None\))\)",
        "equivalent: reached only without a scratch column, and every caller in sim passes one",
    ),
    (
        r"x__propagate_range_",
        r"age_hours\(w, f, (None|)\)",
        "equivalent: age_hours finds the same set index itself",
    ),
    (
        r"x__propagate_range_",
        r"good = bool\(\(err == 0\)\.any\(\)\)\n\+\s+good = (None|bool\(None\))"
        r"|flags\[\"good\"\]\[c // size\] = good\n\+.*= None"
        r"|flags\[\"refused\"\]\[c // size\] = False\n\+.*= (None|True)",
        "equivalent: the chunk flags only decide whether propagate runs check_states over the "
        "whole grid; these make it run more often, and it raises only what the rule refuses",
    ),
    (
        r"x__sgp4_into_|x__teme_by_runs_",
        r"fill = getattr\(.*\n\+\s+fill = (None|getattr\(None|getattr\(catalogue\.sets\[0\]\.satrec"
        r", (\"_sgp4\", \)|\"XX_sgp4XX\"|\"_SGP4\"))",
        "equivalent: without the buffer-filling call the other path (one sgp4_array per set, "
        "or catalogue.teme) gives the same states, slower",
    ),
    (
        r"x__sgp4_into_",
        r"if fill is not None and cuts\.size \+ 1 <= len\(catalogue\):\n\+",
        "equivalent: chooses between two paths that give the same states (one call per run of "
        "a set, or one per set); test_units_ephemeris2 checks both",
    ),
    (
        r"x__teme_by_runs_",
        r"if n == 0 or fill is None or cuts\.size \+ 1 > len\(catalogue\):\n\+\s+if n == 0 or "
        r"(fill is None and|fill is not None|fill is None or cuts\.size (- 1|\+ 2|\+ 1 >=))",
        "equivalent: chooses between two paths that give the same states (one call per run of "
        "a set, or catalogue.teme); test_units_ephemeris2 checks both",
    ),
    (
        r"x__teme_by_runs_",
        r"if \(n\) or True else|else np\.array\(\[\], (dtype=None|)\)",
        "equivalent: the cuts of no instants are empty either way (and never read: n == 0 "
        "returns first)",
    ),
    (
        r"x__teme_to_itrs_columns_",
        r"order=\"C\"\)  #.*\n\+.*(order=None|order=\"c\"|np\.float64, \))",
        "equivalent: memory layout only (numpy reads 'c' as 'C')",
    ),
    (
        r"x__teme_to_itrs_columns_|x__geodetic_columns_",
        r", out=\w+\).*\n\+.*(, out=None\)|, \))",
        "equivalent: the result goes into a new array instead of a scratch column; the same "
        "values, and no later step reads what it would have overwritten",
    ),
    (
        r"x__teme_to_itrs_columns_",
        r"_polar_motion\(.*, t\).*\n\+.*_polar_motion\(.*(, None\)|, \))",
        "equivalent: _polar_motion allocates its own scratch column; the same values",
    ),
    (
        r"x_itrs_at_|SunTableǁitrs_",
        r"theta, 0\.0, xp, yp\)(\[0\])?\n\+.*theta, (None|1\.0), xp, yp\)",
        "equivalent: the rotation rate is used only for velocities, and none is asked",
    ),
    (
        r"x_geodetic_to_itrs_",
        r"dtype=float\)",
        "equivalent: np.radians and the float arithmetic that follows convert numbers alike",
    ),
    (
        r"x_propagate_",
        r"max_samples: int = 20_000_000",
        "equivalent in practice: differs only for a grid of exactly 20,000,001 instants "
        "(8 GB), refused by the memory check first on a machine with less",
    ),
    (
        r"x_propagate_",
        r"shared=count > 1,\n\+\s+shared=count >= 1,",
        "equivalent: shared memory for one process holds the same values",
    ),
    (
        r"x_propagate_",
        r"\(n > 1 and not flags.*\n\+.*\(n > 1 or not",
        "equivalent: the whole-grid check_states then runs for every grid of more than one "
        "instant; it raises only what the rule refuses",
    ),
    (
        r"x_propagate_",
        r"\(n > 1 and not flags.*\n\+.*\(n >= 1 and not",
        "equivalent: for one instant check_states refuses nothing when SGP4 failed (it refuses "
        "only spans without one good instant)",
    ),
    (
        r"x__teme_by_runs_",
        r"return catalogue\.teme\(whole, fraction, index\)\n\+.*fraction, (None|)\)",
        "equivalent: catalogue.teme finds the same set index itself",
    ),
    (
        r"x__teme_by_runs_|x_propagate_",
        r"dtype=np\.float64\)\n\+.*(dtype=None\)|, \))",
        "equivalent: the arrays are float64 already (TimeGrid and every caller)",
    ),
    (
        r"x_gmst_rad_",
        r"if whole\.size < 2:|w0 = float\(whole\.flat\[0\]\)|f0 = float\(frac_ut1\.flat\[0\]\)"
        r"|if lo >= 0\.0 and hi <= GMST_ANCHOR_DAYS:\n\+.*(lo > 0\.0|lo >= 1\.0|hi < GMST)"
        r"|\+ 1\)\n\+.*(hi \* GMST|\+ 2\))"
        r"|first = np\.floor\(lo / GMST_ANCHOR_DAYS\)\n\+.*lo \* GMST",
        "equivalent within nanoradians: another anchor, another origin or the exact formula, "
        "or extra anchors never used; every choice equals theta_GMST1982 to a few nanoradians "
        "(GMST_TOLERANCE_RAD = 1e-8 in the tests)",
    ),
    (
        r"x_shadow_state_",
        r"np\.minimum\(1\.0, SUN_RADIUS_KM / d_sun\)\n\+.*np\.minimum\(2\.0",
        "equivalent: R_sun / d exceeds 1 only inside the Sun",
    ),
    (
        r"x_shadow_state_",
        r"state\[cos_sep (> (?P<c>cos_e \* cos_s - )|>= (?P<d>cos_e \* cos_s \+ )).*\n"
        r"\+\s+state\[cos_sep (>= cos_e \* cos_s - |> cos_e \* cos_s \+ )",
        "equivalent except where the cosine of the separation equals the cone's exactly "
        "(below rounding)",
    ),
    (
        r"SunTableǁ__init___",
        r"step_s: float = 3600\.0, knots=None",
        "equivalent: every caller passes step_s",
    ),
    (
        r"SunTableǁ__init___",
        r"n = max\(2, .*\n\+\s+n = max\((3, |2, .*\+ 3\))",
        "equivalent: one knot more over the same span: the table is at least as accurate",
    ),
    (r"SunTableǁ__init___", r"\+\s+self\.dense = None", "equivalent: None is false like False"),
    (
        r"SunTableǁ__init___",
        r"eph\[\"(SUN|EARTH)\"\]",
        "equivalent: skyfield finds a kernel's bodies by name whatever the case",
    ),
    (
        r"SunTableǁover_",
        r"return cls\(w0, 0\.0, 0\.0, .*\n\+\s+return cls\(w0, (0\.0|None|1\.0), (0\.0|None|1\.0)",
        "equivalent: days_lo and days_hi are not read when the knots are given",
    ),
    (
        r"SunTableǁteme_",
        r"i = np\.clip\(np\.searchsorted\(self\.knots, days\), 1, self\.knots\.size - 1\)\n\+",
        "equivalent: the bounds matter only for an instant on the first knot (its interval is "
        "one step: no false refusal) or past the last (already refused as outside)",
    ),
    (
        r"SunTableǁteme_",
        r"> 1\.000001 \* self\.step_days\):\n\+.*>= 1\.000001",
        "equivalent: an over() table's knots are whole steps apart; 1.000001 steps never occurs",
    ),
]


#: (pattern on the removed + added lines, verdict). First match wins. Each "equivalent" reason
#: says why no input can tell the mutant from the original.
RULES = [
    (
        r"strict=True.*\n\+.*(strict=(False|None)|, \))",
        "equivalent: zip of sequences of equal length by construction; strict= only checks that",
    ),
    (
        r"dtype=float.*\n\+.*(dtype=None|\(\w+(\[.*\])?, \))",
        "equivalent: the input is already a float array (numpy's default dtype)",
    ),
    (r"astype\(float\).*\n\+.*astype\(None\)", "equivalent: astype(None) is float64"),
    (
        r"\) > tol_s.*\n\+.*\) >= tol_s",
        "equivalent: stops one round later only when the bracket equals the tolerance exactly",
    ),
    (
        r"np\.clip\(enu\[:, 2\] / rng",
        "equivalent: |up / range| <= 1 for every vector; the clip "
        "guards rounding at the exact zenith only",
    ),
    (r"einsum\(\"[a-z,>-]+\"", "equivalent: einsum subscripts in upper case name the same axes"),
    (
        r"POINT_BUDGET|np\.clip\(POINT_BUDGET|frac = np\.arange\(1, m \+ 1\)",
        "equivalent: points per "
        "round of the root search; the bracket still shrinks to the same tolerance",
    ),
    (r"separators=|indent=", "JSON whitespace only (readers get the same data)"),
    (r"UMBRA, 1\.0, -1\.0\)", "equivalent: the root search reads only the sign of darkness()"),
    (
        r"True, 0\.01\)\n\+.*True, \)|False, 0\.01\)\n\+.*False, \)",
        "equivalent within the "
        "documented precision: the default tolerance (0.005 s) is finer than 0.01 s",
    ),
    (
        r"t\[\(t > a\) & \(t < b\)\]",
        "equivalent: a coarse instant equal to rise or set repeats "
        "that instant; a zero-length step changes no shadow state",
    ),
    (r"jd_to_iso\(w, jd - w, 3\)\n\+.*jd - w, \)", "equivalent: 3 digits is jd_to_iso's default"),
    (
        r'f\.name != "extra"',
        "equivalent: keys outside PASS_FIELDS are dropped when the dict is returned",
    ),
    (
        r"pd\.to_datetime\(frame\[column\], utc=True, format=\"ISO8601\"\)",
        "equivalent: the texts "
        "end in Z, so pandas makes UTC-aware ISO 8601 times whatever utc= and format= say",
    ),
    (
        r"part = slice\(a, min\(n, a \+ PROPAGATE_CHUNK\)\)",
        "equivalent: a longer first slice is overwritten by the later chunks with the same values",
    ),
    (r"age_hours\(w, f, index\[part\]\)", "equivalent: age_hours finds the same set index itself"),
    (r'tz_localize\("UTC"\)', "equivalent: pandas reads the zone name without case"),
    (r'ev\.add\("dtend"', "equivalent: icalendar writes property names in upper case"),
    (r"outputs\.get\(fmt, False\)", "equivalent: the default is only tested for truth"),
    (
        r"grid\.fraction\[idx \+ 1\]\n\+.*idx \+ 2\]",
        "equivalent in practice: the bisection "
        "bracket grows by one 60 s step; the next plane crossing is 12 h away",
    ),
    (
        r"sel &= jd <= end_jd \+ 1e-9\n\+.*< end_jd",
        "equivalent: the 1e-9 day margin keeps a sample at the end either way",
    ),
    (r"continue  # the preset's mask", "equivalent: the skipped value is the loop's last"),
    (
        r"n > MANY_INTERVALS",
        "equivalent: 128 intervals are searched by golden section instead of "
        "the 16-point search; both reach the same tolerance",
    ),
    (r"left = fa >= fb", "equivalent except on exact ties of two samples (a flat top)"),
    (
        r"np\.where\(left, a, lo \+ GOLDEN",
        "equivalent: lo + G (hi - lo) after the step equals the "
        "old a, since G^2 = 1 - G (rounding only)",
    ),
]

#: sim.mission (issue 18, read one by one on the run of 2026-11-25 at 38d2d8b).
MISSION_RULES = [
    (
        r"x__geometry_",
        r"r / np\.linalg\.norm\(r, axis=1\)\[:, None\], err\n\+.*r \* np\.linalg\.norm",
        "equivalent: the ISS direction enters only phase_angle_deg's atan2 of two of its "
        "components, whose ratio its length does not change",
    ),
    (
        r"x_plane_offset_deg_",
        r"np\.clip\(np\.einsum\(\"ij,ij->i\", s, h\), -1\.0, 1\.0\)",
        "equivalent: s and h are unit vectors, |s.h| <= 1 up to rounding; the clip guards "
        "rounding only",
    ),
    (
        r"x__ascending_",
        r"z = np\.array\(\[0\.0, 0\.0, 1\.0\]\)\n\+.*\[0\.0, 0\.0, 2\.0\]",
        "equivalent: a longer north vector; only the sign of the product is read",
    ),
    (
        r"x__ascending_",
        r"north = z - s \* \(s @ z\)\[:, None\]\n\+.*north = z (\+ s \*|- s /)",
        "equivalent: h x s is perpendicular to s, so the s term of north drops out of the "
        "product (s.z is never exactly 0: the pole angles tilt even an equatorial pad off the "
        "TEME equator)",
    ),
    (
        r"x__ascending_",
        r"north\) > 0\n\+.*north\) >= 0",
        "equivalent: the product is 0 only for a pad at the latitude of the inclination, which "
        "touches the plane without crossing it",
    ),
    (
        r"x_phase_angle_deg_",
        r"p = s - h \* np\.einsum|p /= np\.linalg\.norm\(p",
        "equivalent: the phase is atan2 of two in-plane components; these change only the "
        "length of p's in-plane part, or its part along h, which neither component reads",
    ),
    (
        r"x_in_plane_opportunities_",
        r"step_s: float = 60\.0",
        "equivalent: the coarse step of the crossing search; crossings are hours apart and the "
        "bisection reaches 0.01 s from any step",
    ),
    (
        r"x_in_plane_opportunities_",
        r"w0 = grid\.whole\[0\]\n\+.*grid\.whole\[1\]|grid\.whole\[idx \+ 1\] - w0\).*\n\+.*"
        r"grid\.whole\[idx (- 1|\+ 2)\]",
        "equivalent: TimeGrid.span gives every instant the same whole day (the fraction runs "
        "on), so any index of grid.whole is w0",
    ),
    (
        r"x_in_plane_opportunities_",
        r"\* DAY_S > 0\.01:\n\+.*\* DAY_S >= 0\.01:",
        "equivalent: stops one halving later only at exact equality with 0.01 s",
    ),
    (
        r"x_assess_launch_",
        r"span = 0\.75",
        "equivalent: a wider search holds the same nearest crossing (slower)",
    ),
    (
        r"x_assess_launch_",
        r"^-\s+(insertion_s=insertion_s,|downrange_deg=downrange_deg,)",
        "equivalent: assess_launch reads only the in-plane instants of the opportunities, "
        "which insertion_s and downrange_deg do not change",
    ),
    (
        r"Opportunityǁto_dict_",
        r"round\(self\.phase_deg, 2\)",
        "killed by `tests/test_units_mission3.py::"
        "test_launch_window_json_numbers_to_the_documented_precision` (the README now states "
        "the JSON's precision: phase angles to 0.01 deg)",
    ),
]


RULES = EPHEMERIS_RULES + MISSION_RULES + RULES


def first_failing_tests(names: list[str], tests: list[str], timeout_s: float = 120.0) -> dict:
    """For each mutant, the first of ``tests`` (pytest node ids or files) that fails with it
    active, or None when all pass: mutmut's own mechanism (``MUTANT_UNDER_TEST`` in the trampolined
    copy under mutants/), run by hand so that the report can name the test. One forked pytest per
    mutant after the heavy imports are done once; run from the repository root after
    ``mutmut run`` (which writes mutants/)."""
    import importlib
    import os
    import signal

    import pytest

    root = os.getcwd()
    os.chdir("mutants")
    sys.path.insert(0, os.getcwd())
    sys.path.insert(1, os.path.join(root, "tests"))
    for module in ("numpy", "skyfield.api", "sim", "sim.ephemeris", "sim.mission", "reference"):
        importlib.import_module(module)
    paths = [t if t.startswith("/") else os.path.join(root, t) for t in tests]

    class First:
        failed: str | None = None

        def pytest_runtest_logreport(self, report):
            if report.failed and First.failed is None:
                First.failed = report.nodeid

    out = {}
    for name in names:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: the mutant active, stop at the first failure
            os.close(read)
            os.environ["MUTANT_UNDER_TEST"] = name
            signal.alarm(int(timeout_s))
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            try:
                pytest.main(
                    [*paths, "-x", "-q", "-p", "no:cacheprovider", "-m", "not soak"],
                    plugins=[First()],
                )
            finally:
                os.write(write, (First.failed or "").encode())
                os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 4096):
            chunks.append(chunk)
        os.close(read)
        _pid, status = os.waitpid(pid, 0)
        text = b"".join(chunks).decode()
        if os.WIFSIGNALED(status):
            text = "(timeout)"
        out[name] = text or None
        print(f"{name}: {out[name] or 'survived'}", file=sys.stderr)
    os.chdir(root)
    return out


# ---- passes and export (branch mutpe, issue 18) ---------------------------------------------
# Rules for survivors of sim/passes.py and sim/export/*, consulted before RULES above. Where a
# reason says "checked", the mutant and the original were run in one process (mutmut's
# trampolines, MUTANT_UNDER_TEST switched between calls) over 17 pass-search scenarios (three
# stations over two days, a horizon mask, 150 stations, umbra exits, windows starting or ending
# at a rise, a set, a culmination, inside a pass, a decaying object) and compared field by field.
PRECISION = "equivalent within the documented precision (0.005 s): "
PASSES_EXPORT_RULES = [
    (
        r"\+.*(sun_rise >= 0\)|sun_set >= 0\)|sun_rise\[idx\] >= 0|sun_rise < 0\)|sun_set < 0\))",
        "equivalent: differs only where the Sun's altitude equals the limit to the last bit",
    ),
    (
        r"\+.*(if b < x or a >= y|if b <= x or a > y|if a >= x:|if b <= y:)",
        "equivalent: differs only when an umbra boundary equals a piece boundary exactly, where "
        "it adds a zero-length piece (dropped by the 0.5 s rule) or keeps the same piece",
    ),
    (
        r"\(k - 1\)\n\+.*\(k - 2\)",
        "equivalent: a wider bracket still holds the peak and shrinks to the same tolerance",
    ),
    (
        r"teme_to_itrs\(r_teme, None, theta, 0\.0",
        "equivalent: no velocity is rotated (v=None), so the Earth's rotation rate is unused",
    ),
    (
        r"coarse_step_s: float = 120\.0",
        PRECISION + "the coarse step only places the samples "
        "the search starts from (checked: largest difference 0.002 s)",
    ),
    (
        r"candidate_margin_deg: float = 20\.0",
        "equivalent: a wider margin adds candidate maxima "
        "further below the mask, all dropped (checked: same passes)",
    ),
    (
        r"grid\.whole\[1\]",
        "equivalent: the base day only moves the origin of the seconds, and "
        "geo.jd adds it back (rounding 1e-11 s; checked: same passes)",
    ),
    (
        r"f, -90\.0\)\n\+.*f, -91\.0\)",
        "equivalent: any value far below every mask marks a failed sample",
    ),
    (
        r"\+.*(\(f\[1:-1\] > f\[:-2\]\)|\(f\[1:-1\] >= f\[2:\]\)|\(f\[1:-1\] >= -candidate"
        r"|if f\[i\] >= 0\]|keep = f_max >= 0|margins\[k\] <= 0|reshape\(n, m\) > 0)",
        "equivalent: differs only at an exact tie (two equal coarse samples, a margin of "
        "exactly 0 or -20 deg)",
    ),
    (
        r"\+.*(ci - 2, 0|ci \+ 2, t\.size|jj \+ 2, t\.size|mm - 2, 0)",
        PRECISION + "a bracket "
        "one coarse step wider holds the same maximum or crossing (checked: largest 0.004 s)",
    ),
    (
        r"\+.*(ci - 1, 1\)|ci \+ 1, t\.size - 2\)|jj \+ 1, t\.size [+-] [0-9]\)|neg\.size - 2, 0\)"
        r"|neg\.size - 1, 1\)|jj \+ 1, t\.size\)|jj \+ 1, None)",
        "equivalent: the clamp is reached only by a candidate at the window edge or an open end, "
        "whose value is not used there (checked: same passes)",
    ),
    (
        r"at_edge|edge_is_max|f_max = np\.where\(None",
        PRECISION + "the edge-is-the-maximum "
        "shortcut only swaps a refined maximum within 0.0025 s of the edge for the edge sample; "
        "open passes' culminations are searched again (checked: largest 1e-4 deg)",
    ),
    (
        r"\(neg\.size\) or True",
        "equivalent: searchsorted over no samples gives the else branch's value",
    ),
    (
        r"searchsorted\(t\[neg\], tm, \)|searchsorted\(t, lo, \)",
        "equivalent: side='left' is "
        "numpy's default, and a maximum above the mask never equals a sample below it",
    ),
    (
        r"\+.*(rise_lo|rise_hi|set_hi|set_lo)\[sel\] = np\.where\(has_[jm], .*, (None|1\.0|"
        r"t_end\)|0\.0\))|has_j, np\.minimum",
        "equivalent: the bracket of an open start or end "
        "is never searched (its time is the window edge)",
    ),
    (
        r"set_hi\[closed\], False\n\+.*None|False, 0\.01\)\n\+.*None, 0\.01\)",
        "equivalent: None is falsy like False",
    ),
    (
        r"True, 0\.01\)\n\+.*\], 0\.01\)",
        "equivalent: rising=0.01 is truthy, and the default tolerance 0.005 s is finer than 0.01 s",
    ),
    (
        r"rising, 0\.5$",
        "equivalent within the documented precision: the default tolerance "
        "(0.005 s) is finer than the 0.5 s asked for the twilight crossing",
    ),
    (
        r"np\.round\(rise, 2\)",
        "equivalent: the sort only has to bring the maxima of one pass "
        "(rises within 0.05 s) together; any rounding does",
    ),
    (
        r"u = np\.array\(unique, dtype=int\)|for n in unique\], dtype=bool\)\n\+.*\], (dtype="
        r"None)?\)",
        "equivalent: a list of Python ints (bools) is already an int (bool) array",
    ),
    (
        r"single = np\.array|search = geo\.has_mask",
        PRECISION + "which passes get their "
        "culmination searched again; the refined maximum and the searched culmination agree "
        "(checked: largest 0.001 s)",
    ),
    (
        r"inside = np\.zeros\(t\.size \+ 1, dtype=np\.int32\)",
        "equivalent: float counts give the same cumulative sums",
    ),
    (r"np\.clip\(cos_p, -1, 1\)", "equivalent: |cos p| <= 1 up to rounding"),
    (
        r"to_sun = r_sun - r_sat\n\+.*r_sun \+ r_sat",
        "equivalent in practice: turns the "
        "direction to the Sun by at most 2 r_sat / r_sun = 1e-4 rad, 0.0002 mag (checked: same "
        "magnitudes to 0.01)",
    ),
    (
        r"samples: int = 25",
        "equivalent within the model's precision: 26 instead of 25 samples "
        "of the visible part find the brightest to 0.01 mag (checked)",
    ),
    # export
    (
        r"edge_points=False",
        "equivalent: the writer reads only seg.index, which edge_points "
        "leaves alone (it adds map-edge points to lon/lat only)",
    ),
    (
        r'"(uid|dtstamp|dtstart|dtend|summary|description|location|transp|prodid|version|'
        r'calscale|x-wr-calname)"',
        "equivalent: icalendar writes property names in upper case",
    ),
    (
        r"np\.full\(sel\.size, -2\)",
        "equivalent: any negative index means no sample below the mask before the maximum",
    ),
    (
        r"else np\.zeros\(sel\.size, (None)?\)$",
        "equivalent: with no sample below the mask m is "
        "only compared with 0 (float zeros compare the same)",
    ),
    (r'(en|de)code\("utf-8"\)', "equivalent: codec names are case-insensitive"),
    (r"allow_nan=False", "equivalent: json_safe has already replaced every NaN and infinity"),
    (
        r"_Tracks\(as_text=(True|False)\)",
        "equivalent by design: the element and the text paths "
        "write the same bytes (test_kml_bytes_are_those_of_the_element_tree)",
    ),
    (
        r"child\.tag == .* and child\.text",
        "equivalent: depths recorded for other elements' text are never looked up",
    ),
    (
        r'round\(ev\["iss_alt_km"\] \* 1000\.0, 1\)',
        "equivalent: event altitudes are whole metres already (sim/replay.py rounds them to 1 m)",
    ),
    (
        r"math\.isnan\(v\)\) and False",
        "equivalent: round(nan) is nan, which json_safe writes as null",
    ),
    (r'"csv", launch_jd=launch\)\n\+.*"CSV"', "equivalent: write_track lower-cases the format"),
    # export, the open rows of the full run (branch mutexp): equivalents found by reading
    (
        r"\+.*(sel|keep) &= jd > start_jd - 1e-9|\+.*keep &= jd < end_jd \+ 1e-9"
        r"|\+.*if not lo - 1e-9 < t <= hi|\+.*if not lo - 1e-9 <= t < hi \+ 1e-9",
        "equivalent in practice: differs only for a time exactly 1e-9 d (86 us) outside the "
        "cut, the edge of the tolerance itself (tests put the cut exactly on samples and burns)",
    ),
    (
        r"\+.*p\.set_jd >= lo and p\.rise_jd < hi|\+.*p\.set_jd > lo and p\.rise_jd <= hi",
        "equivalent in practice: differs only when a refined set (rise) time equals the span's "
        "first (last) sample to the last bit, where it adds a zero-length in-view interval",
    ),
    (
        r'frame: str = "eme2000"',
        "equivalent: the frame name is upper-cased before use",
    ),
    (
        r"step_s: float = 601\.0|n = max\(3, int|DAY_S / step_s\)\) - 1\)"
        r"|\(days\.max\(\) \+ days\.min\(\)\) \* DAY_S|DAY_S / step_s\)\) \+ 2\)",
        "equivalent within far less than a millimetre: the number of knots of the TEME to EME2000 "
        "rotation changes by one or two (650 s instead of 600 s apart: largest change of a "
        "position 3e-9 km over 4 h, measured)",
    ),
    (
        r"w0 = float\(whole\[1\]\)",
        "equivalent: w0 is only the origin of the knots' days and goes back to skyfield with them",
    ),
    (
        r"np\.full_like\(eph\.(r_teme_km|v_teme_km_s), None\)",
        "equivalent: numpy fills a float array with None as NaN",
    ),
    (
        r"previous = \"\"|previous_leg = \"\"",
        "equivalent: an empty text is no element set index (leg) either, like None",
    ),
    (
        r"object_name = legs\[1\]\.trajectory\.object_name",
        "equivalent: legs are grouped by the object's slug, so every leg of a group has its name",
    ),
    (
        r"\[rows\]\.tolist\(\), strict=True\n-\s*\)$",
        "equivalent: rows, positions and velocities have one entry per row by construction",
    ),
    (
        r"\(t\.whole\[row_a\] - t\.whole\[row_b\]\) - \(t\.fraction",
        "equivalent: differs only for rows in different whole Julian days, at least 1 s apart "
        "on every grid, which are not one instant either way",
    ),
    (
        r"t\.fraction\[row_b\]\)\) <= \(",
        "equivalent: differs only for rows exactly 1 microsecond apart",
    ),
    (
        r"d\[:3\]\.isdigit\(\)",
        "equivalent: a designator's launch number is three digits, so its third character is a "
        "digit whenever the first two are",
    ),
    (
        r"key = None|key = \(id\(None\), name\)|hit = None$|hit = _memo\.get\(None\)"
        r"|hit\[1\] is not owner|hit\[0\] is owner:",
        "equivalent: the memo only saves work; on a miss (or a hit of another owner) the value "
        "is computed again, and the memo holds its owner alive so ids cannot be reused",
    ),
    (
        r"once\(eph, None, lambda",
        "equivalent: every caller asks for 3 digits, so one key per ephemeris suffices",
    ),
    (
        r"\(name in \(\"time_utc\", \"element_set_epoch_utc\", \"sunlit\"\)\) or True"
        r"|\"element_set_epoch_utc\", \"(XXsunlitXX|SUNLIT)\"\)",
        "equivalent: a list of numpy floats (or of texts) formats the same as .tolist()'s",
    ),
    (
        r'(good|bad) \+= ",%\.3F"',
        "equivalent: %F differs from %f only for inf and nan, and met_s is finite",
    ),
    (
        r'"%\.7F %\.7F %\.1F" % row',
        "equivalent: %F differs from %f only for inf and nan; failed samples are not written",
    ),
    (
        r"atomic_writer\(path, (newline=None)?\) as f:",
        "equivalent on POSIX: newline=None translates \\n to os.linesep, which is \\n",
    ),
    (
        r'extrasaction="IGNORE"',
        "equivalent: csv.DictWriter lower-cases extrasaction",
    ),
    (
        r'p\.extra\.get\("object", (None)?\)',
        "equivalent: csv writes None as an empty field",
    ),
    (
        r'outputs\.get\("(oem|html)", ',
        "equivalent: the scenario loader fills every [outputs] key (OutputsTable.model_dump), so "
        "the default is never used",
    ),
    (
        r"if \(str\(target\.parent\)\) or True|if str\(None\) else|else Path\(None\)"
        r"|else Path\(\"XX\.XX\"\)",
        "equivalent: str() of a Path's parent is never empty ('.' for a bare name), so the else "
        "branch is never taken",
    ),
    (
        r"self\.as_text = None",
        "equivalent by design: None takes the element path, which writes the same bytes as the "
        "text path (test_kml_bytes_are_those_of_the_element_tree)",
    ),
    (
        r"\* DAY_S <= SAME_INSTANT_S",
        "equivalent: differs only for samples exactly 1 microsecond apart",
    ),
    (
        r"jd_to_datetimes\(math\.floor\(jd\), jd % 1, \)",
        "equivalent: 0 digits is jd_to_datetimes' default",
    ),
    (
        r"mask = os\.umask\(1\)",
        "equivalent: the umask is read by setting any value and restoring the old one",
    ),
]

#: survivors of the full runs killed by tests added afterwards and confirmed by running the test
#: under the mutant in mutants/ (mutmut's own re-run covered the earlier tests)
KML_TEST = "killed by tests/test_units_export.py::test_kml_bytes_are_those_of_the_element_tree"
TWO_MAXIMA = (
    "killed by `tests/test_units_passes2.py::"
    "test_a_pass_with_two_coarse_maxima_across_a_switch_of_element_set`"
)
PASSES_EXPORT_KILLED = {
    # passes, survA: the collapse of two coarse maxima of one pass, each confirmed by mutmut
    **{f"sim.passes.x_find_passes__mutmut_{n}": TWO_MAXIMA for n in (430, 433, 434)},
    "sim.passes.x_find_passes__mutmut_432": "killed by `tests/test_units_passes2.py::"
    "test_two_passes_of_one_station_less_than_a_second_apart_stay_apart`",
    "sim.passes.x_find_passes__mutmut_431": "equivalent: differs only when two rises of one "
    "station are exactly 0.05 s apart: the maxima of one pass get their rise from the same "
    "bracket (equal to the bit in test_units_passes2), and two passes' rises are never exactly "
    "0.05 s apart (checked: same passes in the 17 scenarios and both tests of "
    "test_units_passes2)",
    # a default on the def line, which the listing's diff does not show
    "sim.passes.x__add_magnitudes__mutmut_1": "equivalent within the model's precision: 26 "
    "instead of 25 samples of the visible part find the brightest to 0.01 mag (checked)",
    # defaults on the def line (the listing's diff does not show them), branch mutexp
    **{
        f"sim.export.{name}": "equivalent: the frame name is upper-cased before use"
        for name in (
            "oem.x_oem_text__mutmut_2",
            "oem.x_write_oem__mutmut_2",
            "oem.x_model_oem_texts__mutmut_2",
            "oem.x_write_model_oems__mutmut_2",
            "formats.x_export__mutmut_2",
        )
    },
    "sim.export.oem.x_teme_to_eme2000_matrices__mutmut_1": "equivalent within far less than a "
    "millimetre: knots 601 s apart instead of 600 s (650 s: largest change of a position "
    "3e-9 km over 4 h, measured)",
    **{f"sim.export.kml.x_kml_tree__mutmut_{n}": KML_TEST for n in (1, 2, 3, 4, 6)},
    **{
        f"sim.export.kml.x_kml_bytes__mutmut_{n}": KML_TEST
        for n in (13, 14, 19, 20, 25, 48, 50, 51, 52, 54, 56, 60, 64, 66)
    },
}


def _record_kills(kills: dict) -> None:
    """``{test: (mutant names)}`` into PASSES_EXPORT_KILLED as "killed by `test`"."""
    PASSES_EXPORT_KILLED.update(
        {n: f"killed by `{t}`" for t, names in kills.items() for n in names}
    )


#: mutexp kills: open survivors of the full run, each confirmed killed by running the test
#: with the mutant active (--which-test, mutmut's MUTANT_UNDER_TEST switch)
_MUTEXP_KILLS = {
    "tests/test_units_export.py::test_kml_bytes_are_those_of_the_element_tree": (
        "sim.export.kml.x__kml_tree__mutmut_155",
        "sim.export.kml.x__kml_tree__mutmut_368",
        "sim.export.kml.x__kml_tree__mutmut_369",
        "sim.export.kml.x__model_folder__mutmut_170",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_26",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_27",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_28",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_29",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_30",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_31",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_32",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_33",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_34",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_35",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_36",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_37",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_38",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_39",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_40",
        "sim.export.kml.xǁ_Tracksǁadd__mutmut_41",
    ),
    "tests/test_units_export3.py::test_cospar_designators_of_five_characters": (
        "sim.export.oem.x__cospar__mutmut_3",
        "sim.export.oem.x__cospar__mutmut_4",
    ),
    "tests/test_units_export3.py::test_creation_date_is_utc_in_any_local_zone": (
        "sim.export.oem.x_creation_date_utc__mutmut_6",
        "sim.export.oem.x_creation_date_utc__mutmut_14",
        "sim.export.oem.x_creation_date_utc__mutmut_18",
    ),
    "tests/test_units_export3.py::test_czml_cut_on_burn_instants_keeps_both_ends": (
        "sim.export.czml.x__model_packets__mutmut_17",
        "sim.export.czml.x__model_packets__mutmut_23",
        "sim.export.czml.x__model_packets__mutmut_29",
        "sim.export.czml.x__model_packets__mutmut_158",
        "sim.export.czml.x__model_packets__mutmut_159",
        "sim.export.czml.x__model_packets__mutmut_162",
        "sim.export.czml.x__model_packets__mutmut_163",
        "sim.export.czml.x__model_packets__mutmut_164",
    ),
    "tests/test_units_export3.py::test_czml_events_at_the_ends_of_a_cut_and_without_a_source": (
        "sim.export.czml.x_czml_document__mutmut_287",
        "sim.export.czml.x_czml_document__mutmut_290",
        "sim.export.czml.x_czml_document__mutmut_296",
        "sim.export.czml.x_czml_document__mutmut_313",
        "sim.export.czml.x_czml_document__mutmut_315",
        "sim.export.czml.x_czml_document__mutmut_318",
        "sim.export.czml.x_czml_document__mutmut_335",
        "sim.export.czml.x_czml_document__mutmut_336",
    ),
    "tests/test_units_export3.py::test_czml_iss_two_sample_cut_and_failed_samples_inside_a_cut": (
        "sim.export.czml.x_czml_document__mutmut_6",
        "sim.export.czml.x_czml_document__mutmut_20",
        "sim.export.czml.x_czml_document__mutmut_21",
        "sim.export.czml.x_czml_document__mutmut_49",
    ),
    "tests/test_units_export3.py::test_czml_legs_with_two_samples_or_none_in_the_cut": (
        "sim.export.czml.x__model_packets__mutmut_27",
        "sim.export.czml.x__model_packets__mutmut_28",
        "sim.export.czml.x_czml_document__mutmut_76",
        "sim.export.czml.x_czml_document__mutmut_77",
    ),
    "tests/test_units_export3.py::test_czml_model_sample_times_precision_words_and_burn_moments": (
        "sim.export.czml.x__model_packets__mutmut_32",
        "sim.export.czml.x__model_packets__mutmut_36",
        "sim.export.czml.x__model_packets__mutmut_37",
        "sim.export.czml.x__model_packets__mutmut_38",
        "sim.export.czml.x__model_packets__mutmut_53",
        "sim.export.czml.x__model_packets__mutmut_69",
        "sim.export.czml.x__model_packets__mutmut_70",
        "sim.export.czml.x__model_packets__mutmut_71",
        "sim.export.czml.x__model_packets__mutmut_72",
        "sim.export.czml.x__model_packets__mutmut_73",
        "sim.export.czml.x__model_packets__mutmut_75",
        "sim.export.czml.x__model_packets__mutmut_77",
        "sim.export.czml.x__model_packets__mutmut_78",
        "sim.export.czml.x__model_packets__mutmut_119",
        "sim.export.czml.x__model_packets__mutmut_124",
        "sim.export.czml.x__model_packets__mutmut_169",
        "sim.export.czml.x__model_packets__mutmut_176",
        "sim.export.czml.x__model_packets__mutmut_192",
        "sim.export.czml.x__model_packets__mutmut_193",
        "sim.export.czml.x__model_packets__mutmut_194",
        "sim.export.czml.x__model_packets__mutmut_195",
        "sim.export.czml.x__model_packets__mutmut_202",
        "sim.export.czml.x__model_packets__mutmut_208",
        "sim.export.model.x_modelled_legs__mutmut_21",
        "sim.export.model.x_modelled_legs__mutmut_23",
        "sim.export.model.x_modelled_legs__mutmut_24",
    ),
    "tests/test_units_export3.py::test_czml_times_across_a_julian_day_on_a_fractional_grid": (
        "sim.export.czml.x__model_packets__mutmut_31",
        "sim.export.czml.x__model_packets__mutmut_47",
        "sim.export.czml.x__model_packets__mutmut_48",
        "sim.export.czml.x_czml_document__mutmut_27",
        "sim.export.czml.x_czml_document__mutmut_43",
        "sim.export.czml.x_czml_document__mutmut_44",
    ),
    "tests/test_units_export3.py::"
    "test_geojson_model_features_precision_and_legs_with_few_samples": (
        "sim.export.track.x_geojson_model_features__mutmut_7",
        "sim.export.track.x_geojson_model_features__mutmut_8",
        "sim.export.track.x_geojson_model_features__mutmut_9",
        "sim.export.track.x_geojson_model_features__mutmut_30",
        "sim.export.track.x_geojson_model_features__mutmut_35",
        "sim.export.track.x_geojson_model_features__mutmut_42",
        "sim.export.track.x_geojson_model_features__mutmut_110",
        "sim.export.track.x_geojson_model_features__mutmut_116",
        "sim.export.track.x_geojson_model_features__mutmut_124",
    ),
    "tests/test_units_export3.py::test_groundtrack_has_the_replay_and_the_legs": (
        "sim.export.track.x_write_groundtrack__mutmut_3",
    ),
    "tests/test_units_export3.py::test_ics_times_on_an_odd_julian_day_rounded_to_the_second": (
        "sim.export.ics.x__utc__mutmut_1",
        "sim.export.ics.x__utc__mutmut_10",
        "sim.export.ics.x__utc__mutmut_11",
        "sim.export.ics.x_pass_event__mutmut_1",
        "sim.export.ics.x_pass_event__mutmut_2",
        "sim.export.ics.x_pass_event__mutmut_64",
        "sim.export.ics.x_pass_event__mutmut_77",
        "sim.export.ics.x_pass_event__mutmut_90",
        "sim.export.ics.x_pass_event__mutmut_99",
        "sim.export.ics.x_pass_event__mutmut_100",
        "sim.export.ics.x_write_ics__mutmut_1",
        "sim.export.ics.x_write_ics__mutmut_2",
        "sim.export.results.x_write_passes__mutmut_1",
        "sim.export.results.x_write_passes__mutmut_2",
    ),
    "tests/test_units_export3.py::test_kml_events_without_a_position_and_legs_with_few_samples": (
        "sim.export.kml.x__kml_tree__mutmut_264",
        "sim.export.kml.x__model_folder__mutmut_5",
        "sim.export.kml.x__model_folder__mutmut_6",
    ),
    "tests/test_units_export3.py::"
    "test_model_oem_unknown_object_fitted_values_and_a_change_without_burn": (
        "sim.export.oem.x__same_time__mutmut_7",
        "sim.export.oem.x__same_time__mutmut_8",
        "sim.export.oem.x_model_oem_texts__mutmut_90",
        "sim.export.oem.x_model_oem_texts__mutmut_92",
        "sim.export.oem.x_model_oem_texts__mutmut_93",
        "sim.export.oem.x_model_oem_texts__mutmut_94",
        "sim.export.oem.x_model_oem_texts__mutmut_103",
        "sim.export.oem.x_model_oem_texts__mutmut_104",
        "sim.export.oem.x_model_oem_texts__mutmut_106",
        "sim.export.oem.x_model_oem_texts__mutmut_107",
        "sim.export.oem.x_model_oem_texts__mutmut_108",
        "sim.export.oem.x_model_oem_texts__mutmut_109",
        "sim.export.oem.x_model_oem_texts__mutmut_111",
        "sim.export.oem.x_model_oem_texts__mutmut_112",
        "sim.export.oem.x_model_oem_texts__mutmut_113",
        "sim.export.oem.x_model_oem_texts__mutmut_114",
        "sim.export.oem.x_model_oem_texts__mutmut_130",
        "sim.export.oem.x_model_oem_texts__mutmut_131",
        "sim.export.oem.x_model_oem_texts__mutmut_132",
        "sim.export.oem.x_model_oem_texts__mutmut_133",
        "sim.export.oem.x_model_oem_texts__mutmut_134",
        "sim.export.oem.x_model_oem_texts__mutmut_135",
        "sim.export.oem.x_model_oem_texts__mutmut_136",
        "sim.export.oem.x_model_oem_texts__mutmut_137",
    ),
    "tests/test_units_export3.py::test_model_passes_csv_lines_end_in_lf": (
        "sim.export.results.x_write_model_passes__mutmut_22",
    ),
    "tests/test_units_export3.py::"
    "test_modelled_legs_place_burns_at_their_instants_and_name_a_bad_time": (
        "sim.export.model.x_modelled_legs__mutmut_2",
        "sim.export.model.x_modelled_legs__mutmut_16",
        "sim.export.model.x_modelled_legs__mutmut_18",
    ),
    "tests/test_units_export3.py::test_oem_eme2000_over_two_weeks_against_skyfield": (
        "sim.export.oem.x_teme_to_eme2000_matrices__mutmut_28",
    ),
    "tests/test_units_export3.py::test_oem_set_change_hidden_by_failed_samples": (
        "sim.export.oem.x_oem_text__mutmut_121",
        "sim.export.oem.x_oem_text__mutmut_127",
    ),
    "tests/test_units_export3.py::test_oem_two_good_samples_and_a_lone_good_sample": (
        "sim.export.oem.x_oem_text__mutmut_10",
        "sim.export.oem.x_oem_text__mutmut_11",
        "sim.export.oem.x_oem_text__mutmut_94",
    ),
    "tests/test_units_export3.py::test_oem_writers_default_to_eme2000": (
        "sim.export.oem.x_model_oem_texts__mutmut_1",
        "sim.export.oem.x_write_model_oems__mutmut_7",
        "sim.export.oem.x_write_oem__mutmut_1",
    ),
    "tests/test_units_export3.py::test_output_file_of_a_path_through_a_linked_folder_is_the_path": (
        "sim.export.atomic.x_output_file__mutmut_5",
    ),
    "tests/test_units_export3.py::test_output_paths_under_a_regular_file_say_why": (
        "sim.export.atomic.x_output_file__mutmut_11",
        "sim.export.atomic.x_output_folder__mutmut_6",
    ),
    "tests/test_units_export3.py::test_pieces_split_at_repeated_instants_by_hand": (
        "sim.export.model.x_pieces__mutmut_6",
        "sim.export.model.x_pieces__mutmut_9",
        "sim.export.model.x_pieces__mutmut_19",
        "sim.export.model.x_pieces__mutmut_20",
    ),
    "tests/test_units_export3.py::test_track_csv_of_a_modelled_leg_with_a_failed_sample": (
        "sim.export.track.x__write_csv__mutmut_35",
        "sim.export.track.x__write_csv__mutmut_36",
        "sim.export.track.x__write_csv__mutmut_37",
    ),
    "tests/test_units_export3.py::test_track_json_and_geojson_precision": (
        "sim.export.formats.x_export__mutmut_210",
        "sim.export.formats.x_export__mutmut_220",
        "sim.export.formats.x_export__mutmut_230",
        "sim.export.track.x__columns__mutmut_31",
        "sim.export.track.x__columns__mutmut_38",
        "sim.export.track.x__columns__mutmut_45",
        "sim.export.track.x__columns__mutmut_53",
        "sim.export.track.x__columns__mutmut_61",
        "sim.export.track.x__columns__mutmut_69",
        "sim.export.track.x__columns__mutmut_80",
    ),
    "tests/test_units_export3.py::test_track_met_between_samples_and_an_unknown_suffix": (
        "sim.export.track.x__met__mutmut_7",
        "sim.export.track.x_write_track__mutmut_8",
    ),
}
_record_kills(_MUTEXP_KILLS)
PASSES_EXPORT_KILLED["sim.export.model.x_pieces__mutmut_21"] = (
    "killed (timeout: the mutant loops forever) by "
    "`tests/test_units_export3.py::test_pieces_split_at_repeated_instants_by_hand`"
)
#: end of mutexp kills

#: survB kills: the last 8 open export survivors, each confirmed killed with --which-test and
#: then by mutmut's own re-run of all 326 export survivors
_SURVB_KILLS = {
    "tests/test_units_export4.py::test_one_element_set_without_a_name_in_the_output_folder": (
        "sim.export.oem.x_oem_text__mutmut_90",
        "sim.export.results.x__write_data_files__mutmut_35",
        "sim.export.results.x__write_data_files__mutmut_44",
    ),
    "tests/test_units_export4.py::test_a_leg_that_starts_and_ends_with_a_burn": (
        "sim.export.model.x_first_of_instant__mutmut_4",
        "sim.export.model.x_first_of_instant__mutmut_5",
    ),
    "tests/test_units_export4.py::test_one_instant_on_either_side_of_midnight_is_one_instant": (
        "sim.export.model.x__same_as_next__mutmut_4",
    ),
    "tests/test_units_export4.py::test_oem_same_instant_rule_on_either_side_of_midnight": (
        "sim.export.oem.x__same_time__mutmut_3",
    ),
    "tests/test_units_export4.py::test_output_folder_on_a_dangling_link_says_why": (
        "sim.export.atomic.x_output_folder__mutmut_19",
    ),
    "tests/test_units_export4.py::test_track_json_met_to_the_millisecond": (
        "sim.export.track.x__met__mutmut_14",
    ),
    # survivors whose rule gave a wrong reason (read again in survB): killed by new tests
    "tests/test_units_export4.py::test_kml_event_without_a_source_has_an_empty_description": (
        "sim.export.kml.x__kml_tree__mutmut_298",
    ),
    "tests/test_units_export4.py::test_track_files_are_written_compact[geojson]": (
        "sim.export.track.x__write_geojson__mutmut_4",
        "sim.export.track.x__write_geojson__mutmut_7",
    ),
    "tests/test_units_export4.py::test_model_oem_of_an_object_with_a_single_leg": (
        "sim.export.oem.x_model_oem_texts__mutmut_23",
    ),
    "tests/test_units_export4.py::test_teme_to_eme2000_at_a_single_instant": (
        "sim.export.oem.x_teme_to_eme2000_matrices__mutmut_14",
    ),
}
_record_kills(_SURVB_KILLS)
# sorted as "JSON whitespace only" by the separators= rule of RULES, but the mutant writes
# "null" instead of the document: killed (found by the survB re-run, mutmut and --which-test)
PASSES_EXPORT_KILLED["sim.export.track.x_write_groundtrack__mutmut_10"] = (
    "killed by `tests/test_units_export3.py::test_groundtrack_has_the_replay_and_the_legs` "
    "(not whitespace: writes null)"
)
# equivalent, but the rule that matched them gave another mutant's reason
PASSES_EXPORT_KILLED.update(
    {
        f"sim.export.kml.x__kml_tree__mutmut_{n}": "equivalent: ElementTree writes a None text "
        "and an empty one alike (`<description />`); replayed events always carry a source"
        for n in (293, 295)
    }
)
PASSES_EXPORT_KILLED.update(
    {
        f"sim.export.ics.x_pass_event__mutmut_{n}": "equivalent: datetime.fromisoformat reads a "
        "trailing Z as UTC since Python 3.11 (the project's minimum), so the replace() is not "
        "needed"
        for n in (32, 33)
    }
)
#: end of survB kills

# the OEM rotation shared by the replay and the modelled legs (merge of run8, re-run by mutmut
# on main 2026-11-26 00:19-00:31 UTC over the 318 mutants of the changed export functions)
_CACHE_ONLY = (
    "equivalent: the shared rotations are only a cache; a leg missing from it, or no sharing, "
    "is computed alone, to the same bits (`tests/test_data_writer_speed.py::"
    "test_rotations_of_several_grids_at_once_are_those_of_each_grid_alone`)"
)
PASSES_EXPORT_KILLED.update(
    {
        **{f"sim.export.oem.x__eme2000_rotations__mutmut_{n}": _CACHE_ONLY for n in (7, 11)},
        **{
            f"sim.export.oem.x__eme2000_rotations__mutmut_{n}": "equivalent: the owner and name "
            "of the cache entry; one output folder shares work for one replay, so any key names "
            "the same rotations"
            for n in (22, 23, 28, 29)
        },
        **{f"sim.export.oem.x__leg_rotations__mutmut_{n}": _CACHE_ONLY for n in (2, 3, 5)},
        "sim.export.oem.x_teme_to_eme2000_matrices__mutmut_5": "equivalent: the one-grid "
        "wrapper drops its step_s, and every caller uses the default (600 s), the callee's too",
        # the many-grid function as rewritten on 2026-11-26 (each grid in a skyfield call of
        # its own; its 74 mutants re-run by mutmut: 64 killed, 10 survived, all sorted here or
        # by the rules)
        "sim.export.oem.x_teme_to_eme2000_matrices_many__mutmut_1": "equivalent within far "
        "less than a millimetre: knots 601 s apart instead of 600 s for the replay's rotations "
        "(650 s: largest change of a position 3e-9 km over 4 h, measured)",
    }
)


def survivors(module_glob: str) -> list[str]:
    out = subprocess.run(
        [".venv/bin/mutmut", "results"], capture_output=True, text=True, check=True
    ).stdout
    names = re.findall(r"^\s*(\S+): survived$", out, re.M)
    return [n for n in names if re.match(module_glob, n)]


def statuses() -> dict[str, str]:
    """mutmut's verdict of every mutant (killed, survived, timeout, not checked, ...)."""
    out = subprocess.run(
        [".venv/bin/mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\s*(\S+): (.+)$", out, re.M)}


def diff(name: str) -> str:
    """The removed and added line of a mutant (in-process: ``mutmut show`` costs a second)."""
    text = None
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        module = re.split(r"\.x(ǁ|_)", name)[0]
        text = get_diff_for_mutant(name, path=module.replace(".", "/") + ".py")
    except Exception:  # another mutmut version: ask the command
        text = subprocess.run(
            [".venv/bin/mutmut", "show", name], capture_output=True, text=True
        ).stdout
    lines = [ln for ln in text.splitlines() if ln[:2] in ("- ", "+ ")]
    return "\n".join(lines[:2])


def verdict(name: str, d: str) -> str:
    known = PASSES_EXPORT_KILLED.get(name)
    if known is None and re.match(r"sim\.(passes|export)\.", name):  # their rules, theirs only
        known = next((v for rx, v in PASSES_EXPORT_RULES if re.search(rx, d, re.M)), None)
    if known:
        return known
    for rule in RULES:
        where, rx, text = rule if len(rule) == 3 else (None, *rule)
        if (where is None or re.search(where, name)) and re.search(rx, d):
            return text
    return "open"


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pattern", nargs="?", default=r"sim\.", help="regex on mutant names")
    parser.add_argument(
        "--names", help="file of mutant names to sort instead of mutmut's current survivors"
    )
    parser.add_argument(
        "--which-test",
        nargs="+",
        metavar="TEST",
        help="run these tests against every mutant not equivalent by a rule and name the first "
        "that fails (killed by ...); needs mutants/ from a mutmut run",
    )
    parser.add_argument(
        "--status",
        action="store_true",
        help="add a column with mutmut's own latest verdict of each mutant (after a re-run of "
        "the names: killed, timeout or survived) and count the verdicts",
    )
    args = parser.parse_args(argv)
    if args.names:
        names = [ln.strip() for ln in open(args.names) if re.match(args.pattern, ln.strip())]
    else:
        names = survivors(args.pattern)
    rows = [(n, diff(n)) for n in names]
    verdicts = {n: verdict(n, d) for n, d in rows}
    if args.which_test:
        open_names = [n for n in names if verdicts[n] == "open"]
        for n, test in first_failing_tests(open_names, args.which_test).items():
            if test:
                verdicts[n] = f"killed by `{test}`"
    status = statuses() if args.status else {}
    if status:
        print("| mutant | change | mutmut (re-run) | verdict |")
        print("|---|---|---|---|")
    else:
        print("| mutant | change | verdict |")
        print("|---|---|---|")
    for name, d in rows:
        change = " -> ".join(ln[1:].strip() for ln in d.splitlines()).replace("|", "\\|")
        short = name.replace("__mutmut_", " #")
        mutmut = f" {status.get(name, '-')} |" if status else ""
        print(f"| `{short}` | `{change[:160]}` |{mutmut} {verdicts[name]} |")
    if status:
        counts: dict[str, int] = {}
        for name in names:
            counts[status.get(name, "-")] = counts.get(status.get(name, "-"), 0) + 1
        print(
            "\nmutmut: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
            file=sys.stderr,
        )
    kinds = {"killed": 0, "equivalent": 0, "open": 0}
    for v in verdicts.values():
        kinds[
            "killed" if v.startswith("killed") else "open" if v.startswith("open") else "equivalent"
        ] += 1
    print("\n" + ", ".join(f"{k}: {v}" for k, v in kinds.items()), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
