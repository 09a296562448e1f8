"""Orbital replay simulator: replay a crewed mission from historical element sets, offline.

>>> import sim
>>> cat = sim.load_catalogue(sim.default_tle())
>>> len(cat), cat.norad_id
(6, 25544)
"""

from .bundled import default_scenario, default_tle
from .errors import OutputError, ScenarioError, SimError, TimeSpanError, TLEError
from .times import TimeGrid
from .tle import Catalogue, ElementSet, load_catalogue, read_element_sets

__all__ = [
    "Catalogue",
    "ElementSet",
    "OutputError",
    "ScenarioError",
    "SimError",
    "TLEError",
    "TimeGrid",
    "TimeSpanError",
    "default_scenario",
    "default_tle",
    "load_catalogue",
    "read_element_sets",
]
