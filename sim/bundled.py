"""Where the bundled element sets and scenarios live.

In a checkout they are the top-level ``tle/`` and ``scenarios/`` folders; in an installed wheel
they are copied into ``sim/_bundled/``. Both layouts keep ``scenarios/`` and ``tle/`` side by side,
so the relative paths inside scenario files work in either.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """Return the folder ``tle`` or ``scenarios`` for this installation."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found next to {_PACKAGE}")


def default_scenario() -> Path:
    """The Soyuz MS-25 scenario replayed by ``sim run`` without arguments."""
    return bundled_dir("scenarios") / "soyuz-ms25.toml"


def default_tle() -> Path:
    """The bundled ISS element sets (2024-03-27 to 2024-04-10)."""
    return bundled_dir("tle") / "iss-2024-03-27_2024-04-10.tle"
