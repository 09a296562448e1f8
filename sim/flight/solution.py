"""The stored Soyuz solution: solved burn vectors and fitted landing parameters, reused only
when nothing they depend on has changed, and checked every time they are used.

Solving the chase (21 burn components, ``scipy.optimize.least_squares``) and fitting the landing
(96 descents) takes about 8 s of CPU, and every run solves the same problem. ``solution.json``
beside this module keeps the result of that solve for each flight the scenarios name
(``soyuz-ms25``, ``soyuz-ms25-first-attempt``), under a **fingerprint** of everything the solve
depends on:

* the text of the element sets in force over the flight (launch to docking, and at undocking);
* every flight parameter (:class:`~sim.flight.FlightParams`) and the burn plan (MET of each burn);
* the model's code: the SHA-256 of ``ascent.py``, ``chase.py``, ``landing.py``,
  ``propagator.py`` and ``__init__.py`` of this package (line endings normalised).

A run whose fingerprint matches flies the stored burns once (the same code as after a solve,
so the trajectory is the same to the last bit) and **verifies** the result: the arrival within
:data:`ARRIVAL_TOL_M` and :data:`ARRIVAL_TOL_M_S` of the ISS state of the element sets at
docking, the landing within :data:`LANDING_TOL_M` and :data:`LANDING_TOL_S` of the published one
(the solver itself reaches 2e-9 m, 3e-12 m/s, 0.05 m and 0.0002 s; a test checks that a fresh
solve meets these tolerances). A fingerprint that does not match, or a failed check, means a
solve as before, and the progress line says why. ``Flight.solution`` (summary.json ``flight``)
says which happened.

Regenerate after changing the model, its parameters or the bundled element sets::

    python -m sim.flight.solution --write    # solve both flights, rewrite solution.json
    python -m sim.flight.solution --check    # solve again and compare (exit 1 when stale)

``tests/test_solution.py`` re-solves from scratch and compares with the stored file, so the file
cannot go stale (or be edited) silently. Nothing is cached anywhere else.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..times import datetime_to_jd, parse_utc

#: the stored solutions, package data beside this module
SOLUTION_FILE = Path(__file__).with_name("solution.json")
#: layout of ``solution.json``; a file of another format is not used
FORMAT = 1
#: the code whose change invalidates a stored solution (files of this package)
MODEL_FILES = ("ascent.py", "chase.py", "landing.py", "propagator.py", "__init__.py")

#: a stored solution is used only when its re-flight meets the ISS state at docking this well
ARRIVAL_TOL_M = 1e-3
ARRIVAL_TOL_M_S = 1e-3
#: ... and lands this close to the published landing (place, time)
LANDING_TOL_M = 1.0
LANDING_TOL_S = 0.01

#: burn components (m/s) and fitted parameters (relative) may differ this much between the stored
#: file and a fresh solve before the file counts as stale (the solvers converge to ~1e-11 m/s;
#: the landing fit to ~1e-8, its descents being integrated to a relative tolerance of 1e-8)
SAME_DV_M_S = 1e-9
SAME_FIT_REL = 1e-6


def model_code_sha256() -> str:
    """SHA-256 of the model's source files (:data:`MODEL_FILES`), line endings normalised."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in MODEL_FILES:
        try:
            text = (here / name).read_bytes().replace(b"\r\n", b"\n")
        except OSError:  # an installation without sources: never matches a stored solution
            text = b"<missing>"
        h.update(name.encode() + b"\0" + text + b"\0")
    return h.hexdigest()


def _set_text(s) -> str:
    """The element set as its two TLE lines (or, read from OMM, its SGP4 elements)."""
    if s.line1 and s.line2:
        return f"{s.line1.rstrip()}\n{s.line2.rstrip()}"
    key = ", ".join(repr(float(x)) for x in s.elements_key())
    return f"NORAD {s.norad_id} epoch {s.epoch_jd!r}+{s.epoch_fraction!r}: {key}"


def _jd(text: str) -> tuple[float, float]:
    return datetime_to_jd(parse_utc(text, "flight parameters"))


def sets_used(catalogue, p, with_return: bool) -> list[str]:
    """Text of every element set in force from launch to docking and, with the return, at
    undocking: all the ISS states the ascent, the chase solve and the return start from."""
    (lw, lf), (dw, df) = _jd(p.launch_utc), _jd(p.docking_utc)
    lo, hi = (int(k) for k in catalogue.index_at([lw, dw], [lf, df]))
    index = list(range(lo, hi + 1))
    if with_return:
        uw, uf = _jd(p.undock_utc)
        k = int(catalogue.index_at([uw], [uf])[0])
        if k not in index:
            index.append(k)
    return [_set_text(catalogue.sets[k]) for k in index]


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def inputs_of(name: str, catalogue, p, plan_met_s, with_return: bool) -> dict:
    """Everything the solve of flight ``name`` depends on, JSON-ready."""
    return json.loads(
        _canonical(
            {
                "flight": name,
                "model_code_sha256": model_code_sha256(),
                "parameters": asdict(p),
                "plan_met_s": [float(t) for t in plan_met_s],
                "element_sets": sets_used(catalogue, p, with_return),
            }
        )
    )


