"""The faster paths of the data writer give the same text and numbers as the plain ones."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sim.export.oem import state_lines, teme_to_eme2000_matrices_many
from sim.export.shared import safe_json
from sim.results import json_safe

VALUES = [
    {"a": 1.5, "b": [1, 2.25, "x", None, True], "c": (3, 4.0)},
    {"nan": math.nan, "deep": [{"inf": math.inf}, [-math.inf, 2.0]]},
    {"numpy": [np.int64(7), np.float64(2.5), np.bool_(True), np.float32(0.5)]},
    {"numpy nan": np.float64("nan"), "list": [np.float64(1.25)]},
    [1e-300, -0.0, 123456789.123456789, "é"],
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("kwargs", [{}, {"indent": 1}, {"separators": (",", ":")}])
def test_safe_json_is_the_text_of_json_safe(value, kwargs):
    assert safe_json(value, **kwargs) == json.dumps(json_safe(value), allow_nan=False, **kwargs)


def test_safe_json_still_refuses_what_json_safe_cannot_mend():
    with pytest.raises(TypeError):
        safe_json({"x": object()})


@pytest.mark.parametrize("blas_threads", [None, 1])
def test_rotations_of_several_grids_at_once_are_those_of_each_grid_alone(blas_threads):
    # with one BLAS thread (as `sim` runs it) a single skyfield call for all grids gave some
    # knots other last bits than the grid's own call
    from threadpoolctl import threadpool_limits

    with threadpool_limits(blas_threads, user_api="blas"):
        _several_grids_at_once_are_each_grid_alone()


def _several_grids_at_once_are_each_grid_alone():
    rng = np.random.default_rng(3)
    grids = []
    for start, span_days, n in ((2460390.5, 12.0, 5000), (2460395.5, 0.01, 7), (2460391.5, 2, 300)):
        days = np.sort(rng.uniform(0.0, span_days, n))
        whole = np.full(n, start)
        grids.append((whole, days))
    together = teme_to_eme2000_matrices_many(grids)
    for (whole, fraction), m in zip(grids, together, strict=True):
        alone = teme_to_eme2000_matrices_many([(whole, fraction)])[0]
        assert m.shape == (whole.size, 3, 3)
        assert np.array_equal(m, alone)
        # a rotation: orthonormal
        assert np.allclose(np.einsum("nij,nkj->nik", m, m), np.eye(3), atol=1e-12)


def test_state_lines_are_one_formatted_line_per_row():
    rng = np.random.default_rng(5)
    r = rng.normal(size=(6, 3)) * 7000.0
    v = rng.normal(size=(6, 3)) * 7.0
    r[2, 1] = -0.0
    times = [f"2024-03-2{i}T00:00:00.000" for i in range(6)]
    rows = np.array([1, 2, 4])
    expected = [
        f"{times[i]} {r[i, 0]:.6f} {r[i, 1]:.6f} {r[i, 2]:.6f} "
        f"{v[i, 0]:.9f} {v[i, 1]:.9f} {v[i, 2]:.9f}"
        for i in rows
    ]
    assert state_lines(times, rows, r, v) == expected
