"""Memory of propagate's outputs (sim.parallel.empty_array): large output arrays carry the
kernel's no-huge-page advice, read back from /proc/self/smaps; numpy's own setting is left
alone; the arrays behave as np.empty's do; their memory goes when the Ephemeris goes."""

import gc
import mmap
import os
import pickle
import sys
import weakref

import numpy as np
import pytest

import sim.parallel as par
from sim.ephemeris import propagate
from sim.times import TimeGrid

FIELDS = ("set_index", "age_h", "error", "shadow")
BIG = ("r_teme_km", "v_teme_km_s", "r_itrs_km", "v_itrs_km_s", "lat_deg", "lon_deg", "alt_km")
#: Where the kernel has transparent huge pages at all (then madvise takes the advice, whatever
#: ``enabled`` says: always, madvise or never)
THP = os.path.isdir("/sys/kernel/mm/transparent_hugepage")
LINUX = sys.platform.startswith("linux")


def _mapping(array) -> dict[str, str]:
    """The /proc/self/smaps entry of the mapping holding ``array``'s middle byte (numpy advises
    from the first whole page on, which splits its mapping): its fields by name, ``range`` the
    mapping's own line."""
    address = array.ctypes.data + array.nbytes // 2
    entry, inside = {}, False
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()[0]
            if "-" in head and ":" not in head:  # a mapping's first line: "start-end perms ..."
                if inside:
                    break
                lo, hi = (int(x, 16) for x in head.split("-"))
                inside = lo <= address < hi
                entry = {"range": line.strip()}
            elif inside:
                name, _, value = line.partition(":")
                entry[name] = value.strip()
    assert inside, "no mapping holds the array"
    return entry


def _mmap_of(array):
    """The mmap object under an array from empty_array (ndarray -> memoryview -> mmap)."""
    base = array
    while not isinstance(base, mmap.mmap):
        base = base.obj if isinstance(base, memoryview) else base.base
    return base


@pytest.mark.skipif(not (LINUX and THP), reason="reads the advice back from /proc/self/smaps")
@pytest.mark.parametrize("workers", [1, 2])
def test_large_outputs_carry_the_no_huge_page_advice(catalogue, monkeypatch, workers):
    # 3 h at 0.02 s: 540,001 instants, 71 MB of outputs, every float column 4.3 MB or more
    grid = TimeGrid.span("2024-03-28T00:00Z", "2024-03-28T03:00Z", 0.02)
    monkeypatch.setattr(par, "NO_HUGEPAGE_MIN_BYTES", 64 << 20)  # at most the 71 MB
    eph = propagate(catalogue, grid, workers=workers)
    for name in BIG:
        array = getattr(eph, name)
        entry = _mapping(array)
        flags = entry["VmFlags"].split()
        # nh: MADV_NOHUGEPAGE; hg would be numpy's MADV_HUGEPAGE
        assert "nh" in flags and "hg" not in flags, (name, entry["range"], flags)
        assert entry["AnonHugePages"] == "0 kB", (name, entry)  # written, in 4 KiB pages
        assert array.flags.writeable and array.flags.c_contiguous
    assert np.isfinite(eph.lat_deg).all() and (np.abs(eph.lat_deg) < 52.0).all()
    # below the threshold: numpy's own arrays, as they were
    monkeypatch.setattr(par, "NO_HUGEPAGE_MIN_BYTES", 80 << 20)  # above the 71 MB
    eph = propagate(catalogue, grid, workers=workers)
    for name in BIG:
        array = getattr(eph, name)
        assert array.flags.owndata and "nh" not in _mapping(array)["VmFlags"].split(), name


def test_the_60_day_span_gets_4_kib_pages_and_the_12_day_track_keeps_numpys(catalogue):
    # the threshold falls between the two jobs' outputs (measured: see empty_array), which
    # are propagate's outputs per instant times 1,036,800 and 5,184,000 instants
    eph = propagate(catalogue, TimeGrid.span("2024-03-28T00:00Z", "2024-03-28T00:01Z", 1.0))
    per_instant = sum(getattr(eph, name).nbytes for name in BIG + FIELDS) / len(eph)
    assert per_instant == 4 * 24 + 4 * 8 + 2 + 1 + 1  # the 11 columns
    assert 12 * 86400 * per_instant < par.NO_HUGEPAGE_MIN_BYTES <= 30 * 86400 * per_instant


@pytest.mark.skipif(not (LINUX and THP), reason="reads the advice back from /proc/self/smaps")
def test_the_users_own_numpy_arrays_are_left_as_numpy_makes_them(catalogue):
    # whatever numpy does with its own large arrays before propagate, it does after it
    before = set(_mapping(np.ones(1 << 21)).get("VmFlags", "").split()) & {"hg", "nh"}
    propagate(catalogue, TimeGrid.span("2024-03-28T00:00Z", "2024-03-28T01:00Z", 0.02))
    after = set(_mapping(np.ones(1 << 21)).get("VmFlags", "").split()) & {"hg", "nh"}
    assert after == before and "nh" not in after


def test_output_arrays_behave_as_np_empty_and_go_with_the_ephemeris(catalogue, monkeypatch):
    # every output through the mapping (thresholds of 1 byte), two processes: the workers' chunks
    # arrive in it, written by them or (a kernel that refuses that) read from them
    grid = TimeGrid.span("2024-03-28T00:00Z", "2024-03-28T02:00Z", 0.1)
    one = propagate(catalogue, grid, workers=1)  # np.empty below the threshold
    monkeypatch.setattr(par, "NO_HUGEPAGE_MIN_BYTES", 1)
    monkeypatch.setattr(par, "_NUMPY_HUGEPAGE_MIN_BYTES", 1)
    real_copy, reads = par._copy, []

    def read_only(pid, arrays, sources=None, write=False):
        reads.append(write)
        return not write and real_copy(pid, arrays, sources)

    for refuse_write in (False, True):
        if refuse_write:
            monkeypatch.setattr(par, "_copy", read_only)
        two = propagate(catalogue, grid, workers=2)
        for name in BIG + FIELDS:
            a, b = getattr(one, name), getattr(two, name)
            assert a.dtype == b.dtype and a.shape == b.shape, name
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert False in reads  # the refused writes' chunks were read from the worker
    copy = pickle.loads(pickle.dumps(two.r_itrs_km))
    assert np.array_equal(copy, two.r_itrs_km)
    two.lat_deg[:3] = 1.5  # writable
    assert (two.lat_deg[:3] == 1.5).all()
    if par._MADV_NOHUGEPAGE is None:  # another OS: np.empty itself
        assert two.r_teme_km.flags.owndata
        return
    gone = [weakref.ref(_mmap_of(getattr(two, name))) for name in BIG]
    assert len({id(ref()) for ref in gone}) == len(BIG)  # a mapping of its own each
    del two
    gc.collect()
    assert all(ref() is None for ref in gone)  # unmapped with the Ephemeris


def test_small_arrays_and_other_systems_get_np_empty(monkeypatch):
    small = par.empty_array((10, 3))
    assert small.flags.owndata and small.shape == (10, 3) and small.dtype == np.float64
    monkeypatch.setattr(par, "_MADV_NOHUGEPAGE", None)  # an OS without the advice
    big = par.empty_array(par.NO_HUGEPAGE_MIN_BYTES, np.uint8)
    assert big.flags.owndata and big.shape == (par.NO_HUGEPAGE_MIN_BYTES,)