def fingerprint(inputs: dict) -> str:
    """SHA-256 of the canonical JSON of :func:`inputs_of`."""
    return hashlib.sha256(_canonical(inputs).encode()).hexdigest()


def read_file(path: Path | None = None) -> dict:
    """The stored file (``{"flights": {}}`` when missing, unreadable or of another format)."""
    try:
        data = json.loads(Path(path or SOLUTION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"flights": {}}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {"flights": {}}
    return data


def _differences(now: dict, stored: dict) -> str:
    words = {
        "flight": "flight name",
        "model_code_sha256": "model code",
        "parameters": "flight parameters",
        "plan_met_s": "burn plan",
        "element_sets": "element sets",
    }
    out = []
    for key, word in words.items():
        if now.get(key) != stored.get(key):
            if key == "parameters" and isinstance(stored.get(key), dict):
                names = sorted(k for k in now[key] if now[key].get(k) != stored[key].get(k)) or [
                    "their set"
                ]
                word += " (" + ", ".join(names[:3]) + ("..." if len(names) > 3 else "") + ")"
            out.append(word)
    return ", ".join(out) or "fingerprint"


def lookup(name: str, catalogue, p, plan_met_s, with_return: bool, path: Path | None = None):
    """``(entry, why)``: the stored entry of flight ``name`` when its fingerprint matches these
    inputs (``why`` names it), else ``(None, why)`` saying what differs."""
    entry = read_file(path).get("flights", {}).get(name)
    if not isinstance(entry, dict):
        return None, f"no stored solution for {name!r} in {SOLUTION_FILE.name}"
    inputs = inputs_of(name, catalogue, p, plan_met_s, with_return)
    fp = fingerprint(inputs)
    if entry.get("fingerprint") != fp:
        diff = _differences(inputs, entry.get("inputs") or {})
        return None, f"stored solution does not match: {diff} differ"
    return entry, f"{SOLUTION_FILE.name} {name!r}, fingerprint {fp[:12]}"


def chase_solution(entry: dict):
    """The stored chase as a :class:`~sim.flight.chase.ChaseSolution`."""
    from .chase import ChaseSolution

    c = entry["chase"]
    return ChaseSolution(
        {k: np.array(v, dtype=float) for k, v in c["dv_rtn_m_s"].items()},
        dict(c["residuals"]),
        dict(c["aims"]),
        dict(c["evaluations"]),
    )


def record_of(flight) -> dict:
    """The solution of a flight as stored: burn vectors (RTN m/s) with the solver's residuals,
    aim points and evaluation counts, and the fitted landing parameters."""
    out: dict = {}
    for leg in flight.legs:
        facts = leg.facts
        if "stage_residuals" in facts:
            out["chase"] = {
                "dv_rtn_m_s": {b.name: [float(x) for x in b.dv_rtn_m_s] for b in leg.burns},
                "residuals": facts["stage_residuals"],
                "aims": facts["aim_points"],
                "evaluations": facts["solver_evaluations"],
            }
        if "fit" in facts:
            out["return"] = {
                "parameters": {k: float(v) for k, v in facts["fit"]["parameters"].items()},
                "evaluations": int(facts["fit"]["evaluations"]),
            }
    return out


def check(flight) -> tuple[bool, str]:
    """Does the flown flight meet its targets? ``(ok, text)``: the arrival at the ISS state and,
    when fitted, the landing, against :data:`ARRIVAL_TOL_M`, ... :data:`LANDING_TOL_S`."""
    ok, parts = True, []
    for leg in flight.legs:
        f = leg.facts
        if "arrival_miss_m" in f:
            m, ms = f["arrival_miss_m"], f["arrival_miss_m_s"]
            ok &= bool(m <= ARRIVAL_TOL_M and ms <= ARRIVAL_TOL_M_S)
            parts.append(f"arrival miss {m:.3f} m, {ms:.3f} m/s")
        landing = f.get("landing")
        if landing is not None and landing.get("parameters") == "fitted":
            m, late = landing["miss_km"] * 1e3, landing["late_s"]
            ok &= bool(m <= LANDING_TOL_M and abs(late) <= LANDING_TOL_S)
            parts.append(f"landing miss {m:.3f} m, {late:+.3f} s")
    if not parts:
        return False, "nothing to check"
    return ok and all(math.isfinite(x) for x in _numbers(flight)), "; ".join(parts)


def _numbers(flight):
    for leg in flight.legs:
        if "arrival_miss_m" in leg.facts:
            yield leg.facts["arrival_miss_m"]
        if "landing" in leg.facts:
            yield leg.facts["landing"]["miss_km"]


def compare(stored: dict, fresh: dict) -> list[str]:
    """How a stored record (:func:`record_of`) differs from a fresh solve's; empty when the
    same within :data:`SAME_DV_M_S` and :data:`SAME_FIT_REL`."""
    problems = []
    if set(stored) != set(fresh):
        problems.append(f"parts {sorted(stored)} stored, {sorted(fresh)} solved")
    a = stored.get("chase", {}).get("dv_rtn_m_s", {})
    b = fresh.get("chase", {}).get("dv_rtn_m_s", {})
    if set(a) != set(b):
        problems.append(f"burns {sorted(a)} stored, {sorted(b)} solved")
    for k in sorted(set(a) & set(b)):
        d = float(np.max(np.abs(np.subtract(a[k], b[k]))))
        if not d <= SAME_DV_M_S:
            problems.append(f"{k}: stored {a[k]} m/s, solved {b[k]} m/s ({d:.3g} m/s apart)")
    a = stored.get("return", {}).get("parameters", {})
    b = fresh.get("return", {}).get("parameters", {})
    if set(a) != set(b):
        problems.append(f"fitted parameters {sorted(a)} stored, {sorted(b)} solved")
    for k in sorted(set(a) & set(b)):
        if not abs(a[k] - b[k]) <= SAME_FIT_REL * max(abs(b[k]), 1e-12):
            problems.append(f"{k}: stored {a[k]!r}, fitted {b[k]!r}")
    return problems


def _bundled_catalogue():
    """The ISS catalogue the bundled scenarios replay (their element file, rule ``epoch``)."""
    from ..bundled import default_tle
    from ..elements import load_catalogue

    return load_catalogue(default_tle(), rule="epoch", norad_id=25544)


def solve_all(catalogue=None) -> dict:
    """Solve every stored flight from scratch: name -> (entry for the file, Flight)."""
    from . import FLIGHTS

    catalogue = catalogue or _bundled_catalogue()
    out = {}
    for name, (fly, plan, with_return) in FLIGHTS.items():
        flight = fly(catalogue, None, reuse=False)
        ok, text = check(flight)
        if not ok:
            raise RuntimeError(f"{name}: the solve misses its targets ({text}); not stored")
        inputs = inputs_of(name, catalogue, flight.params, plan(flight.params), with_return)
        out[name] = (
            {
                "fingerprint": fingerprint(inputs),
                "solution": record_of(flight),
                "check_when_solved": text,
                "inputs": inputs,
            },
            flight,
        )
    return out


def write(path: Path | None = None) -> Path:
    """Solve every flight and write the file (the ``--write`` command)."""
    import platform

    import scipy

    solved = solve_all()
    data = {
        "format": FORMAT,
        "note": "Solved burn vectors (RTN, m/s) and fitted landing parameters of the modelled "
        "Soyuz flights, written by `python -m sim.flight.solution --write`. Used only when the "
        "fingerprint of the inputs (element sets in force, flight parameters, burn plan, model "
        "code) matches, and verified by flying them at every use (docs/soyuz-model.md). Do "
        "not edit: tests/test_solution.py solves again and compares.",
        "solved_with": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "flights": {name: entry for name, (entry, _flight) in solved.items()},
    }
    path = Path(path or SOLUTION_FILE)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


USAGE = """usage: python -m sim.flight.solution (--write | --check)

Solve the modelled Soyuz flights from scratch and
  --write  rewrite sim/flight/solution.json with the result;
  --check  compare the result with the stored file (exit 1 when it is stale)."""


def main(argv=None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else list(argv)
    if args not in (["--write"], ["--check"]):
        print(USAGE, file=sys.stderr if args not in (["-h"], ["--help"]) else sys.stdout)
        return 0 if args in (["-h"], ["--help"]) else 2
    if args == ["--write"]:
        print(f"wrote {write()}")
        return 0
    stored = read_file().get("flights", {})
    bad = 0
    for name, (entry, _flight) in solve_all().items():
        old = stored.get(name) or {}
        problems = compare(old.get("solution") or {}, entry["solution"])
        if old.get("fingerprint") != entry["fingerprint"]:
            why = _differences(entry["inputs"], old.get("inputs") or {})
            problems.insert(0, f"fingerprint differs ({why})")
        print(f"{name}: " + ("same as stored" if not problems else "; ".join(problems)))
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
