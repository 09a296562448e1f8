"""Evidence for "equivalent" verdicts of the trust rule's shortcut in sim/ephemeris.py
(``_check_span``, docs/mutation.md): 3,000 random time-ordered grids (2 to 40 instants over the
bundled element sets and 3 days either side, some instants exactly on a set boundary, the first
or last one often so; one whole day for all instants or each its own) against 8 catalogues (limits
0.5, 1, 2 and 7 days, switch rules 'epoch' and 'midpoint'), each checked under the original and
under each named mutant in one process (mutmut's trampolines read MUTANT_UNDER_TEST at every
call). Prints, per mutant, how many grids are refused and on how many the outcome (accepted, or
the exception's text) differs. After a mutmut run:

    cd mutants && PYTHONPATH=.:../tests ../.venv/bin/python \
        ../benchmarks/mutation_equivalence_span.py sim.ephemeris.x__check_span__mutmut_47 ...
"""

import os
import sys

os.environ["MUTANT_UNDER_TEST"] = ""
sys.path[:0] = [".", "../tests"]
import numpy as np  # noqa: E402 (after the path set-up)
from conftest import BUNDLED_TLE  # noqa: E402 (after the path set-up)

import sim  # noqa: E402 (after the path set-up)
from sim import ephemeris as se  # noqa: E402 (after the path set-up)

CATALOGUES = [
    sim.load_catalogue(BUNDLED_TLE, max_extrapolation_days=d, rule=r)
    for d in (0.5, 1.0, 2.0, 7.0)
    for r in ("epoch", "midpoint")
]


def grids(count=3000, seed=1):
    rng = np.random.default_rng(seed)
    for trial in range(count):
        cat = CATALOGUES[trial % len(CATALOGUES)]
        ep, b = cat.epochs, cat.boundaries()
        n = int(rng.integers(2, 40))
        jd = np.sort(rng.uniform(ep[0] - rng.uniform(0, 3), ep[-1] + rng.uniform(0, 3), n))
        for k in rng.integers(0, n, int(rng.integers(0, 4))):
            jd[k] = b[rng.integers(0, b.size)]
        if rng.random() < 0.2:
            jd[0] = b[rng.integers(0, b.size)]
        if rng.random() < 0.2:
            jd[-1] = b[rng.integers(0, b.size)]
        jd = np.sort(jd)
        whole = np.floor(jd) if rng.random() < 0.5 else np.full(n, np.floor(jd[0]))
        yield cat, whole, jd - whole


def outcome(cat, whole, fraction):
    try:
        se._check_span(cat, whole, fraction)
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return None


CASES = list(grids())
for name in sys.argv[1:]:
    differ = refused = 0
    for cat, whole, fraction in CASES:
        os.environ["MUTANT_UNDER_TEST"] = ""
        want = outcome(cat, whole, fraction)
        os.environ["MUTANT_UNDER_TEST"] = name
        got = outcome(cat, whole, fraction)
        os.environ["MUTANT_UNDER_TEST"] = ""
        refused += want is not None
        differ += got != want
    short = name.replace("sim.ephemeris.x_", "").replace("__mutmut_", "#")
    print(f"{short}: {len(CASES)} grids, {refused} refused by the original, {differ} differ")
