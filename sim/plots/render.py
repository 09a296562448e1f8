"""Every picture of a run's output folder, in one place: which figures, named how, and drawn in
parallel worker processes (one per core) when there are several."""

from __future__ import annotations

import math
import os
from pathlib import Path

#: the Results being drawn, inherited by forked workers (never pickled)
_RESULTS = None


def _stage(progress, text):
    if progress is not None:
        progress(text)


def pass_stem(p, slugs: dict | None = None) -> str:
    """File name (without extension) of a pass's pictures: the station's slug (one slug rule
    for every name that becomes a file name) and the rise time (UTC)."""
    from ..names import slug

    stamp = p.to_dict()["rise_utc"][:16].replace(":", "").replace("-", "")
    return f"{(slugs or {}).get(p.station) or slug(p.station)}-{stamp}"


def figure_jobs(results, fmt: str) -> list[tuple[str, dict, str]]:
    """(figure kind, arguments, relative path) for every picture the scenario asks for."""
    from ..names import unique_slugs

    want = results.scenario.outputs
    slugs = unique_slugs(s.name for s in results.scenario.stations)
    jobs = []
    if want.get("maps", True):
        jobs.append(("map", {}, f"maps/overview.{fmt}"))
        if want.get("daily_maps", True):
            for i, day in enumerate(results.days):
                jobs.append(("map", {"day_index": i}, f"maps/{day['date']}.{fmt}"))
        if want.get("pass_maps", True):
            for i, p in enumerate(results.passes):
                if p.visible:
                    jobs.append(
                        ("pass_map", {"pass_index": i}, f"maps/pass-{pass_stem(p, slugs)}.{fmt}")
                    )
    if results.flight is not None and want.get("maps", True):
        jobs.append(("flight_map", {"which": "chase"}, f"maps/soyuz-chase.{fmt}"))
        jobs.append(("flight_map", {"which": "return"}, f"maps/soyuz-return.{fmt}"))
    if results.flight is not None and want.get("altitude", True):
        jobs.append(("flight_profile", {}, f"soyuz-altitude.{fmt}"))
    if want.get("timeline", True):
        jobs.append(("timeline", {}, f"timeline.{fmt}"))
    if want.get("altitude", True):
        jobs.append(("altitude", {}, f"altitude.{fmt}"))
    if results.launch_window is not None and want.get("launch_window", True):
        jobs.append(("launch_window", {}, f"launch_window.{fmt}"))
    if want.get("skyplots", True):
        for i, p in enumerate(results.passes):
            if p.visible:
                jobs.append(("sky", {"pass_index": i}, f"skyplots/{pass_stem(p, slugs)}.{fmt}"))
    return jobs


def draw(results, kind: str, args: dict):
    """The figure of one job."""
    if kind == "map":
        from .maps import track_map

        return track_map(results, **args)
    if kind == "pass_map":
        from .maps import pass_map

        return pass_map(results, **args)
    if kind == "flight_map":
        from .flight import flight_map

        return flight_map(results, **args)
    if kind == "flight_profile":
        from .flight import flight_profile

        return flight_profile(results)
    if kind == "timeline":
        from .timeline import timeline

        return timeline(results)
    if kind == "altitude":
        from .timeline import altitude_and_age

        return altitude_and_age(results)
    if kind == "launch_window":
        from .window import launch_window_plot

        return launch_window_plot(results.launch_window)
    if kind == "sky":
        from .sky import sky_plot

        p, x, az, el, zone, start_label, end_label = _sky_job(results, args["pass_index"])
        return sky_plot(p, x, az, el, local_tz=zone, start_label=start_label, end_label=end_label)
    raise ValueError(kind)


def window_edge_names(results) -> tuple[str | None, str | None]:
    """Names of the events at the replay window's start and end ("docking", "undocking-ms24"),
    for titles of passes cut by the window; None where no event is there."""
    w0, w1 = results.window_jd
    near = [(abs(e["jd"] - w0), e["name"]) for e in results.events]
    far = [(abs(e["jd"] - w1), e["name"]) for e in results.events]
    second = 1.0 / 86400.0
    start = min(near)[1] if near and min(near)[0] < second else None
    end = min(far)[1] if far and min(far)[0] < second else None
    return start, end


