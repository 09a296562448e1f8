"""Reading element-set files: detect the format, select one object, drop duplicates.

With ``strict=False`` problems become warnings in :attr:`ParseReport.problems` and the offending
set is left out, never silently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import TLEError
from ..inputs import read_regular_file
from ..times import DAY_S
from .catalogue import Catalogue
from .omm import parse_omm_text
from .tle import ElementSet, ParseReport, parse_tle_text
from .trust import MAX_EXTRAPOLATION_DAYS

# --------------------------------------------------------------------------------------------
# files

#: Element-set files larger than this are refused (the whole history of the ISS since 1998 as
#: 3LE is about 20 MB).
MAX_ELEMENT_FILE_BYTES = 200_000_000


def read_limited(path, limit_bytes: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit_bytes``; a folder, FIFO, device, socket
    or a larger file is refused with a ``TLEError`` naming the path, without blocking (the one
    reader of input files, :func:`sim.inputs.read_regular_file`)."""
    return read_regular_file(
        path, limit_bytes, what, TLEError, hint="; split it or select the sets you need"
    )


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
    raw = read_limited(path, MAX_ELEMENT_FILE_BYTES, "element-set file")
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
    text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark some editors write
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
    paths,
    *,
    rule: str = "epoch",
    norad_id=None,
    name=None,
    strict=True,
    max_age_days: float = 3.0,
    max_extrapolation_days: float = MAX_EXTRAPOLATION_DAYS,
) -> Catalogue:
    """Read element-set files and return a :class:`Catalogue` for one object.

    Instants more than ``max_age_days`` from the set in force are warned about; more than
    ``max_extrapolation_days`` away they are refused (:mod:`sim.elements.trust`).
    """
    report = read_element_sets(paths, norad_id=norad_id, name=name, strict=strict)
    return Catalogue(
        report.sets,
        rule=rule,
        max_age_days=max_age_days,
        report=report,
        max_extrapolation_days=max_extrapolation_days,
    )
