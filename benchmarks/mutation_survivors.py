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
        verdict = next((v for rx, v in RULES if re.search(rx, d)), "open")
        change = " -> ".join(ln[1:].strip() for ln in d.splitlines()).replace("|", "\\|")
        short = name.replace("__mutmut_", " #")
        print(f"| `{short}` | `{change[:160]}` | {verdict} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
