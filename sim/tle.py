"""Element sets: parse TLE / 3LE / OMM (CSV, JSON, XML) files, and the switching Catalogue.

Every rejected line is reported as ``file:line: reason`` with what was expected and what was
found; with ``strict=False`` the same problems become warnings in :attr:`ParseReport.problems`
and the offending set is left out, never silently.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from sgp4 import omm
from sgp4.api import Satrec

from .errors import TLEError
from .times import DAY_S, jd_to_datetime, jd_to_iso

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
        if not stripped.startswith(("1", "2")):
            # a title line (3LE, optionally with the '0 ' prefix): the next must be line 1
            name = stripped[2:].strip() if stripped.startswith("0 ") else stripped.strip()
            if i + 1 < n and lines[i + 1].startswith("2"):
                yield TLEError(f"{source}:{i + 2}: line 2 without a line 1 before it")
                i += 2
                continue
            if i + 1 >= n or not lines[i + 1].startswith("1"):
                found = lines[i + 1].rstrip()[:20] if i + 1 < n else "the end of the file"
                yield TLEError(
                    f"{source}:{i + 1}: title line {name[:30]!r} is not followed by a line 1 "
                    f"(found {found!r})"
                )
                i += 1
                continue
            i += 1
        line1 = lines[i].rstrip()
        if line1.startswith("2"):
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


# --------------------------------------------------------------------------------------------
# OMM

_OMM_REQUIRED = (
    "OBJECT_ID",
    "NORAD_CAT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
_OMM_DEFAULTS = {
    "EPHEMERIS_TYPE": "0",
    "CLASSIFICATION_TYPE": "U",
    "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "0",
}
_OMM_NUMERIC = (
    "NORAD_CAT_ID",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
    "EPHEMERIS_TYPE",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
)


#: CCSDS OMM units of the fields the project reads (XML ``units`` attributes are checked).
_OMM_UNITS = {
    "MEAN_MOTION": "rev/day",
    "INCLINATION": "deg",
    "RA_OF_ASC_NODE": "deg",
    "ARG_OF_PERICENTER": "deg",
    "MEAN_ANOMALY": "deg",
    "BSTAR": "1/er",
    "MEAN_MOTION_DOT": "rev/day**2",
    "MEAN_MOTION_DDOT": "rev/day**3",
}


def _omm_record(fields: dict, source: str, number: int) -> ElementSet:
    where = f"{source}:{number}"
    for key, unit in sorted(fields.pop("_UNITS", {}).items()):
        expected = _OMM_UNITS.get(key.upper())
        if expected is None or unit.replace(" ", "").lower() != expected:
            raise TLEError(
                f"{where}: OMM field {key} is given in {unit!r}, expected "
                f"{expected or 'no unit'}; convert it before reading"
            )
    fields = {str(k).strip().upper(): v for k, v in fields.items() if k is not None}
    missing = [key for key in _OMM_REQUIRED if fields.get(key) in (None, "")]
    if missing:
        raise TLEError(f"{where}: OMM record lacks the field {missing[0]} (expected a value)")
    clean = dict(_OMM_DEFAULTS)
    for key, value in fields.items():
        if value is None or value == "":
            continue
        clean[key] = str(value).strip()
    for key in _OMM_NUMERIC:
        try:
            float(clean[key])
        except ValueError:
            raise TLEError(
                f"{where}: OMM field {key} is {clean[key]!r}, expected a number"
            ) from None
    if clean.get("MEAN_ELEMENT_THEORY", "SGP4").upper() not in ("SGP4", "SGP/SGP4"):
        raise TLEError(
            f"{where}: MEAN_ELEMENT_THEORY is {clean['MEAN_ELEMENT_THEORY']!r}, expected SGP4"
        )
    if int(float(clean["EPHEMERIS_TYPE"])) == 4:
        raise TLEError(
            f"{where}: ephemeris type 4 (SGP4-XP) elements cannot be propagated with SGP4; "
            "ask the provider for SGP4 (type 0) elements"
        )
    epoch = clean["EPOCH"].rstrip("Z")
    if "." not in epoch:
        epoch += ".0"
    try:
        datetime.strptime(epoch, "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        raise TLEError(
            f"{where}: OMM EPOCH is {clean['EPOCH']!r}, expected YYYY-MM-DDTHH:MM:SS.ffffff"
        ) from None
    clean["EPOCH"] = epoch
    for key in ("NORAD_CAT_ID", "EPHEMERIS_TYPE", "ELEMENT_SET_NO", "REV_AT_EPOCH"):
        clean[key] = str(int(float(clean[key])))
    ecc = float(clean["ECCENTRICITY"])
    if not 0.0 <= ecc < 1.0:
        raise TLEError(f"{where}: eccentricity {ecc:g} is outside [0, 1)")
    if not float(clean["MEAN_MOTION"]) > 0:
        raise TLEError(f"{where}: mean motion {clean['MEAN_MOTION']} rev/day is not positive")
    satrec = Satrec()
    omm.initialize(satrec, clean)
    return _finish(
        satrec,
        norad=int(clean["NORAD_CAT_ID"]),
        name=clean.get("OBJECT_NAME"),
        source=source,
        line=number,
        intl=clean["OBJECT_ID"],
        rev=int(clean["REV_AT_EPOCH"]),
    )


def _omm_records(text: str, kind: str, source: str):
    """Yield (record number, fields) for OMM text of the given kind (csv, json, xml)."""
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TLEError(f"{source}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise TLEError(f"{source}:1: expected a JSON list of OMM objects")
        for number, record in enumerate(data, start=1):
            if not isinstance(record, dict):
                raise TLEError(f"{source}:{number}: OMM record {number} is not a JSON object")
            yield number, record
    elif kind == "csv":
        reader = csv.DictReader(io.StringIO(text))
        for record in reader:
            # record numbers are file lines: the header is line 1
            yield reader.line_num, record
    elif kind == "xml":
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise TLEError(f"{source}:{exc.position[0]}: not well-formed XML ({exc})") from None
        for number, segment in enumerate(root.iter("segment"), start=1):
            fields = {}
            for part in ("metadata", "data/meanElements", "data/tleParameters"):
                node = segment.find(part)
                if node is not None:
                    fields.update((child.tag, child.text) for child in node)
                    units = {c.tag: c.get("units") for c in node if c.get("units") is not None}
                    fields.setdefault("_UNITS", {}).update(units)
            yield number, fields
    else:
        raise TLEError(f"{source}: unknown OMM kind {kind!r}")


def parse_omm_text(text: str, kind: str, source: str = "<text>"):
    """Yield ``ElementSet`` or ``TLEError`` for each OMM record."""
    for number, fields in _omm_records(text, kind, source):
        try:
            yield _omm_record(fields, source, number)
        except TLEError as exc:
            yield exc


# --------------------------------------------------------------------------------------------
# files


def _detect_kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".json",):
        return "json"
    if suffix in (".csv",):
        return "csv"
    if suffix in (".xml",):
        return "xml"
    head = text.lstrip()[:200]
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith("<"):
        return "xml"
    if head.upper().startswith(("OBJECT_NAME", "CCSDS_OMM_VERS")) and "," in head:
        return "csv"
    return "tle"


def read_element_sets(
    paths,
    *,
    norad_id: int | None = None,
    name: str | None = None,
    strict: bool = True,
    checksum: bool = True,
) -> ParseReport:
    """Read element sets from one or several files (TLE, 3LE or OMM in CSV/JSON/XML).

    Files holding several objects need ``norad_id`` or ``name`` to choose one. Sets are sorted
    by epoch; identical epochs with identical elements are kept once (reported in
    ``duplicates``), identical epochs with different elements are an error. With ``strict=False``
    a bad set is reported in ``problems`` and left out instead of raising.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    sets: list[ElementSet] = []
    problems: list[str] = []
    for path in paths:
        file_sets, file_problems = scan_file(path, checksum=checksum)
        if file_problems and strict:
            raise TLEError(file_problems[0])
        sets += file_sets
        problems += file_problems
    if not sets:
        raise TLEError(problems[0] if problems else f"{paths[0]}: no element set found")
    sets = _select_object(sets, norad_id, name, paths)
    sets, duplicates = _dedupe(sets)
    return ParseReport(sets, problems, duplicates)