def _render(job) -> str:
    from .style import born_literal, layout_once, save

    kind, args, path, dpi = job
    # created at the dpi it is saved at, a figure's texts are laid out once: the renderer that
    # measures them for the label placers is the one savefig draws with; every text is created
    # literal (as save would make it)
    with born_literal({"figure.dpi": dpi}), layout_once():
        if kind in ON_FRAME and path.lower().endswith(".png"):
            draw_on_frame(_RESULTS, kind, args, path, dpi)
        else:
            save(draw(_RESULTS, kind, args), path, dpi)
    return path


#: the kinds of picture :func:`draw_on_frame` draws over a kept frame (:mod:`.batch`)
ON_FRAME = ("map", "pass_map", "sky")


def draw_on_frame(results, kind: str, args: dict, path, dpi: int) -> None:
    """Save the picture of a job as a PNG, drawn over a frame this process keeps (one per
    kind and extent, :mod:`.batch`): the picture :func:`draw` gives, without building and
    drawing the frame again."""
    from .batch import frame_figure, picture_on_frame

    if kind == "map":
        from .maps import draw_base, draw_track_map, map_figure

        def build():
            fig, ax = map_figure()
            draw_base(ax, "l")
            return fig, ax

        fig, ax = frame_figure(("map", dpi), build)
        picture_on_frame(fig, ax, lambda: draw_track_map(results, ax, **args), path, dpi)
    elif kind == "pass_map":
        from .maps import draw_base, draw_pass_map, map_figure, pass_map_frame

        i = args["pass_index"]
        frame = pass_map_frame(results, i)

        def build():
            fig, ax = map_figure(figsize=frame["figsize"])
            draw_base(ax, "l", frame["extent"], step_deg=10)
            return fig, ax

        fig, ax = frame_figure(("pass_map", frame["extent"], frame["figsize"], dpi), build)
        picture_on_frame(
            fig,
            ax,
            lambda: draw_pass_map(results, i, ax, frame),
            path,
            dpi,
        )  # (its height is fitted to the picture, whatever it was before: the renderer of the
        # last picture, the same size as this one's more often than not, keeps its text sizes)
    elif kind == "sky":
        from .sky import draw_pass_on_sky, place_sky, sky_figure

        p, x, az, el, zone, start_label, end_label = _sky_job(results, args["pass_index"])

        def add():
            draw_pass_on_sky(ax, p, x, az, el, zone, start_label=start_label, end_label=end_label)
            place_sky(ax, ax.legend(loc="upper center", fontsize=7, ncol=2))

        fig, ax = frame_figure(("sky", dpi), sky_figure)
        picture_on_frame(fig, ax, add, path, dpi)
    else:
        raise ValueError(kind)


def _sky_job(results, i: int):
    """What the sky plot of pass ``i`` is drawn from: the pass, its path (the replay's:
    pictures never propagate), the station's zone and the names of the window's edges."""
    p = results.passes[i]
    st = next(s for s in results.scenario.stations if s.name == p.station)
    x, az, el = results.pass_tracks[i]
    start_label, end_label = window_edge_names(results)
    return p, x, az, el, st.zone, start_label, end_label


#: CPU seconds one figure of each kind takes (default run, 110 dpi; maps, pass maps and sky
#: plots drawn over a kept frame; text reused across a worker's pictures, :mod:`.textcache`):
#: the order jobs are handed to the workers, longest first, so that they finish together
JOB_COST_S = {
    "timeline": 0.35,
    "altitude": 0.3,
    "launch_window": 0.3,
    "flight_profile": 0.16,
    "map": 0.16,
    "flight_map": 0.13,
    "pass_map": 0.058,
    "sky": 0.029,
}


def _frame_group(results, job) -> tuple:
    """Jobs of one group share a kept frame (:func:`draw_on_frame`): the world maps, the pass
    maps of one station, the sky plots; every other job is a group of its own."""
    kind, args, path, _ = job
    if kind in ON_FRAME and path.lower().endswith(".png"):
        if kind == "pass_map":
            return (kind, results.passes[args["pass_index"]].station)
        return (kind,)
    return (kind, path)


