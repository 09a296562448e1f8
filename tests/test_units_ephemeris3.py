"""The trust rule's shortcut in sim.ephemeris at the edges the earlier tests did not build (issue
18, docs/mutation.md, the last open ephemeris survivors): an element set that takes over exactly
at the last instant of a time-ordered grid, and a grid of exactly k blocks + 2 instants whose
last pair is out of order (the order check works block by block). In both the one instant that
lies too far from its element set is not one of the ends the shortcut looks at, so only a
shortcut that finds the right ends (or sees the disorder and leaves the grid to the rule) refuses
it. Reference: the catalogue's own trust rule (``Catalogue.check_span``, sim.elements), which
looks at every instant. Each test calls the code itself and takes well under a second."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from conftest import BUNDLED_TLE

import sim
from sim import ephemeris as se
from sim.errors import TimeSpanError
from sim.times import TimeGrid

#: A one-day limit of the trust rule (the bundled sets are 0.55 to 3.4 days apart).
LIMIT_DAYS = 1.0
#: Just past the limit: 0.04 s, above the shortcut's 1e-6 day margin and far above the rounding
#: of a Julian date (5e-10 day).
DELTA_DAYS = 5e-7


def _refusals(cat, whole, fraction):
    """The rule's refusal and propagate's, as texts."""
    with pytest.raises(TimeSpanError) as rule:
        cat.check_span(whole, fraction)
    with pytest.raises(TimeSpanError) as got:
        sim.propagate(cat, TimeGrid(whole, fraction), sunlight=False)
    return str(rule.value), str(got.value)


def test_a_set_taking_over_exactly_at_the_last_instant_still_bounds_the_run_before_it():
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=LIMIT_DAYS)
    s0, s1 = cat.sets[0], cat.sets[1]
    assert s1.epoch - s0.epoch > LIMIT_DAYS + 0.1  # set 0's run may grow too old before set 1
    # set 0 at 0.1 d, set 0 just too old, then exactly set 1's epoch: the grid ends on the
    # boundary, so the run of set 0 ends at the instant before the last (not an end of the grid)
    whole = np.array([s0.epoch_jd, s0.epoch_jd, s1.epoch_jd])
    fraction = np.array([s0.epoch_fraction + 0.1, s0.epoch_fraction + LIMIT_DAYS + DELTA_DAYS])
    fraction = np.append(fraction, s1.epoch_fraction)
    jd = whole + fraction
    assert jd[-1] == cat.boundaries()[0]  # exactly, bit for bit
    assert cat.index_at(whole, fraction).tolist() == [0, 0, 1]
    assert np.all(np.diff(jd) > 0)
    rule, got = _refusals(cat, whole, fraction)
    assert f"beyond the limit of {LIMIT_DAYS:g} days" in rule
    assert got == rule
    # and without the instant that is too old, the same grid is accepted with the sets in force
    keep = [0, 2]
    e = sim.propagate(cat, TimeGrid(whole[keep], fraction[keep]), sunlight=False)
    assert e.ok.all() and e.set_index.tolist() == [0, 1]


def test_a_grid_of_whole_blocks_plus_two_whose_last_pair_is_out_of_order():
    block = inspect.signature(se._in_order).parameters["block"].default
    n = block + 2
    cat = sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=LIMIT_DAYS)
    s0 = cat.sets[0]
    # time-ordered up to the instant before the last, which lies just too far from set 0; the
    # last instant goes back to 0.5 d: the only pair out of order is the last one
    offset = np.linspace(0.1, LIMIT_DAYS + DELTA_DAYS, n - 1)
    offset = np.append(offset, 0.5)
    whole = np.full(n, s0.epoch_jd)
    fraction = s0.epoch_fraction + offset
    jd = whole + fraction
    assert np.all(np.diff(jd)[:-1] > 0) and jd[-1] < jd[-2]
    assert not se._in_order(whole, fraction)
    assert se._in_order(whole[:-1], fraction[:-1])  # the pair out of order is the only one
    assert (cat.index_at(whole, fraction) == 0).all()
    rule, got = _refusals(cat, whole, fraction)
    assert f"beyond the limit of {LIMIT_DAYS:g} days" in rule
    assert got == rule