def scan_file(path, *, checksum: bool = True) -> tuple[list[ElementSet], list[str]]:
    """Every good set of one file and every problem (``file:line: reason``), nothing raised
    except for a file that cannot be read as text at all."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TLEError(f"{source}: no such element-set file") from None
    except IsADirectoryError:
        raise TLEError(f"{source}: is a folder, expected an element-set file") from None
    except OSError as exc:
        raise TLEError(f"{source}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise TLEError(f"{source}:1: holds binary data (NUL bytes), expected TLE or OMM text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TLEError(
            f"{source}:{line}: byte 0x{raw[exc.start]:02x} is not text; expected ASCII TLE "
            "or UTF-8 OMM"
        ) from None
    if not text.strip():
        raise TLEError(f"{source}: is empty, expected at least one element set")
    kind = _detect_kind(path, text)
    items = (
        parse_tle_text(text, source, checksum=checksum)
        if kind == "tle"
        else parse_omm_text(text, kind, source)
    )
    sets, problems = [], []
    for item in items:
        if isinstance(item, TLEError):
            problems.append(str(item).split("\n")[0])
        else:
            sets.append(item)
    return sets, problems


def _select_object(sets, norad_id, name, paths):
    if norad_id is not None:
        chosen = [s for s in sets if s.norad_id == norad_id]
        if not chosen:
            have = sorted({s.norad_id for s in sets})
            raise TLEError(
                f"{paths[0]}: no element set for NORAD {norad_id}; the file holds {have[:10]}"
            )
        return chosen
    if name is not None:
        wanted = name.strip().upper()
        chosen = [s for s in sets if (s.name or "").strip().upper() == wanted]
        if not chosen:
            have = sorted({s.name or "?" for s in sets})
            raise TLEError(f"{paths[0]}: no element set named {name!r}; the file holds {have[:10]}")
        return chosen
    objects = sorted({s.norad_id for s in sets})
    if len(objects) > 1:
        raise TLEError(
            f"{paths[0]}: holds {len(objects)} objects (NORAD {objects[:10]}); "
            "choose one with --norad or --name"
        )
    return sets


def _dedupe(sets):
    sets = sorted(sets, key=lambda s: (s.epoch_jd, s.epoch_fraction))
    kept: list[ElementSet] = []
    duplicates: list[str] = []
    for s in sets:
        if kept and abs((s.epoch - kept[-1].epoch) * DAY_S) < 1e-3:
            prev = kept[-1]
            if np.allclose(s.elements_key(), prev.elements_key(), rtol=0, atol=1e-12):
                duplicates.append(f"{s.where}: same epoch and elements as {prev.where}, kept once")
                continue
            raise TLEError(
                f"{s.where}: epoch {s.epoch_iso} repeats {prev.where} with different elements; "
                "remove one of them"
            )
        kept.append(s)
    return kept, duplicates


def load_catalogue(
    paths, *, rule: str = "epoch", norad_id=None, name=None, strict=True, max_age_days: float = 3.0
) -> Catalogue:
    """Read element-set files and return a :class:`Catalogue` for one object."""
    report = read_element_sets(paths, norad_id=norad_id, name=name, strict=strict)
    return Catalogue(report.sets, rule=rule, max_age_days=max_age_days, report=report)


# --------------------------------------------------------------------------------------------
# Catalogue


@dataclass(frozen=True)
class Switch:
    """The instant the set in force changes, and how far the two sets disagree there."""

    jd: float  #: whole + fraction Julian date (UTC) of the switch
    from_index: int
    to_index: int
    jump_km: float  #: |r_old - r_new| at the switch instant

    @property
    def iso(self) -> str:
        return jd_to_iso(math.floor(self.jd), self.jd - math.floor(self.jd), 0)


class Catalogue:
    """Time-ordered element sets of one object and the rule for which set is in force.

    Rules: ``epoch`` (the latest set at or before the instant, as an operator knew it then;
    before the first set, the first), ``midpoint`` (switch halfway between epochs), ``nearest``
    (the set with the closest epoch; the same switch instants as ``midpoint``, kept as its own
    name because users ask for it by that name).
    """

    def __init__(self, sets, rule: str = "epoch", max_age_days: float = 3.0, report=None):
        if rule not in SWITCH_RULES:
            raise TLEError(f"switch rule {rule!r} is unknown; expected one of {SWITCH_RULES}")
        if not sets:
            raise TLEError("a catalogue needs at least one element set")
        self.sets: list[ElementSet] = sorted(sets, key=lambda s: s.epoch)
        norads = {s.norad_id for s in self.sets}
        if len(norads) > 1:
            raise TLEError(f"a catalogue holds one object; found NORAD {sorted(norads)}")
        self.rule = rule
        self.max_age_days = max_age_days
        self.report = report
        self.epochs = np.array([s.epoch for s in self.sets])

    def __len__(self) -> int:
        return len(self.sets)

    @property
    def norad_id(self) -> int:
        return self.sets[0].norad_id

    def boundaries(self) -> np.ndarray:
        """Julian dates at which set i+1 takes over from set i."""
        if self.rule == "epoch":
            return self.epochs[1:]
        return 0.5 * (self.epochs[:-1] + self.epochs[1:])

    def index_at(self, whole, fraction=0.0) -> np.ndarray:
        """Index of the set in force at each instant (array of ints)."""
        jd = np.asarray(whole, dtype=float) + np.asarray(fraction, dtype=float)
        return np.searchsorted(self.boundaries(), jd, side="right")

    def age_hours(self, whole, fraction=0.0, index=None) -> np.ndarray:
        """Signed age of the set in force, hours (negative: the set's epoch lies ahead)."""
        whole = np.asarray(whole, dtype=float)
        fraction = np.asarray(fraction, dtype=float)
        if index is None:
            index = self.index_at(whole, fraction)
        epoch_whole = np.array([s.epoch_jd for s in self.sets])[index]
        epoch_frac = np.array([s.epoch_fraction for s in self.sets])[index]
        return ((whole - epoch_whole) + (fraction - epoch_frac)) * 24.0

    def teme(self, whole, fraction, index=None):
        """TEME position and velocity (km, km/s, shape (N, 3)) and SGP4 error codes.

        One ``sgp4_array`` call per element-set segment.
        """
        whole = np.atleast_1d(np.asarray(whole, dtype=float))
        fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
        if index is None:
            index = self.index_at(whole, fraction)
        r = np.empty((whole.size, 3))
        v = np.empty((whole.size, 3))
        err = np.zeros(whole.size, dtype=np.uint8)
        if whole.size == 0:
            groups = []
        elif np.all(index == index.flat[0]):
            groups = [(int(index.flat[0]), slice(None))]
        else:
            groups = [(int(k), np.nonzero(index == k)[0]) for k in np.unique(index)]
        for k, sel in groups:
            e, rr, vv = self.sets[k].satrec.sgp4_array(whole[sel], fraction[sel])
            r[sel] = rr
            v[sel] = vv
            err[sel] = e
        return r, v, err

    def switches(self) -> list[Switch]:
        """Every change of set with the position jump (km) at the switch instant."""
        out = []
        for i, jd in enumerate(self.boundaries()):
            whole = math.floor(jd)
            frac = jd - whole
            r_old = self.sets[i].satrec.sgp4(whole, frac)[1]
            r_new = self.sets[i + 1].satrec.sgp4(whole, frac)[1]
            jump = float(np.linalg.norm(np.subtract(r_old, r_new)))
            out.append(Switch(jd=float(jd), from_index=i, to_index=i + 1, jump_km=jump))
        return out

    def consistency_km(self) -> list[float]:
        """For each set but the last: its position error at the next set's epoch, km.

        The next set is taken as the truth there; this is how far propagating forward drifts.
        """
        out = []
        for a, b in zip(self.sets[:-1], self.sets[1:], strict=True):
            ra = a.satrec.sgp4(b.epoch_jd, b.epoch_fraction)[1]
            rb = b.satrec.sgp4(b.epoch_jd, b.epoch_fraction)[1]
            out.append(float(np.linalg.norm(np.subtract(ra, rb))))
        return out

    def age_warnings(self, whole, fraction) -> list[str]:
        """One message per stretch where the set in force is older than ``max_age_days``."""
        age_h = np.atleast_1d(self.age_hours(whole, fraction))
        whole = np.asarray(whole, dtype=float) * np.ones_like(age_h)
        fraction = np.asarray(fraction, dtype=float) * np.ones_like(age_h)
        far = np.abs(age_h) > self.max_age_days * 24.0
        if not far.any():
            return []
        edges = np.diff(np.concatenate([[0], far.astype(np.int8), [0]]))
        starts = np.nonzero(edges == 1)[0]
        ends = np.nonzero(edges == -1)[0] - 1
        out = []
        for a, b in zip(starts, ends, strict=True):
            worst = float(np.max(np.abs(age_h[a : b + 1]))) / 24.0
            direction = "backwards" if age_h[a] < 0 else "forwards"
            out.append(
                f"element set {worst:.1f} days old (limit {self.max_age_days:g}) from "
                f"{jd_to_iso(whole[a], fraction[a], 0)} to {jd_to_iso(whole[b], fraction[b], 0)}; "
                f"positions there are propagated {direction} and approximate"
            )
        return out