def job_batches(results, work, workers: int) -> list[list]:
    """``work`` in batches for the workers, longest first: the jobs of a frame group go
    together (the frame is then built by one worker, not by each: about 0.17 s of CPU for the
    world map's), a group costing more than a worker's share split in equal parts."""
    groups: dict = {}
    for job in work:
        groups.setdefault(_frame_group(results, job), []).append(job)
    total = sum(JOB_COST_S.get(job[0], 1.0) for job in work)
    cap = total / workers
    batches = []
    for jobs in groups.values():
        cost = sum(JOB_COST_S.get(job[0], 1.0) for job in jobs)
        parts = max(1, min(len(jobs), math.ceil(cost / cap)))
        batches += [jobs[k::parts] for k in range(parts)]
    batches.sort(key=lambda b: -sum(JOB_COST_S.get(job[0], 1.0) for job in b))
    return batches


#: the text cache of a worker process, entered by its first batch and kept for the next ones
#: (:mod:`.textcache`; the worker is forked and ends with the pool)
_WORKER_TEXT_CACHE = []


def _text_cache_for(fmt: str):
    """The text cache (:mod:`.textcache`) for pictures in ``fmt``: PNG only (it serves the
    Agg renderer, and reads fonts from memory, which the PDF and PS backends cannot embed)."""
    import contextlib

    from .textcache import text_cache

    return text_cache() if fmt.lower() == "png" else contextlib.nullcontext()


def _render_batch(batch) -> list[str]:
    if not _WORKER_TEXT_CACHE:
        cache = _text_cache_for(Path(batch[0][2]).suffix.lstrip("."))
        cache.__enter__()
        _WORKER_TEXT_CACHE.append(cache)
    return [_render(job) for job in batch]


def prepare_drawing(maps: bool = True) -> None:
    """The plotting imports and (with ``maps``) the coastline paths, made now: before the
    picture workers fork, so that they inherit them (each would otherwise make them again),
    and early if the caller has a moment to spare (``sim run`` does it while the modelled
    flight is flown in a child process, :func:`sim.replay.run_scenario`'s ``meanwhile``)."""
    import matplotlib.pyplot  # noqa: F401

    from . import flight, sky, timeline, window  # noqa: F401
    from .coast import prepare_paths

    if maps:
        prepare_paths("l")


def _before_fork(jobs) -> None:
    """What every worker would otherwise do again, done once in the parent so that the forked
    workers inherit it (:func:`prepare_drawing`; nothing is done twice)."""
    prepare_drawing(any(kind in ("map", "pass_map", "flight_map") for kind, *_ in jobs))


def write_plots(results, folder: Path, fmt: str, dpi: int, progress, workers: int | None = None):
    """Draw every picture into ``folder`` (which the caller swaps in when complete)."""
    global _RESULTS
    folder = Path(folder)
    jobs = figure_jobs(results, fmt)
    for sub in {Path(rel).parent for _, _, rel in jobs}:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    work = [(kind, args, str(folder / rel), dpi) for kind, args, rel in jobs]
    work.sort(key=lambda job: -JOB_COST_S.get(job[0], 1.0))  # longest first
    workers = workers or min(os.cpu_count() or 1, 4)
    _RESULTS = results
    try:
        if workers < 2 or len(work) < 4:
            with _text_cache_for(fmt):
                for job in work:
                    _stage(progress, Path(_render(job)).name)
            return
        _before_fork(work)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            batches = job_batches(results, work, workers)
            futures = [pool.submit(_render_batch, batch) for batch in batches]
            try:
                for done in as_completed(futures):
                    for path in done.result():
                        _stage(progress, Path(path).name)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        _RESULTS = None
        from .batch import forget_frames

        forget_frames()


def plot_stage_count(results) -> int:
    """How many progress steps :func:`write_plots` reports (one per picture)."""
    return len(figure_jobs(results, "png"))
