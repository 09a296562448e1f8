"""Shared fixtures and physical tolerances."""

import os
import socket
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BUNDLED_TLE = ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle"

ONE_MILLIMETRE_KM = 1e-6
ONE_METRE_KM = 1e-3


def omm_record(**changes) -> dict:
    """The first bundled ISS set as a CelesTrak-style OMM record (strings); ``changes`` replace
    fields, ``None`` removes one."""
    record = {
        "OBJECT_NAME": "ISS (ZARYA)",
        "OBJECT_ID": "1998-067A",
        "EPOCH": "2024-03-27T12:13:52.819968",  # 24087.50963912
        "MEAN_MOTION": "15.49609731",
        "ECCENTRICITY": "0.0004676",
        "INCLINATION": "51.6411",
        "RA_OF_ASC_NODE": "0.3077",
        "ARG_OF_PERICENTER": "8.9972",
        "MEAN_ANOMALY": "162.1343",
        "EPHEMERIS_TYPE": "0",
        "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": "25544",
        "ELEMENT_SET_NO": "999",
        "REV_AT_EPOCH": "44587",
        "BSTAR": "0.6325e-3",
        "MEAN_MOTION_DOT": "0.00035317",
        "MEAN_MOTION_DDOT": "0",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


@pytest.fixture(scope="session")
def catalogue():
    import sim

    return sim.load_catalogue(BUNDLED_TLE)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def guard(*args, **kwargs):
        raise AssertionError("the program tried to open a network socket")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
    os.environ.pop("HTTP_PROXY", None)
    yield
