"""The stored Soyuz solution (sim/flight/solution.json) can never go stale or be edited silently:
a solve from scratch must give the stored burn vectors and landing parameters, the stored file's
fingerprints must be those of today's inputs, and a run uses a stored solution only when its
re-flight meets the ISS and the landing (else it solves, and says why)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import numpy as np
import pytest

import sim
from sim.flight import FlightParams, fly_first_attempt, fly_soyuz_ms25, solution

ONE_MILLIMETRE_KM = 1e-6


@pytest.fixture(scope="module")
def catalogue():
    return sim.load_catalogue(sim.default_tle())


@pytest.fixture(scope="module")
def solved(catalogue):
    """Both flights solved from scratch (about 10 s of CPU)."""
    return solution.solve_all(catalogue)


def test_a_solve_from_scratch_gives_the_stored_file(solved):
    stored = solution.read_file()["flights"]
    assert sorted(stored) == sorted(solved) == ["soyuz-ms25", "soyuz-ms25-first-attempt"]
    for name, (entry, _flight) in solved.items():
        assert stored[name]["fingerprint"] == entry["fingerprint"], (
            f"{name}: the inputs changed since solution.json was written "
            f"({solution._differences(entry['inputs'], stored[name]['inputs'])}); "
            "run: python -m sim.flight.solution --write"
        )
        problems = solution.compare(stored[name]["solution"], entry["solution"])
        assert problems == [], f"{name}: solution.json is stale or was edited: {problems}"


def test_the_solver_meets_the_tolerances_the_stored_solution_is_checked_against(solved):
    for name, (_entry, flight) in solved.items():
        ok, text = solution.check(flight)
        assert ok, f"{name}: {text}"
        assert flight.solution == "solved"


def test_flying_the_stored_solution_gives_the_solved_trajectories(catalogue, solved):
    """Not the solution's echo: the stored flight and the fresh solve's, sample by sample."""
    for fly, name in (
        (fly_soyuz_ms25, "soyuz-ms25"),
        (fly_first_attempt, "soyuz-ms25-first-attempt"),
    ):
        heard = []
        stored = fly(catalogue, progress=heard.append)
        fresh = solved[name][1]
        assert stored.solution.startswith("stored, verified at run time: arrival miss 0.000 m")
        assert heard == ["flying the modelled Soyuz legs (stored solution)"]
        assert [leg.name for leg in stored.legs] == [leg.name for leg in fresh.legs]
        for a, b in zip(stored.legs, fresh.legs, strict=True):
            assert len(a) == len(b)
            assert np.max(np.abs(a.r_teme_km - b.r_teme_km)) <= ONE_MILLIMETRE_KM
            assert [x.to_dict() for x in a.burns] == [x.to_dict() for x in b.burns]
            assert a.assumptions == b.assumptions


def test_compare_finds_an_edited_burn_or_parameter(solved):
    entry = solved["soyuz-ms25"][0]["solution"]
    edited = copy.deepcopy(entry)
    edited["chase"]["dv_rtn_m_s"]["DV4"][1] += 1e-6  # a micrometre per second
    assert any(p.startswith("DV4:") for p in solution.compare(edited, entry))
    edited = copy.deepcopy(entry)
    edited["return"]["parameters"]["lift_up_to_drag"] *= 1.0001
    assert any(p.startswith("lift_up_to_drag:") for p in solution.compare(edited, entry))
    assert solution.compare(entry, copy.deepcopy(entry)) == []


def test_changed_inputs_do_not_match_and_say_what_changed(catalogue):
    base = replace(
        FlightParams(), launch_utc="2024-03-21T13:21:19Z", docking_utc="2024-03-21T16:39:42Z"
    )
    plan = sim.flight._first_attempt_plan(base)
    name = "soyuz-ms25-first-attempt"
    entry, why = solution.lookup(name, catalogue, base, plan, False)
    assert entry is not None, why
    entry, why = solution.lookup(name, catalogue, replace(base, gate_km=1.5), plan, False)
    assert entry is None and "flight parameters (gate_km)" in why
    moved = [*plan[:-1], plan[-1] + 1.0]
    entry, why = solution.lookup(name, catalogue, base, moved, False)
    assert entry is None and "burn plan" in why
    # another element set in force over the flight
    first = catalogue.sets[0]
    other = replace(first, line2=first.line2[:-1] + str((int(first.line2[-1]) + 1) % 10))
    changed = sim.elements.Catalogue([other, *catalogue.sets[1:]], rule=catalogue.rule)
    entry, why = solution.lookup(name, changed, base, plan, False)
    assert entry is None and "element sets" in why


def test_changed_model_code_does_not_match(catalogue, monkeypatch):
    base = FlightParams()
    plan = sim.flight._ms25_plan(base)
    assert solution.lookup("soyuz-ms25", catalogue, base, plan, True)[0] is not None
    monkeypatch.setattr(solution, "model_code_sha256", lambda: "0" * 64)
    entry, why = solution.lookup("soyuz-ms25", catalogue, base, plan, True)
    assert entry is None and "model code" in why


def test_a_stored_solution_that_misses_the_iss_is_solved_again(catalogue, tmp_path, monkeypatch):
    """The fingerprint matches, but the burns were edited: the run-time check refuses them."""
    data = json.loads(solution.SOLUTION_FILE.read_text(encoding="utf-8"))
    dv7 = data["flights"]["soyuz-ms25-first-attempt"]["solution"]["chase"]["dv_rtn_m_s"]["DV7"]
    dv7[1] += 0.01  # 1 cm/s more braking: the Soyuz misses the docking state
    edited = tmp_path / "solution.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(solution, "SOLUTION_FILE", edited)
    heard = []
    flight = fly_first_attempt(catalogue, progress=heard.append)
    assert heard[0] == "flying the modelled Soyuz legs (stored solution)"
    assert "failed its run-time check (arrival miss" in heard[1]
    assert heard[1].startswith("solving the Soyuz burns")
    assert flight.solution == "solved"
    assert "failed its run-time check" in flight.solution_note
    assert solution.check(flight)[0]  # and the solve meets the ISS again


def test_summary_says_the_solution_was_stored_and_verified(catalogue):
    d = fly_soyuz_ms25(catalogue).to_dict()
    assert d["solution"].startswith("stored, verified at run time: arrival miss 0.000 m")
    assert "landing miss 0.0" in d["solution"]
    assert d["solution_note"].startswith("solution.json 'soyuz-ms25', fingerprint ")
