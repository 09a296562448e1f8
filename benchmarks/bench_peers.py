"""sim against the libraries users pick instead, all timed in one run on this machine.

    python benchmarks/bench_peers.py --setup          # venv .venv-bench with sim and the peers
    .venv-bench/bin/python benchmarks/bench_peers.py [--repeat 5] [--write RESULTS.md]

The peers are the optional extra ``bench`` of pyproject.toml, installed one by one into
``.venv-bench`` so that one that does not install here is reported as such (and its jobs as
"not installed"), not hidden. Every (job, method) repetition runs in a fresh process; imports,
file reading and table loading happen before the clock starts, for sim as for every peer; the
clock (``time.perf_counter``, with ``time.process_time`` beside it) covers the work only.
Each method is warmed up on a small input first (60 instants, or two hours of passes), so
lazy imports and first-use decoding stay outside the clock for every method alike.
Reported: min and median over the repetitions, and each goal of issue 14 as a ratio of mins
and of medians. The load average is printed too: on a shared machine it moves every number.

Jobs (element sets of the bundled ISS file, epoch rule: the latest set at or before the instant):

* ``track``: 1,036,800 instants 1 s apart from docking, geodetic latitude, longitude, height.
  ``floor`` is sgp4_array per element-set segment + GMST 1982 rotation + geodetic latitude,
  written here without any sim code (no UT1, no polar motion: a lower bound).
  ``sim`` splits a track this long over forked worker processes (one per core: 2 here);
  ``sim-1-process`` is the same with ``SIM_WORKERS=1``, ``sim-2-processes`` with
  ``workers=2`` even on a busy machine; ``floor-2-processes`` is the floor
  split in two halves, the second in a forked process writing into shared memory (the
  parallel peer run that makes the comparison fair). The ``processes`` column says how many
  processes each method used; a peer that runs threads shows CPU above wall time.
  CPU time counts this process and its reaped children (``RUSAGE_CHILDREN``).
* ``passes``: one station (Minsk, 10 deg mask), docking 2024-03-25 15:02:51 UTC to undocking
  2024-04-06 03:54:58 UTC; sim with naked-eye visibility against the peers' pass finders.
* ``span``: sim.propagate with the Sun (its default) over 12 days and over 60 days at 1 s.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import statistics
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-bench"
STATUS = VENV / "peers.json"
TLE = ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle"
DOCKING = datetime(2024, 3, 25, 15, 2, 51, tzinfo=UTC)
UNDOCKING = datetime(2024, 4, 6, 3, 54, 58, tzinfo=UTC)
TRACK_N = 12 * 86400  # 1,036,800 instants
MINSK = (53.9, 27.5667, 220.0)  # lat deg, lon deg, height m
MASK_DEG = 10.0
SKYFIELD_TRACK_STRIDE = 100  # skyfield takes ~50 s for the whole track: every 100th instant, x100

JOBS = {
    "track": [
        "sim",
        "sim-1-process",
        "sim-2-processes",
        "sim-no-polar-motion",
        "floor",
        "floor-2-processes",
        "astroz",
        "pyorbital",
        "satkit",
        "skyfield",
    ],
    "passes": ["sim", "sim-no-visibility", "skyfield", "thistle"],
    "span": ["sim-12d", "sim-60d"],
}
NOT_BENCHMARKED = {
    "brahe": "its SGP4 and access (pass) API was not written up within the "
    "time-box of this benchmark",
    "orekit-jpype": "Orekit needs its orekit-data files (leap seconds, EOP) and "
    "no pip package of the Orekit project carries them (orekitdata is not on the index; "
    "orekit_jpype's helper downloads at run time, which this project never does)",
}
PEER_OF = {"astroz": "astroz", "pyorbital": "pyorbital", "satkit": "satkit", "thistle": "thistle"}


# --------------------------------------------------------------------------------------------
# setup


def setup() -> None:
    """Create .venv-bench, install sim and then each peer on its own; record what installed."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["bench"]
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["-e", str(ROOT)], check=True)
    status = {}
    for spec in extra:
        name = spec.split(">")[0].split("=")[0].split("<")[0].strip()
        done = subprocess.run(pip + [spec], capture_output=True, text=True, timeout=900)
        status[name] = "installed" if done.returncode == 0 else done.stderr.strip()[-300:]
        print(f"{name}: {status[name]}")
    STATUS.write_text(json.dumps(status, indent=1))


