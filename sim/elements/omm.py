"""OMM element sets in CSV, JSON and XML (CelesTrak / Space-Track layouts)."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime

from sgp4 import omm
from sgp4.api import Satrec

from ..errors import TLEError
from .tle import ElementSet, _finish

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


#: Whole-number OMM fields and the values they may take.
_OMM_INTEGERS = {
    "NORAD_CAT_ID": (0, 999_999_999),
    "EPHEMERIS_TYPE": (0, 9),
    "ELEMENT_SET_NO": (0, 9999),
    "REV_AT_EPOCH": (0, 99_999_999),
}
#: The largest magnitudes the TLE columns of these fields hold (+.99999999, +99999+9): larger
#: values are no element set's.
_OMM_MAGNITUDE = {"MEAN_MOTION_DOT": 1.0, "MEAN_MOTION_DDOT": 1e9, "BSTAR": 1e9}
#: Element sets exist from Sputnik to the end of SGP4's two-digit TLE years.
FIRST_EPOCH_YEAR, LAST_EPOCH_YEAR = 1957, 2056


def _omm_record(fields: dict, source: str, number: int) -> ElementSet:
    where = f"{source}:{number}"
    units = fields.pop("_UNITS", {})
    if not isinstance(units, dict):
        raise TLEError(
            f"{where}: OMM _UNITS is a {type(units).__name__}, expected a table of "
            "field name: unit text"
        )
    for key, unit in sorted(units.items(), key=lambda item: str(item[0])):
        if not isinstance(key, str) or not isinstance(unit, str):
            raise TLEError(
                f"{where}: OMM _UNITS entry {key!r}: {unit!r} is not a field name with a unit text"
            )
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
        if isinstance(value, (dict, list)):
            raise TLEError(
                f"{where}: OMM field {key} is a {type(value).__name__}, expected a value"
            )
        clean[key] = str(value).strip()
    for key in _OMM_NUMERIC:
        try:
            value = float(clean[key])
        except ValueError:
            raise TLEError(
                f"{where}: OMM field {key} is {clean[key]!r}, expected a number"
            ) from None
        if not math.isfinite(value):
            raise TLEError(f"{where}: OMM field {key} is {clean[key]!r}, expected a finite number")
        if abs(value) >= _OMM_MAGNITUDE.get(key, math.inf):
            raise TLEError(
                f"{where}: OMM field {key} is {clean[key]!r}, larger than any element set has "
                f"(|{key}| < {_OMM_MAGNITUDE[key]:g}, what a TLE column holds)"
            )
        if key in _OMM_INTEGERS:
            lo, hi = _OMM_INTEGERS[key]
            if value != int(value) or not lo <= value <= hi:
                raise TLEError(
                    f"{where}: OMM field {key} is {clean[key]!r}, expected a whole number "
                    f"in {lo}..{hi}"
                )
    classification = clean["CLASSIFICATION_TYPE"]
    if classification not in ("U", "C", "S"):
        raise TLEError(
            f"{where}: OMM field CLASSIFICATION_TYPE is {classification[:20]!r}, expected one "
            "letter: U, C or S"
        )
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
        epoch_dt = datetime.strptime(epoch, "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        raise TLEError(
            f"{where}: OMM EPOCH is {clean['EPOCH'][:40]!r}, expected YYYY-MM-DDTHH:MM:SS.ffffff"
        ) from None
    if not FIRST_EPOCH_YEAR <= epoch_dt.year <= LAST_EPOCH_YEAR:
        raise TLEError(
            f"{where}: OMM EPOCH {clean['EPOCH']!r} is outside {FIRST_EPOCH_YEAR}.."
            f"{LAST_EPOCH_YEAR}, the years element sets for SGP4 can have"
        )
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
        except RecursionError:
            raise TLEError(
                f"{source}: JSON nested too deep; expected a list of flat OMM objects"
            ) from None
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
        try:
            for record in reader:
                # record numbers are file lines: the header is line 1
                yield reader.line_num, record
        except csv.Error as exc:
            raise TLEError(f"{source}:{reader.line_num + 1}: not valid OMM CSV ({exc})") from None
    elif kind == "xml":
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise TLEError(f"{source}:{exc.position[0]}: not well-formed XML ({exc})") from None
        if root.tag.startswith("{"):
            namespace = root.tag[1:].partition("}")[0]
            raise TLEError(
                f"{source}:1: the XML root <{root.tag.partition('}')[2]}> is in the namespace "
                f"{namespace[:120]!r}; expected CCSDS OMM XML without a default namespace (as "
                "CelesTrak and Space-Track write it)"
            )
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
