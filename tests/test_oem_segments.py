"""OEM: one segment per element-set stretch, read back and interpolated by a reader written here.

The reader follows CCSDS 502.0-B-2 (KVN): META_START/META_STOP blocks, each followed by its
data lines; interpolation is Lagrange of the degree the segment declares, over the samples
nearest the instant, never across segments (the standard forbids it).
"""

from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import ONE_METRE_KM

from sim.ephemeris import propagate
from sim.export.oem import oem_text, write_oem
from sim.times import DAY_S, TimeGrid

DOCKED = ("2024-03-25T15:02:51Z", "2024-04-06T03:54:58Z")
STEP_S = 60.0


@pytest.fixture(scope="module")
def stay(catalogue):
    eph = propagate(catalogue, start=DOCKED[0], end=DOCKED[1], step_s=STEP_S, sunlight=False)
    return SimpleNamespace(
        ephemeris=eph, catalogue=catalogue, scenario=SimpleNamespace(object_name="ISS (ZARYA)")
    )


def _jd(text):
    dt = datetime.fromisoformat(text + "+00:00")
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / DAY_S + 2440587.5


def read_oem(text):
    """(header, segments): each segment is (meta dict, jd array (N,), state array (N, 6))."""
    header, segments = {}, []
    meta, rows, in_meta = None, [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        if line == "META_START":
            if meta is not None:
                segments.append((meta, rows))
            meta, rows, in_meta = {}, [], True
        elif line == "META_STOP":
            in_meta = False
        elif "=" in line:
            key, value = (x.strip() for x in line.split("=", 1))
            (meta if in_meta else header)[key] = value
        else:
            fields = line.split()
            rows.append((_jd(fields[0]), [float(x) for x in fields[1:7]]))
    if meta is not None:
        segments.append((meta, rows))
    return header, [
        (m, np.array([r[0] for r in rs]), np.array([r[1] for r in rs])) for m, rs in segments
    ]


def lagrange(jd, state, at_jd, degree):
    """Lagrange interpolation of ``state`` rows at ``at_jd`` from the degree+1 nearest samples."""
    out = np.empty((len(at_jd), state.shape[1]))
    n = degree + 1
    for j, t in enumerate(at_jd):
        first = int(np.clip(np.searchsorted(jd, t) - n // 2, 0, len(jd) - n))
        x = (jd[first : first + n] - t) * DAY_S  # seconds, centred on the instant
        y = state[first : first + n]
        weights = np.ones(n)
        for i in range(n):
            others = np.delete(x, i)
            weights[i] = np.prod(-others) / np.prod(x[i] - others)
        out[j] = weights @ y
    return out


def test_a_segment_per_element_set_stretch(stay):
    header, segments = read_oem(oem_text(stay, "ITRF"))
    assert header["CCSDS_OEM_VERS"] == "2.0"
    eph = stay.ephemeris
    switches = [
        jd for jd in stay.catalogue.boundaries() if eph.times.jd[0] < jd <= eph.times.jd[-1]
    ]
    assert len(switches) >= 3
    assert len(segments) == len(switches) + 1
    # every switch falls between the last sample of one segment and the first of the next
    for sw, (a, b) in zip(switches, zip(segments[:-1], segments[1:], strict=True), strict=True):
        assert a[1][-1] < sw <= b[1][0]
        assert _jd(a[0]["STOP_TIME"]) == a[1][-1] and _jd(b[0]["START_TIME"]) == b[1][0]
    # no sample lost or repeated
    assert sum(len(s[1]) for s in segments) == len(eph)


@pytest.mark.parametrize("frame", ["ITRF", "EME2000"])
def test_each_segment_interpolates_within_a_metre(stay, frame):
    _header, segments = read_oem(oem_text(stay, frame))
    worst_km = 0.0
    for meta, jd, state in segments:
        assert meta["REF_FRAME"] == frame and meta["INTERPOLATION"] == "LAGRANGE"
        degree = int(meta["INTERPOLATION_DEGREE"])
        # halfway between samples, including the first and last gaps of the segment
        mid = 0.5 * (jd[:-1] + jd[1:])
        pick = np.unique(np.r_[0, 1, 2, np.linspace(0, mid.size - 1, 40).astype(int), -3, -2, -1])
        at = mid[pick]
        got = lagrange(jd, state, at, degree)
        whole = np.floor(at)
        ref = propagate(stay.catalogue, TimeGrid(whole, at - whole), sunlight=False)
        if frame == "ITRF":
            ref_r = ref.r_itrs_km
        else:  # skyfield's GCRS, rotated by the IAU 2000 frame bias to J2000
            from skyfield.api import EarthSatellite
            from skyfield.framelib import ICRS_to_J2000

            t = ref.times.to_skyfield()
            ref_r = np.empty((at.size, 3))
            for k in np.unique(ref.set_index):
                sel = np.nonzero(ref.set_index == k)[0]
                sat = EarthSatellite.from_satrec(stay.catalogue.sets[k].satrec, t.ts)
                ref_r[sel] = (ICRS_to_J2000 @ sat.at(t[sel]).position.km).T
        worst_km = max(worst_km, np.linalg.norm(got[:, :3] - ref_r, axis=1).max())
    assert worst_km < ONE_METRE_KM


def test_one_segment_across_a_switch_would_miss_by_kilometres(stay):
    """What the segments prevent: interpolating through the switch instant."""
    _header, segments = read_oem(oem_text(stay, "ITRF"))
    (_m1, jd1, s1), (_m2, jd2, s2) = segments[0], segments[1]
    jd = np.r_[jd1, jd2]
    state = np.r_[s1, s2]
    at = np.array([0.5 * (jd1[-1] + jd2[0])])
    whole = np.floor(at)
    ref = propagate(stay.catalogue, TimeGrid(whole, at - whole), sunlight=False)
    across = lagrange(jd, state, at, 7)
    assert np.linalg.norm(across[0, :3] - ref.r_itrs_km[0]) > 1.0  # km


def test_creation_date_is_now_or_source_date_epoch(stay, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.now(UTC)
    header, _ = read_oem(oem_text(stay))
    created = datetime.fromisoformat(header["CREATION_DATE"] + "+00:00")
    assert before.replace(microsecond=0) <= created <= datetime.now(UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    a, b = tmp_path / "a.oem", tmp_path / "b.oem"
    write_oem(stay, a)
    write_oem(stay, b)
    assert a.read_bytes() == b.read_bytes()
    assert read_oem(a.read_text())[0]["CREATION_DATE"] == "2023-11-14T22:13:20.000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    from sim.errors import SimError

    with pytest.raises(SimError, match="SOURCE_DATE_EPOCH"):
        oem_text(stay)
