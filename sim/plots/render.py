"""Every picture of a run's output folder, in one place: which figures, named how."""

from __future__ import annotations

from pathlib import Path


def _stage(progress, text):
    if progress is not None:
        progress(text)


def write_plots(results, folder: Path, fmt: str, dpi: int, progress):
    from .maps import track_map
    from .sky import write_skyplots
    from .style import save
    from .timeline import altitude_and_age, timeline

    want = results.scenario.outputs
    if want.get("maps", True):
        (folder / "maps").mkdir()
        _stage(progress, "map of the whole stay")
        save(track_map(results), folder / "maps" / f"overview.{fmt}", dpi)
        if want.get("daily_maps", True):
            for i, day in enumerate(results.days):
                _stage(progress, f"daily map {day['date']}")
                save(track_map(results, day_index=i), folder / "maps" / f"{day['date']}.{fmt}", dpi)
    if want.get("timeline", True):
        _stage(progress, "timeline")
        save(timeline(results), folder / f"timeline.{fmt}", dpi)
    if want.get("altitude", True):
        save(altitude_and_age(results), folder / f"altitude.{fmt}", dpi)
    if results.launch_window is not None and want.get("launch_window", True):
        from .window import launch_window_plot

        save(launch_window_plot(results.launch_window), folder / f"launch_window.{fmt}", dpi)
    if want.get("skyplots", True):
        _stage(progress, "sky plots")
        visible = [p for p in results.passes if p.visible]
        index = {id(p): i for i, p in enumerate(results.passes)}
        tracks = {k: results.pass_tracks[index[id(p)]] for k, p in enumerate(visible)}
        write_skyplots(
            results.catalogue,
            results.scenario.stations,
            visible,
            folder / "skyplots",
            fmt,
            dpi,
            tracks,
        )


def plot_stage_count(results) -> int:
    want = results.scenario.outputs
    n = 0
    if want.get("maps", True):
        n += 1 + (len(results.days) if want.get("daily_maps", True) else 0)
    n += int(want.get("timeline", True)) + int(want.get("skyplots", True))
    return n
