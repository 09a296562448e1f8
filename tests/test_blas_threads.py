"""A command runs BLAS in one thread (issue 14): its work is spread over processes, one per
core, where BLAS's own threads only spin waiting; a count the user set is kept."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import json, sys
import numpy  # numpy's BLAS is loaded before the command starts, as in `sim`
from sim.parallel import one_blas_thread
set_here = one_blas_thread()
import scipy.linalg  # scipy's BLAS is loaded after it
from threadpoolctl import threadpool_info
print(json.dumps({"set": set_here, "blas": [
    (i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"
]}))
"""


def _probe(env_extra: dict) -> dict:
    import json

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_blas_runs_in_one_thread_in_numpy_and_in_libraries_loaded_later():
    found = _probe({})
    assert found["set"] is True
    assert len(found["blas"]) >= 1
    assert all(n == 1 for _, n in found["blas"]), found["blas"]


def test_a_count_the_user_set_is_kept():
    found = _probe({"OPENBLAS_NUM_THREADS": "2"})
    assert found["set"] is False
    assert any(n == 2 for _, n in found["blas"]), found["blas"]
