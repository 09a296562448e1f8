"""Element sets and the TLE / 3LE text format: columns, checksums, Alpha-5, templates.

Every rejected line is reported as ``file:line: reason`` with what was expected and what was
found.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from sgp4.api import Satrec

from ..errors import TLEError
from ..times import jd_to_datetime, jd_to_iso

TLE_TEMPLATE = (
    "expected layout:\n"
    "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN\n"
    "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN"
)

#: Rules for choosing the element set in force at an instant.
SWITCH_RULES = ("epoch", "midpoint", "nearest")

_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # Alpha-5 leaves out I and O

# (first column, last column, field name, pattern) with 1-based inclusive columns
_NUM = r"[ +-]?\d*\.?\d+"
_LINE1_FIELDS = [
    (3, 7, "catalogue number", r"[0-9A-HJ-NP-Z ]\d{4}|\s*\d{1,5}"),
    (8, 8, "classification", r"[UCS ]"),
    (10, 17, "international designator", r"[\w ]{0,8}"),
    (19, 20, "epoch year", r"\d\d"),
    (21, 32, "epoch day", r"[ \d]{3}\.\d{8}"),
    (34, 43, "first derivative of mean motion", r"\s*[ +-]?\.?\d*\.?\d+"),
    (45, 52, "second derivative of mean motion", r"\s*[ +-]?\d{5}[+-]\d|\s*[ +-]?0+[+-]?0"),
    (54, 61, "B* drag term", r"\s*[ +-]?\d{5}[+-]\d|\s*[ +-]?0+[+-]?0"),
    (63, 63, "ephemeris type", r"[\d ]"),
    (65, 68, "element set number", r"[ \d]{4}"),
]
_LINE2_FIELDS = [
    (3, 7, "catalogue number", r"[0-9A-HJ-NP-Z ]\d{4}|\s*\d{1,5}"),
    (9, 16, "inclination", r"\s*\d{1,3}\.\d{1,4}\s*"),
    (18, 25, "right ascension of the ascending node", r"\s*\d{1,3}\.\d{1,4}\s*"),
    (27, 33, "eccentricity", r"\d{7}"),
    (35, 42, "argument of perigee", r"\s*\d{1,3}\.\d{1,4}\s*"),
    (44, 51, "mean anomaly", r"\s*\d{1,3}\.\d{1,4}\s*"),
    (53, 63, "mean motion", r"\s*\d{1,2}\.\d{1,8}\s*"),
    (64, 68, "revolution number", r"[ \d]{5}"),
]


@dataclass(frozen=True)
class ElementSet:
    """One mean-element set of one object, with where it came from."""

    norad_id: int
    name: str | None
    epoch_jd: float  #: whole part of the epoch Julian date (UTC)
    epoch_fraction: float  #: fraction part of the epoch Julian date
    satrec: Satrec = field(repr=False, compare=False)
    source: str = "<memory>"  #: file the set was read from
    line: int = 0  #: 1-based line (TLE) or record (OMM) number in that file
    intl_designator: str = ""
    bstar: float = 0.0
    rev_number: int = 0
    mean_motion_rev_per_day: float = 0.0
    inclination_deg: float = 0.0
    raan_deg: float = 0.0
    eccentricity: float = 0.0
    line1: str | None = None
    line2: str | None = None

    @property
    def epoch_utc(self) -> datetime:
        return jd_to_datetime(self.epoch_jd, self.epoch_fraction)

    @property
    def epoch_iso(self) -> str:
        return jd_to_iso(self.epoch_jd, self.epoch_fraction, 0)

    @property
    def epoch(self) -> float:
        """Epoch as one float Julian date (UTC), for sorting and ages."""
        return self.epoch_jd + self.epoch_fraction

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def elements_key(self) -> tuple:
        s = self.satrec
        return (s.inclo, s.nodeo, s.ecco, s.argpo, s.mo, s.no_kozai, s.bstar)

    def to_tle(self) -> tuple[str, str]:
        """The set written as two TLE lines (python-sgp4's exporter)."""
        from sgp4.exporter import export_tle

        lines = export_tle(self.satrec)
        for number, line in enumerate(lines, start=1):
            if len(line) != 69:
                raise TLEError(
                    f"{self.where}: this set cannot be written as a TLE: line {number} would be "
                    f"{len(line)} characters (a value, e.g. B* = {self.bstar:g}, does not fit "
                    "its columns)"
                )
        return lines


@dataclass
class ParseReport:
    """What a file gave: the sets kept and every problem met (as ``file:line: reason``)."""

    sets: list[ElementSet]
    problems: list[str]
    duplicates: list[str]


# --------------------------------------------------------------------------------------------
# TLE text


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of columns 1-68: digits count their value, a minus sign counts 1."""
    total = 0
    for ch in line[:68]:
        if ch.isdigit():
            total += int(ch)
        elif ch == "-":
            total += 1
    return total % 10


def _alpha5_to_int(text: str) -> int:
    text = text.strip()
    if text and text[0].isalpha():
        return (_ALPHA5.index(text[0]) + 10) * 10000 + int(text[1:])
    return int(text)


def _check_line(line: str, number: str, fields, where: str, checksum: bool) -> list[str]:
    """All problems of one TLE line, each a complete sentence without the place."""
    problems = []
    if not line.isascii():
        bad = next(ch for ch in line if not ch.isascii())
        return [f"line {number} holds the non-ASCII character {bad!r}; TLE lines are plain ASCII"]
    if "\t" in line:
        return [f"line {number} holds a tab; TLE columns must be padded with spaces"]
    if len(line) < 68:
        return [
            f"line {number} is {len(line)} characters long, expected 69 "
            f"(or 68 without the checksum)\n{TLE_TEMPLATE}"
        ]
    if len(line) > 69:
        return [f"line {number} is {len(line)} characters long, expected 69\n{TLE_TEMPLATE}"]
    for first, last, name, pattern in fields:
        text = line[first - 1 : last]
        if not re.fullmatch(pattern, text):
            problems.append(
                f"line {number} columns {first}-{last} ({name}) hold {text!r}, "
                f"which is not a valid {name}"
            )
    if checksum:
        if len(line) == 68 or line[68] == " ":
            problems.append(f"line {number} has no checksum in column 69")
        elif not line[68].isdigit():
            problems.append(f"line {number} checksum column 69 holds {line[68]!r}, not a digit")
        else:
            expected = tle_checksum(line)
            if int(line[68]) != expected:
                problems.append(
                    f"line {number} checksum is {line[68]}, expected {expected} "
                    "(a digit or sign was changed)"
                )
    return problems


def _check_epoch_day(line1: str, where: str) -> None:
    """Epoch day (columns 21-32) must lie in 1..365, or 1..366 in a leap year: SGP4 would move
    day 000, 366 of a common year or 999 silently into another year."""
    yy = int(line1[18:20])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    days = 366 if calendar.isleap(year) else 365
    day = float(line1[20:32])
    if not 1.0 <= day < days + 1.0:
        raise TLEError(
            f"{where}: line 1 columns 21-32 (epoch day) hold {line1[20:32].strip()!r}, "
            f"outside 1..{days} of {year}{'' if days == 366 else ' (not a leap year)'}"
        )


#: A line that really is TLE line 1 or 2: the line number, a space, a catalogue number in
#: columns 3-7 (Alpha-5 allowed) and, on line 1, a classification letter. Names such as
#: '1KUNS-PF' or '2020 SO' begin with a digit but do not have this layout.
_LINE1_START = re.compile(r"1 [0-9A-HJ-NP-Z ][\d ]{4}[UCS ] ")
_LINE2_START = re.compile(r"2 [0-9A-HJ-NP-Z ][\d ]{4} ")


def _is_line1(line: str) -> bool:
    return bool(_LINE1_START.match(line))


def _is_line2(line: str) -> bool:
    return bool(_LINE2_START.match(line))


def _set_from_lines(name, line1, line2, source, lineno, checksum) -> ElementSet:
    where = f"{source}:{lineno}"
    problems = _check_line(line1, "1", _LINE1_FIELDS, where, checksum)
    problems += _check_line(line2, "2", _LINE2_FIELDS, where, checksum)
    if problems:
        raise TLEError(f"{where}: {problems[0]}")
    n1, n2 = line1[2:7], line2[2:7]
    if n1 != n2:
        raise TLEError(
            f"{where}: catalogue numbers differ: line 1 has {n1.strip()!r}, "
            f"line 2 (line {lineno + 1}) has {n2.strip()!r}"
        )
    _check_epoch_day(line1, where)
    if line1[62] == "4":
        raise TLEError(
            f"{where}: ephemeris type 4 (SGP4-XP) elements cannot be propagated with SGP4; "
            "ask the provider for SGP4 (type 0) elements"
        )
    try:
        satrec = Satrec.twoline2rv(line1.ljust(69), line2.ljust(69))
    except (ValueError, IndexError) as exc:  # the library's own format checks
        raise TLEError(f"{where}: {str(exc).splitlines()[0]}") from None
    return _finish(
        satrec,
        norad=_alpha5_to_int(n1),
        name=name,
        source=source,
        line=lineno,
        intl=line1[9:17].strip(),
        rev=int(line2[63:68].strip() or 0),
        line1=line1,
        line2=line2,
    )


def _finish(satrec, *, norad, name, source, line, intl, rev, line1=None, line2=None):
    where = f"{source}:{line}"
    inc = math.degrees(satrec.inclo)
    ecc = satrec.ecco
    n_rev_day = satrec.no_kozai * 1440.0 / (2 * math.pi)
    if not 0.0 <= inc <= 180.0:
        raise TLEError(f"{where}: inclination {inc:g} deg is outside 0..180")
    if not 0.0 <= ecc < 1.0:
        raise TLEError(f"{where}: eccentricity {ecc:g} is outside [0, 1)")
    if not n_rev_day > 0.0:
        raise TLEError(f"{where}: mean motion {n_rev_day:g} rev/day is not positive")
    for label, value in (
        ("right ascension of the ascending node", satrec.nodeo),
        ("argument of perigee", satrec.argpo),
        ("mean anomaly", satrec.mo),
    ):
        deg = math.degrees(value)
        if not 0.0 <= deg <= 360.0:
            raise TLEError(f"{where}: {label} {deg:g} deg is outside 0..360")
    return ElementSet(
        norad_id=norad,
        name=name,
        epoch_jd=satrec.jdsatepoch,
        epoch_fraction=satrec.jdsatepochF,
        satrec=satrec,
        source=source,
        line=line,
        intl_designator=intl,
        bstar=satrec.bstar,
        rev_number=rev,
        mean_motion_rev_per_day=n_rev_day,
        inclination_deg=inc,
        raan_deg=math.degrees(satrec.nodeo),
        eccentricity=ecc,
        line1=line1,
        line2=line2,
    )


def parse_tle_text(text: str, source: str = "<text>", *, checksum: bool = True):
    """Yield ``ElementSet`` or ``TLEError`` (not raised) for each set in 2LE/3LE text.

    Blank lines and lines starting with ``#`` are allowed between sets. Every other line must
    belong to a set; a stray line is reported, never skipped.
    """
    lines = text.splitlines()
    i = 0
    n = len(lines)
    while i < n:
        stripped = lines[i].rstrip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        name = None
        if not (_is_line1(stripped) or _is_line2(stripped)):
            # a title line (3LE, optionally with the '0 ' prefix): the next must be line 1
            name = stripped[2:].strip() if stripped.startswith("0 ") else stripped.strip()
            if i + 1 < n and _is_line2(lines[i + 1]):
                yield TLEError(f"{source}:{i + 2}: line 2 without a line 1 before it")
                i += 2
                continue
            if i + 1 >= n or not _is_line1(lines[i + 1]):
                found = lines[i + 1].rstrip()[:20] if i + 1 < n else "the end of the file"
                yield TLEError(
                    f"{source}:{i + 1}: title line {name[:30]!r} is not followed by a line 1 "
                    f"(found {found!r})"
                )
                i += 1
                continue
            i += 1
        line1 = lines[i].rstrip()
        if _is_line2(line1):
            yield TLEError(f"{source}:{i + 1}: line 2 without a line 1 before it")
            i += 1
            continue
        if i + 1 >= n or not lines[i + 1].startswith("2"):
            found = lines[i + 1].rstrip()[:20] if i + 1 < n else "the end of the file"
            yield TLEError(
                f"{source}:{i + 1}: line 1 is not followed by a line 2 (found {found!r})"
            )
            i += 1
            continue
        line2 = lines[i + 1].rstrip()
        try:
            yield _set_from_lines(name, line1, line2, source, i + 1, checksum)
        except TLEError as exc:
            yield exc
        i += 2
