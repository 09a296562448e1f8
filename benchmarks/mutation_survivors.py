"""List mutmut's surviving mutants with the line each changes, and sort them into the kinds of
docs/mutation.md: equivalent ones (with the reason) and the rest (open). Run after
benchmarks/mutation.sh; prints a Markdown table."""

from __future__ import annotations

import re
import subprocess
import sys

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
]

#: survivors of the full runs killed by tests added afterwards and confirmed by running the test
#: under the mutant in mutants/ (mutmut's own re-run covered the earlier tests)
KML_TEST = "killed by tests/test_units_export.py::test_kml_bytes_are_those_of_the_element_tree"
COLLAPSE = (
    "open: reached only by a pass whose margin has two coarse maxima (a horizon-mask notch "
    "narrower than the pass); not constructed yet"
)
PASSES_EXPORT_KILLED = {
    **{f"sim.passes.x_find_passes__mutmut_{n}": COLLAPSE for n in (430, 431, 432, 433, 434)},
    # a default on the def line, which the listing's diff does not show
    "sim.passes.x__add_magnitudes__mutmut_1": "equivalent within the model's precision: 26 "
    "instead of 25 samples of the visible part find the brightest to 0.01 mag (checked)",
    **{f"sim.export.kml.x_kml_tree__mutmut_{n}": KML_TEST for n in (1, 2, 3, 4, 6)},
    **{
        f"sim.export.kml.x_kml_bytes__mutmut_{n}": KML_TEST
        for n in (13, 14, 19, 20, 25, 48, 50, 51, 52, 54, 56, 60, 64, 66)
    },
}


def survivors(module_glob: str) -> list[str]:
    out = subprocess.run(
        [".venv/bin/mutmut", "results"], capture_output=True, text=True, check=True
    ).stdout
    names = re.findall(r"^\s*(\S+): survived$", out, re.M)
    return [n for n in names if re.match(module_glob, n)]


def diff(name: str) -> str:
    text = subprocess.run([".venv/bin/mutmut", "show", name], capture_output=True, text=True).stdout
    lines = [ln for ln in text.splitlines() if ln[:2] in ("- ", "+ ")]
    return "\n".join(lines[:2])


def main(pattern: str = r"sim\.") -> None:
    print("| mutant | change | verdict |")
    print("|---|---|---|")
    for name in survivors(pattern):
        d = diff(name)
        verdict = (
            PASSES_EXPORT_KILLED.get(name)
            or next((v for rx, v in PASSES_EXPORT_RULES if re.search(rx, d, re.M)), None)
            or next((v for rx, v in RULES if re.search(rx, d)), "open")
        )
        change = " -> ".join(ln[1:].strip() for ln in d.splitlines()).replace("|", "\\|")
        short = name.replace("__mutmut_", " #")
        print(f"| `{short}` | `{change[:160]}` | {verdict} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