# --------------------------------------------------------------------------------------------
# inputs shared by the methods (read before the clock)


def tle_pairs():
    """(epoch datetime, line1, line2) of the bundled file, by epoch."""
    lines = [x.rstrip() for x in TLE.read_text().splitlines()]
    out = []
    for a, b in zip(lines, lines[1:], strict=False):
        if a.startswith("1 ") and b.startswith("2 "):
            year = 2000 + int(a[18:20])
            day = float(a[20:32])
            epoch = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1.0)
            out.append((epoch, a, b))
    return sorted(out)


def segments(epochs_s, t_s):
    """Index ranges of the epoch rule: the latest set at or before each instant."""
    index = np.searchsorted(np.asarray(epochs_s), t_s, side="right") - 1
    index = np.maximum(index, 0)
    cuts = np.flatnonzero(index[1:] != index[:-1]) + 1
    bounds = np.concatenate([[0], cuts, [t_s.size]])
    return [(int(index[a]), a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def geodetic_floor(x, y, z):
    """Textbook geodetic latitude (Bowring's formula with trigonometry) and height, km."""
    a, f = 6378.137, 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    b = a * (1.0 - f)
    ep2 = e2 / (1.0 - e2)
    p = np.hypot(x, y)
    u = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(u) ** 3, p - e2 * a * np.cos(u) ** 3)
    s = np.sin(lat)
    n = a / np.sqrt(1.0 - e2 * s * s)
    alt = p * np.cos(lat) + z * s - n * (1.0 - e2 * s * s)
    return np.degrees(lat), np.degrees(np.arctan2(y, x)), alt


# --------------------------------------------------------------------------------------------
# one timed method, in its own process


def run_track(method):
    """Set up ``method`` (imports, files, tables), warm it up on 60 instants, then time the
    1,036,800-instant track."""
    pairs = tle_pairs()
    epochs_s = [(e - DOCKING).total_seconds() for e, _, _ in pairs]
    jd0 = 2440587.5 + (DOCKING - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400
    w0 = float(np.floor(jd0))
    f0 = jd0 - w0
    stride = SKYFIELD_TRACK_STRIDE if method == "skyfield" else 1
    work = _track_method(method, pairs, epochs_s, w0, f0)
    work(np.arange(60, dtype=float))
    t_s = np.arange(0, TRACK_N, stride, dtype=float)
    start = _clock()
    lat = work(t_s)
    note = f"every {stride}th instant, time x{stride}" if stride > 1 else ""
    if method == "satkit":
        note = "satkit SGP4 and GMST; geodetic: the floor's formula"
    processes = 2 if method == "floor-2-processes" else 1
    if getattr(work, "processes", None):
        processes = work.processes[-1]  # what the timed propagate used
    result = _stop(start, float(np.nanmax(np.abs(lat))), scale=stride, note=note)
    return {**result, "processes": processes}


def _track_method(method, pairs, epochs_s, w0, f0):
    """A function of the instants (seconds from docking) returning geodetic latitudes."""
    if method.startswith("sim"):
        import sim
        from sim.ephemeris import propagate
        from sim.times import TimeGrid, iers_table, timescale

        cat = sim.load_catalogue(TLE)
        iers_table(), timescale()
        if method == "sim-1-process":
            os.environ["SIM_WORKERS"] = "1"
        if method == "sim-no-polar-motion":
            import sim.ephemeris as se

            se.polar_motion_rad = lambda whole, fraction: (0.0, 0.0)

        workers = 2 if method == "sim-2-processes" else None

        def work(t_s):
            grid = TimeGrid(np.full(t_s.size, w0), f0 + t_s / 86400.0)
            return propagate(cat, grid, sunlight=False, workers=workers).lat_deg

        # record how many processes each propagate used (sim chooses by itself)
        import sim.parallel

        real_run = sim.parallel.run

        def counting_run(fill, chunks, outputs, processes):
            work.processes.append(min(processes, len(chunks)))
            return real_run(fill, chunks, outputs, processes)

        sim.parallel.run = counting_run
        work.processes = []
        return work
    if method in ("floor", "floor-2-processes"):
        from sgp4.api import Satrec
        from skyfield.sgp4lib import theta_GMST1982

        sats = [Satrec.twoline2rv(a, b) for _, a, b in pairs]

        def floor(t_s, lat):
            whole = np.full(t_s.size, w0)
            frac = f0 + t_s / 86400.0
            for k, a, b in segments(epochs_s, t_s):
                _e, r, _v = sats[k].sgp4_array(whole[a:b], frac[a:b])
                theta, _ = theta_GMST1982(whole[a:b], frac[a:b])  # UT1 taken as UTC
                c, s = np.cos(theta), np.sin(theta)
                x = c * r[:, 0] + s * r[:, 1]
                y = c * r[:, 1] - s * r[:, 0]
                lat[a:b], _lon, _alt = geodetic_floor(x, y, r[:, 2])
            return lat

        if method == "floor":
            return lambda t_s: floor(t_s, np.empty(t_s.size))

        def work(t_s):
            # the second half in a forked process, into shared memory; the first half here
            half = t_s.size // 2
            lat = np.frombuffer(mmap.mmap(-1, max(8, 8 * t_s.size)), dtype=np.float64)[: t_s.size]
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    floor(t_s[half:], lat[half:])
                    code = 0
                finally:
                    os._exit(code)
            floor(t_s[:half], lat[:half])
            if os.waitpid(pid, 0)[1] != 0:
                raise SystemExit("floor-2-processes: the forked half failed")
            return lat

        return work
    if method == "astroz":
        import astroz

        texts = [f"ISS (ZARYA)\n{a}\n{b}\n" for _, a, b in pairs]

        def work(t_s):
            minutes = t_s / 60.0
            lat = np.empty(t_s.size)
            for k, a, b in segments(epochs_s, t_s):
                geo = astroz.propagate(
                    texts[k], minutes[a:b], start_time=DOCKING, output="geodetic"
                )
                lat[a:b] = geo[:, 0, 0]
            return lat

        return work
    if method == "pyorbital":
        from pyorbital.orbital import Orbital

        orbs = [Orbital("ISS (ZARYA)", line1=a, line2=b) for _, a, b in pairs]
        base = np.datetime64(DOCKING.replace(tzinfo=None), "us")

        def work(t_s):
            stamps = base + (t_s * 1e6).astype("timedelta64[us]")
            lat = np.empty(t_s.size)
            for k, a, b in segments(epochs_s, t_s):
                _lon, lat[a:b], _alt = orbs[k].get_lonlatalt(stamps[a:b])
            return lat

        return work
    if method == "satkit":
        import satkit

        satkit.frametransform.disable_eop_time_warning()
        tles = [satkit.TLE.from_lines([a, b])[0] for _, a, b in pairs]
        t0 = satkit.time.from_datetime(DOCKING)
        every = np.array([t0 + satkit.duration.from_seconds(float(x)) for x in range(TRACK_N)])

        def work(t_s):
            times = every[t_s.astype(int)]
            lat = np.empty(t_s.size)
            for k, a, b in segments(epochs_s, t_s):
                r, _v = satkit.sgp4(tles[k], times[a:b])
                r = np.asarray(r).reshape(-1, 3) / 1000.0
                theta = np.asarray(satkit.frametransform.gmst(times[a:b]))
                c, s = np.cos(theta), np.sin(theta)
                x = c * r[:, 0] + s * r[:, 1]
                y = c * r[:, 1] - s * r[:, 0]
                lat[a:b], _lon, _alt = geodetic_floor(x, y, r[:, 2])
            return lat

        return work
    if method == "skyfield":
        from skyfield.api import EarthSatellite, load, wgs84

        ts = load.timescale(builtin=True)
        sats = [EarthSatellite(a, b, "ISS", ts) for _, a, b in pairs]

        def work(t_s):
            t = ts.utc(2024, 3, 25, 15, 2, 51.0 + t_s)
            lat = np.empty(t_s.size)
            for k, a, b in segments(epochs_s, t_s):
                pos = sats[k].at(t[a:b])
                lat[a:b] = wgs84.latlon_of(pos)[0].degrees
                wgs84.height_of(pos)
            return lat

        return work
    raise SystemExit(f"unknown track method {method}")


def run_passes(method):
    """Set up ``method``, warm it up on the first two hours, then time the whole stay."""
    work = _passes_method(method)
    work(DOCKING, DOCKING + timedelta(hours=2))
    start = _clock()
    count, visible = work(DOCKING, UNDOCKING)
    note = f"{visible} visible" if visible is not None else "no visibility"
    return _stop(start, count, note=note)


def _passes_method(method):
    """A function of (start, end) returning (passes or rises, visible passes or None)."""
    pairs = tle_pairs()
    lat, lon, height_m = MINSK
    if method.startswith("sim"):
        import sim
        from sim.ephemeris import planets
        from sim.passes import Station, find_passes
        from sim.times import iers_table, timescale

        cat = sim.load_catalogue(TLE)
        st = [Station("Minsk", lat, lon, height_m, MASK_DEG)]
        iers_table(), timescale(), planets()
        visibility = method == "sim"

        def work(a, b):
            ps = find_passes(cat, st, a, b, visibility=visibility)
            return len(ps), (sum(p.visible for p in ps) if visibility else None)

        return work
    if method == "skyfield":
        from skyfield.api import EarthSatellite, load, wgs84

        ts = load.timescale(builtin=True)
        sats = [EarthSatellite(a, b, "ISS", ts) for _, a, b in pairs]
        topos = wgs84.latlon(lat, lon, height_m)
        epochs = [e for e, _, _ in pairs]

        def work(start, end):
            count = 0
            # the stretches of the epoch rule inside the window, one find_events call each
            edges = [start] + [e for e in epochs if start < e < end] + [end]
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                k = max([i for i, e in enumerate(epochs) if e <= a], default=0)
                _t, ev = sats[k].find_events(
                    topos, ts.from_datetime(a), ts.from_datetime(b), altitude_degrees=MASK_DEG
                )
                count += int(np.sum(ev == 0))
            return count, None

        return work
    if method == "thistle":
        import warnings

        from thistle import Propagator, find_passes

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prop = Propagator([(a, b) for _, a, b in pairs], method="epoch")

        def work(a, b):
            start64 = np.datetime64(a.replace(tzinfo=None), "us")
            stop64 = np.datetime64(b.replace(tzinfo=None), "us")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return len(find_passes(start64, stop64, prop, lat, lon, height_m, MASK_DEG)), None

        return work
    raise SystemExit(f"unknown passes method {method}")


def run_span(method):
    import sim
    from sim.ephemeris import planets, propagate
    from sim.times import TimeGrid, iers_table, timescale

    days = 12 if method == "sim-12d" else 60
    n = days * 86400
    # 60 days from docking run 45 days past the last bundled set: the trust rule refuses that
    # by default (30 days); raised here because this job times the cost of a span, not positions
    cat = sim.load_catalogue(TLE, max_extrapolation_days=days)
    jd0 = 2440587.5 + (DOCKING - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400
    w0 = float(np.floor(jd0))
    iers_table(), timescale(), planets()
    warm = TimeGrid(np.full(60, w0), (jd0 - w0) + np.arange(60) / 86400.0)
    propagate(cat, warm)
    grid = TimeGrid(np.full(n, w0), (jd0 - w0) + np.arange(n) / 86400.0)
    # how many processes the timed propagate used (sim chooses by the idle cores)
    import sim.parallel

    real_run, used = sim.parallel.run, []

    def counting_run(fill, chunks, outputs, processes):
        used.append(min(processes, len(chunks)))
        return real_run(fill, chunks, outputs, processes)

    sim.parallel.run = counting_run
    start = _clock()
    eph = propagate(cat, grid)
    result = _stop(start, float(np.mean(eph.sunlit)), instants=n)
    return {**result, "processes": used[-1]}


def _cpu_s():
    """CPU seconds of this process (all its threads) and of its reaped children."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _clock():
    return time.perf_counter(), _cpu_s()


def _stop(start, check, scale=1.0, **extra):
    wall = (time.perf_counter() - start[0]) * scale
    cpu = (_cpu_s() - start[1]) * scale
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"wall_s": wall, "cpu_s": cpu, "check": check, "peak_rss_mb": rss, **extra}


# --------------------------------------------------------------------------------------------
# the run


def child(job, method):
    runner = {"track": run_track, "passes": run_passes, "span": run_span}[job]
    print(json.dumps(runner(method)))


def measure(job, method, repeat, timeout_s=600):
    runs, error = [], None
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", job, method],
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode != 0:
            error = (done.stderr.strip().splitlines() or ["failed"])[-1][:200]
            break
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs, error


def summary(runs, key="wall_s"):
    values = [r[key] for r in runs]
    return min(values), statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help="create .venv-bench, install peers")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per method")
    parser.add_argument("--jobs", default="track,passes,span")
    parser.add_argument("--methods", help="only these methods (comma-separated), e.g. sim,floor")
    parser.add_argument("--write", help="write the Markdown report to this file")
    args = parser.parse_args()
    if args.setup:
        setup()
        return
    if args.child:
        child(*args.child)
        return
    status = json.loads(STATUS.read_text()) if STATUS.exists() else {}
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    todo = []
    table = {}
    for job in args.jobs.split(","):
        for method in JOBS[job]:
            if args.methods and method not in args.methods.split(","):
                continue
            peer = PEER_OF.get(method, "skyfield" if method == "skyfield" else None)
            if peer and status and status.get(peer) != "installed":
                table[(job, method)] = ([], f"not installed here: {status.get(peer)}")
                continue
            slow = (job, method) in {("track", "skyfield"), ("span", "sim-60d")}
            todo.append((job, method, min(3, args.repeat) if slow else args.repeat))
            table[(job, method)] = ([], None)
    # round robin: repetition k of every method before repetition k + 1 of any, so that a
    # change of load on the shared machine falls on all methods alike
    for k in range(max(r for _, _, r in todo)):
        for job, method, reps in todo:
            runs, err = table[(job, method)]
            if k >= reps or err:
                continue
            more, err = measure(job, method, 1)
            table[(job, method)] = (runs + more, err)
            shown = f"{more[0]['wall_s']:.3f} s" if more else f"ERROR {err}"
            print(f"rep {k + 1} {job:7s} {method:22s} {shown}", flush=True)
    report = render(table, status, started, load_before, os.getloadavg())
    print(report)
    if args.write:
        Path(args.write).write_text(report)


def _ratio(table, a, b, key="wall_s"):
    ra, rb = table.get(a, ([], None))[0], table.get(b, ([], None))[0]
    if not ra or not rb:
        return None
    (amin, amed), (bmin, bmed) = summary(ra, key), summary(rb, key)
    return amin / bmin, amed / bmed


def _processes(table, method):
    """ "2 processes", "1 process", or "1/2 processes" where the runs differed."""
    runs = table.get(("track", method), ([], None))[0]
    counts = sorted({r.get("processes", 1) for r in runs}) or ["?"]
    return "/".join(str(c) for c in counts) + (" process" if counts == [1] else " processes")


def _threads(table, method):
    """ ", with threads" where a one-process method used more CPU than wall time."""
    runs = table.get(("track", method), ([], None))[0]
    if runs and min(r["cpu_s"] for r in runs) > 1.2 * min(r["wall_s"] for r in runs):
        return ", with threads: CPU above wall"
    return ""


def render(table, status, started, load_before, load_after) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Generated by `benchmarks/bench_peers.py` on {started:%Y-%m-%d %H:%M} UTC, one run, "
        f"2-core machine shared with other work (load average {load_before[0]:.1f} at the start, "
        f"{load_after[0]:.1f} at the end: wall times on a loaded machine are inflated and noisy; "
        "CPU time is given beside them).",
        "Each repetition is a fresh process; imports and table loading are outside the clock.",
        "Wall time is what a user waits. `sim` splits a long track over forked worker processes "
        "(the `processes` column: one per core that is idle when the track starts, so 1 on a busy "
        "machine); the peers run in one process (a peer's own "
        "threads show as CPU above wall), and `floor-2-processes` is the floor split the same "
        "way. CPU time is the total over the process, its threads and its workers.",
        "",
        "| job | method | processes | wall min (s) | wall median (s) | CPU min (s) | runs | check "
        "| note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (job, method), (runs, err) in table.items():
        if not runs:
            out.append(f"| {job} | {method} | - | - | - | - | 0 | | {err} |")
            continue
        wmin, wmed = summary(runs)
        cmin, _ = summary(runs, "cpu_s")
        r = runs[0]
        check = r["check"] if isinstance(r["check"], int) else f"{r['check']:.4f}"
        note = r.get("note", "")
        processes = "/".join(str(p) for p in sorted({x.get("processes", 1) for x in runs}))
        out.append(
            f"| {job} | {method} | {processes} | {wmin:.3f} | {wmed:.3f} | {cmin:.3f} | "
            f"{len(runs)} | {check} | {note} |"
        )
    for peer, why in NOT_BENCHMARKED.items():
        state = status.get(peer, "not checked")
        out.append(f"| - | {peer} | - | - | - | - | 0 | | {state}; {why} |")
    out += [
        "",
        "## Goals of issue 14 as ratios (of wall-time minima and of medians; CPU: of CPU minima)",
        "",
        "| goal | wall ratio min | wall ratio median | CPU ratio min | target | met (min/median) |",
        "|---|---|---|---|---|---|",
    ]
    track_peers = [
        m
        for m in ("astroz", "pyorbital", "satkit", "skyfield")
        if table.get(("track", m), ([], None))[0]
    ]
    fastest = None
    if track_peers:
        fastest = min(track_peers, key=lambda m: summary(table[("track", m)][0])[0])
    goals = [
        (
            "passes, 1 station, 12 days: sim with visibility / skyfield find_events",
            ("passes", "sim"),
            ("passes", "skyfield"),
            1.0,
        ),
        (
            f"track: sim ({_processes(table, 'sim')}) / fastest peer ({fastest}, "
            f"{_processes(table, fastest)}{_threads(table, fastest)})",
            ("track", "sim"),
            ("track", fastest),
            1.0,
        ),
        (
            f"track: sim ({_processes(table, 'sim')}) / floor in 2 processes",
            ("track", "sim"),
            ("track", "floor-2-processes"),
            1.2,
        ),
        (
            "track: sim in 1 process / floor (1 process)",
            ("track", "sim-1-process"),
            ("track", "floor"),
            1.2,
        ),
        (
            f"track: sim in 1 process / fastest peer ({fastest})",
            ("track", "sim-1-process"),
            ("track", fastest),
            1.0,
        ),
        (
            "track: sim / sim without polar motion",
            ("track", "sim"),
            ("track", "sim-no-polar-motion"),
            1.05,
        ),
        ("span: 60 days / 12 days at 1 s", ("span", "sim-60d"), ("span", "sim-12d"), 5.5),
    ]
    notes = []
    for label, a, b, target in goals:
        ratio = _ratio(table, a, b)
        cpu = _ratio(table, a, b, "cpu_s")
        if ratio is None:
            out.append(f"| {label} | - | - | - | <= {target} | not measured |")
            notes.append(f"{label}: not measured")
            continue
        met = " / ".join("yes" if x <= target else "no" for x in ratio)
        out.append(
            f"| {label} | {ratio[0]:.2f} | {ratio[1]:.2f} | {cpu[0]:.2f} | <= {target} | {met} |"
        )
        notes.append(
            f"{label}: {ratio[0]:.2f} (min), {ratio[1]:.2f} (median), CPU {cpu[0]:.2f}; "
            f"target <= {target}: {'met' if ratio[0] <= target else 'NOT met'} on the minima, "
            f"{'met' if ratio[1] <= target else 'NOT met'} on the medians."
        )
    out += ["", "## Closing note", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
