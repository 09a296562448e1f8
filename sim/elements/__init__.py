"""Element sets: TLE / 3LE (``tle``), OMM in CSV, JSON and XML (``omm``), reading files
(``files``) and the switching :class:`Catalogue` (``catalogue``)."""

from .catalogue import Catalogue, Switch
from .files import load_catalogue, read_element_sets, scan_file
from .omm import parse_omm_text
from .tle import SWITCH_RULES, TLE_TEMPLATE, ElementSet, ParseReport, parse_tle_text, tle_checksum

__all__ = [
    "SWITCH_RULES",
    "TLE_TEMPLATE",
    "Catalogue",
    "ElementSet",
    "ParseReport",
    "Switch",
    "load_catalogue",
    "parse_omm_text",
    "parse_tle_text",
    "read_element_sets",
    "scan_file",
    "tle_checksum",
]
