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
