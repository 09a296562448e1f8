"""The ``sim`` command line: parses arguments and calls the same public API a notebook calls.

Exit codes: 0 success, 2 bad input (one line on stderr naming the place), 1 unexpected error
(with a hint to report it; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import traceback
from pathlib import Path

from . import interrupts
from .errors import SimError

MAX_PROBLEMS_SHOWN = 20
SWITCH_HELP = "element-set switching rule: epoch (default), midpoint or nearest"


def _add_tle_source(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument(
        "--tle",
        action="append",
        required=required,
        metavar="FILE",
        help="element-set file (TLE, 3LE, OMM CSV/JSON/XML); may repeat",
    )
    p.add_argument("--norad", type=int, help="NORAD number to pick from a multi-object file")
    p.add_argument("--name", help="object name to pick from a multi-object file")
    p.add_argument(
        "--switch", default="epoch", choices=("epoch", "midpoint", "nearest"), help=SWITCH_HELP
    )
    p.add_argument(
        "--lenient",
        action="store_true",
        help="report bad sets as warnings and go on with the good ones",
    )


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem (exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sim",
        description="Replay a crewed mission from historical element sets (offline). "
        "Without a command, see 'sim run --help'.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("run", help="replay a scenario (default: Soyuz MS-25) into a folder")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (default: soyuz-ms25)")
    p.add_argument("--out", help="output folder (default: out/<scenario name>/)")
    p.add_argument(
        "--format",
        default="png",
        choices=("png", "svg", "pdf"),
        help="picture format (default png)",
    )
    p.add_argument("--dpi", type=int, default=110, help="picture resolution (default 110)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument("--no-plots", action="store_true", help="write the data files only")

    p = sub.add_parser("tle", help="check or describe element-set files")
    tsub = p.add_subparsers(dest="tle_command", metavar="ACTION", parser_class=_Parser)
    pc = tsub.add_parser("check", help="validate files; exit 0 when valid, 2 otherwise")
    pc.add_argument("files", nargs="+", metavar="FILE")
    pi = tsub.add_parser("info", help="table of the sets and their consistency")
    pi.add_argument("files", nargs="+", metavar="FILE")
    pi.add_argument("--norad", type=int, help="NORAD number to pick from a multi-object file")
    pi.add_argument("--name", help="object name to pick")
    pi.add_argument(
        "--switch", default="epoch", choices=("epoch", "midpoint", "nearest"), help=SWITCH_HELP
    )

    p = sub.add_parser("track", help="write the ground track as CSV, JSON or GeoJSON")
    _add_tle_source(p)
    p.add_argument("--start", required=True, help="ISO 8601 UTC start")
    p.add_argument("--end", required=True, help="ISO 8601 UTC end")
    p.add_argument("--step", type=float, default=60.0, help="seconds between samples (60)")
    p.add_argument("--output", required=True, help="FILE.csv, FILE.json or FILE.geojson")

    p = sub.add_parser("passes", help="passes of the object over ground stations")
    _add_tle_source(p)
    p.add_argument(
        "--station",
        action="append",
        required=True,
        metavar="NAME=LAT,LON[,ALT_M]",
        help="a ground station; may repeat",
    )
    p.add_argument("--start", required=True, help="ISO 8601 UTC start")
    p.add_argument("--end", required=True, help="ISO 8601 UTC end")
    p.add_argument(
        "--min-elevation",
        type=float,
        default=None,
        help="elevation mask in degrees (default: the preset's, else 10)",
    )
    p.add_argument(
        "--preset",
        default="naked-eye",
        choices=("naked-eye", "nasa", "spot-the-station"),
        help="visibility preset (default naked-eye)",
    )
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--skyplots", metavar="DIR", help="also draw one sky plot per visible pass")

    p = sub.add_parser(
        "export", help="export a scenario's replay: czml, kml, oem, geojson, csv or json"
    )
    p.add_argument("format", choices=("czml", "kml", "oem", "geojson", "csv", "json"))
    p.add_argument("scenario", nargs="?", help="scenario TOML file (default: soyuz-ms25)")
    p.add_argument("--output", required=True, help="file to write")
    p.add_argument(
        "--frame",
        default="EME2000",
        choices=("EME2000", "ITRF"),
        help="OEM reference frame (default EME2000)",
    )
    p.add_argument("--start", help="czml: first instant (ISO 8601 UTC, inside the replay)")
    p.add_argument("--end", help="czml: last instant (ISO 8601 UTC, inside the replay)")

    p = sub.add_parser("animate", help="animated map of the replay as GIF or MP4")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (default: soyuz-ms25)")
    p.add_argument("--output", required=True, help="replay.gif or replay.mp4")
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        help="seconds of replay per frame (default: the whole span in about 600 frames)",
    )
    p.add_argument("--start", help="first instant (ISO 8601 UTC; default: replay start)")
    p.add_argument("--end", help="last instant (ISO 8601 UTC; default: replay end)")
    p.add_argument("--fps", type=int, default=15, help="frames per second (default 15)")
    p.add_argument("--dpi", type=int, default=80, help="resolution (default 80: 800x450)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("window", help="in-plane launch opportunities from a site")
    _add_tle_source(p)
    p.add_argument("--site", required=True, metavar="LAT,LON", help="launch site, degrees")
    p.add_argument("--start", required=True, help="first date or instant (ISO 8601 UTC)")
    p.add_argument("--end", required=True, help="last date or instant (ISO 8601 UTC)")
    p.add_argument(
        "--launch",
        action="append",
        default=[],
        metavar="[NAME=]ISO",
        help="an actual lift-off to assess; may repeat",
    )
    p.add_argument(
        "--insertion-s",
        type=float,
        default=529.0,
        help="seconds from lift-off to orbit insertion (529)",
    )
    p.add_argument(
        "--downrange-deg",
        type=float,
        default=14.0,
        help="approximate downrange angle of the insertion point (14)",
    )
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--plot", metavar="FILE", help="also draw the launch-window plot")

    return parser


@contextlib.contextmanager
def _console_fallback():
    """A console that cannot show ° or Cyrillic gets '?' instead of a crash after the results
    were written (PYTHONIOENCODING=ascii, a Latin-1 terminal, a Windows code page)."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "°Ж—".encode(encoding)
            continue
        except (UnicodeEncodeError, LookupError):
            pass
        errors = getattr(stream, "errors", None)
        if hasattr(stream, "reconfigure") and errors in ("strict", None):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
                continue
            changed.append((stream, errors or "strict"))
    try:
        yield
    finally:
        for stream, errors in changed:
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)


def main(argv=None) -> int:
    with _console_fallback(), interrupts.like_ctrl_c():
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            code = _dispatch(parser, args)
            interrupts.check()  # a signal whose exception was swallowed on the way
            return code
        except SimError as exc:
            print(f"sim: error: {str(exc).splitlines()[0]}", file=sys.stderr)
            if args.debug:
                traceback.print_exc()
            return 2
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            print(
                f"sim: interrupted ({signal.Signals(signum).name}); no partial output was kept",
                file=sys.stderr,
            )
            return 128 + signum
        except Exception as exc:  # the last line of defence: a bug, not bad input
            print(
                f"sim: unexpected error: {type(exc).__name__}: {exc}\n"
                "This is a bug in sim; please report it with the command you ran "
                "(run again with --debug for the traceback).",
                file=sys.stderr,
            )
            if args.debug:
                traceback.print_exc()
            return 1


def entry_point() -> None:
    sys.exit(main())


def _dispatch(parser, args) -> int:
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "tle":
        if args.tle_command == "check":
            return _tle_check(args.files)
        if args.tle_command == "info":
            return _tle_info(args)
        parser.parse_args(["tle", "--help"])
    handler = {
        "run": _run,
        "track": _track,
        "passes": _passes,
        "window": _window,
        "export": _export,
        "animate": _animate,
    }[args.command]
    return handler(args)


# --------------------------------------------------------------------------------------------


def _tle_check(files) -> int:
    from .elements.files import _dedupe, scan_file

    bad = 0
    for f in files:
        try:
            sets, problems = scan_file(f)
        except SimError as exc:
            problems, sets = [str(exc).splitlines()[0]], []
        for norad in sorted({s.norad_id for s in sets}):
            try:  # the same checks as loading: one epoch, one set of elements
                _dedupe([s for s in sets if s.norad_id == norad])
            except SimError as exc:
                problems.append(str(exc))
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            print(problem)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            print(f"{f}: ... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        if not sets and not problems:
            problems = [f"{f}: no element set found"]
            print(problems[0])
        bad += len(problems)
        if not problems:
            objects = sorted({s.norad_id for s in sets})
            print(f"{f}: ok, {len(sets)} element sets of NORAD {objects}")
    return 2 if bad else 0


def _tle_info(args) -> int:
    from .elements import load_catalogue
    from .times import jd_to_iso

    cat = load_catalogue(args.files, rule=args.switch, norad_id=args.norad, name=args.name)
    first = cat.sets[0]
    print(
        f"{first.name or 'object'}  NORAD {cat.norad_id}  {first.intl_designator}  "
        f"{len(cat)} element sets  rule: {cat.rule}"
    )
    header = (
        f"{'#':>2}  {'epoch (UTC)':<20} {'in force from':<20} {'age span (h)':>16} "
        f"{'rev':>6} {'B* (1/ER)':>11} {'gap to next':>11}  {'drift to next':>13}"
    )
    print(header)
    print("-" * len(header))
    bounds = list(cat.boundaries())
    drift = cat.consistency_km()
    for i, s in enumerate(cat.sets):
        if i == 0:
            start = "(start of span)"
        else:
            jd = bounds[i - 1]
            start = jd_to_iso(int(jd), jd - int(jd), 0)
        if i + 1 < len(cat):
            gap = f"{(cat.sets[i + 1].epoch - s.epoch) * 24:.1f} h"
            dr = f"{drift[i]:.1f} km"
        else:
            gap = dr = "-"
        lo = "..." if i == 0 else f"{(bounds[i - 1] - s.epoch) * 24:+.1f}"
        hi = "..." if i + 1 == len(cat) else f"{(bounds[i] - s.epoch) * 24:+.1f}"
        span = f"{lo} to {hi}"
        print(
            f"{i + 1:>2}  {s.epoch_iso:<20} {start:<20} {span:>16} "
            f"{s.rev_number:>6} {s.bstar:>11.4e} "
            f"{gap:>11}  {dr:>13}"
        )
    print()
    print("Switches (position jump between the old and the new set at the switch instant):")
    for sw in cat.switches():
        print(f"  {sw.iso}  set {sw.from_index + 1} -> {sw.to_index + 1}: {sw.jump_km:8.2f} km")
    print(
        "'age span': age of the set while it is in force ('...' = open-ended, the set is "
        "extrapolated)."
    )
    print("'drift to next': each set propagated to the next set's epoch, compared with that set.")
    return 0


def _run(args) -> int:
    import time

    from .bundled import default_scenario
    from .output import check_output_folder, write_results
    from .plots.render import plot_stage_count
    from .replay import run_scenario
    from .scenario import load_scenario

    started = time.perf_counter()
    path = Path(args.scenario) if args.scenario else default_scenario()
    scenario = load_scenario(path)
    out = Path(args.out) if args.out else Path("out") / scenario.outputs["name"]
    if args.dpi < 20 or args.dpi > 1200:
        raise SimError(f"--dpi {args.dpi}: expected 20..1200")
    check_output_folder(out)  # refuse a folder that is not sim's before the replay, not after
    with _progress(args.quiet) as bar:
        task = bar.add_task("replay", total=6)
        results = run_scenario(
            scenario, progress=lambda text: bar.update(task, advance=1, description=text)
        )
        bar.update(task, completed=6)
        plots = not args.no_plots
        total = plot_stage_count(results) if plots else 0
        task2 = bar.add_task("writing", total=total + 1)
        write_results(
            results,
            out,
            fmt=args.format,
            dpi=args.dpi,
            plots=plots,
            progress=lambda text: bar.update(task2, advance=1, description=text),
        )
        bar.update(task2, completed=total + 1, description="written")
    if not args.quiet:
        _print_summary(results, out, time.perf_counter() - started)
    return 0


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *a, **k):
        return 0

    def update(self, *a, **k):
        pass


def _progress(quiet: bool):
    if quiet:
        return _NoBar()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn(), transient=True
    )


def _met_text(seconds: float) -> str:
    """Mission elapsed time as [-]Dd HH:MM:SS."""
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    return f"{sign}{days}d {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def _print_summary(results, out, seconds) -> None:
    s = results.summary()
    w = s["window"]
    print(
        f"{s['mission']}: {s['object']['name']} from {w['start_utc']} to {w['end_utc']}, "
        f"{w['samples']:,} samples every {w['step_s']:g} s"
    )
    print(f"element sets ({s['switch_rule']} rule):")
    for es in s["element_sets_used"]:
        print(
            f"  {es['epoch_utc']}  age {es['age_h_min']:+.1f} to {es['age_h_max']:+.1f} h  "
            f"({es['source']})"
        )
    for sw in s["switches_in_window"]:
        print(f"  switch at {sw['utc']}: {sw['jump_km']:.1f} km jump")
    print(f"passes ({s['visibility']['preset']} preset):")
    for name, c in s["passes_per_station"].items():
        print(f"  {name:<14} {c['passes']:>3} passes, {c['visible']:>2} visible to the eye")
    print(f"{'event':<16}{'UTC':<26}{'MET':>14}  ISS lat/lon/alt, element set age")
    for e in s["events"]:
        met = "" if e["met_s"] is None else _met_text(e["met_s"])
        print(
            f"{e['name']:<16}{e['utc']:<26}{met:>14}  {e['iss_lat_deg']:7.2f} "
            f"{e['iss_lon_deg']:8.2f} {e['iss_alt_km']:6.1f} km, "
            f"{e['element_set_age_h'] / 24:+.1f} d"
        )
    if s["launch_window"]:
        print("launch window (phase at insertion approximate, see launch_window.json):")
        for a in s["launch_window"]["launches"]:
            print(
                f"  {a['name']:<8} {a['launch_utc']}  plane offset {a['plane_offset_deg']:.3f}°, "
                f"in-plane {a['lead_s']:+.0f} s later, phase {a['phase_at_insertion_deg']:.0f}°"
            )
    for warning in s["warnings"]:
        print(f"warning: {warning}")
    print(
        f"wrote {out}/ in {seconds:.1f} s: "
        + ", ".join(
            p.name + ("/" if p.is_dir() else "")
            for p in sorted(Path(out).iterdir())
            if not p.name.startswith(".")
        )
    )


def _catalogue_from_args(args):
    from .elements import load_catalogue

    catalogue = load_catalogue(
        args.tle, rule=args.switch, norad_id=args.norad, name=args.name, strict=not args.lenient
    )
    for problem in catalogue.report.problems:  # empty unless --lenient kept going
        print(f"sim: warning: {problem} (set left out)", file=sys.stderr)
    return catalogue


def _track(args) -> int:
    from .ephemeris import propagate
    from .export.track import write_track

    catalogue = _catalogue_from_args(args)
    eph = propagate(catalogue, start=args.start, end=args.end, step_s=args.step)
    for warning in catalogue.age_warnings(eph.times.whole, eph.times.fraction):
        print(f"sim: warning: {warning}", file=sys.stderr)
    if not eph.ok.all():
        print(
            f"sim: warning: SGP4 failed at {int((~eph.ok).sum())} instants "
            f"({eph.error_reasons()}); those rows are empty",
            file=sys.stderr,
        )
    write_track(eph, args.output)
    print(f"wrote {len(eph)} samples to {args.output}")
    return 0


def format_pass_table(passes) -> str:
    """A readable fixed-width table of passes (UTC)."""
    head = (
        f"{'station':<12} {'rise (UTC)':<20} {'dur':>6} {'max el':>6} {'az rise>set':>11} "
        f"{'range':>7}  {'visible (UTC)':<17} {'mag':>5}  flags"
    )
    lines = [head, "-" * len(head)]
    for p in passes:
        d = p.to_dict()
        flags = ",".join(
            f for f, on in (("open-start", p.open_start), ("open-end", p.open_end)) if on
        )
        vis = f"{d['visible_start_utc'][11:19]}-{d['visible_end_utc'][11:19]}" if p.visible else "-"
        mag = f"{p.peak_magnitude:5.1f}" if p.peak_magnitude is not None else "    -"
        lines.append(
            f"{p.station[:12]:<12} {d['rise_utc'][:19].replace('T', ' '):<20} "
            f"{p.duration_s:6.0f} {p.max_elevation_deg:6.1f} "
            f"{p.rise_azimuth_deg:5.0f}>{p.set_azimuth_deg:<5.0f} {p.min_range_km:7.0f}  "
            f"{vis:<17} {mag}  {flags}"
        )
    return "\n".join(lines)


def _passes(args) -> int:
    import json

    from .passes import Station, find_passes, get_preset

    preset = get_preset(args.preset)
    mask = args.min_elevation if args.min_elevation is not None else preset.min_elevation_deg
    stations = [Station.parse(text, mask) for text in args.station]
    catalogue = _catalogue_from_args(args)
    passes = find_passes(catalogue, stations, args.start, args.end, preset=preset)
    if args.json:
        print(json.dumps([p.to_dict() for p in passes], indent=1))
    else:
        print(format_pass_table(passes))
        visible = sum(p.visible for p in passes)
        print(
            f"\n{len(passes)} passes, {visible} visible ({preset.name}: mask {mask:g} deg, Sun "
            f"at or below {preset.sun_max_elevation_deg:g} deg, ISS outside the Earth's "
            "umbra). Magnitudes are estimates from a diffuse-sphere model."
        )
    if args.skyplots:
        from .plots.sky import write_skyplots

        written = write_skyplots(
            catalogue, stations, [p for p in passes if p.visible], args.skyplots
        )
        print(f"wrote {len(written)} sky plots to {args.skyplots}", file=sys.stderr)
    return 0


def _scenario_results(path_text):
    from .bundled import default_scenario
    from .replay import run_scenario
    from .scenario import load_scenario

    return run_scenario(load_scenario(Path(path_text) if path_text else default_scenario()))


def _optional_jd(text, where):
    if text is None:
        return None
    from .times import datetime_to_jd, parse_utc

    w, f = datetime_to_jd(parse_utc(text, where))
    return w + f


def _export(args) -> int:
    from .export.atomic import is_stdout, output_file
    from .export.formats import export

    if not is_stdout(args.output):
        output_file(args.output)  # refuse a folder or a device before the replay, not after
    results = _scenario_results(args.scenario)
    written = export(
        results,
        args.format,
        args.output,
        frame=args.frame,
        start_jd=_optional_jd(args.start, "--start"),
        end_jd=_optional_jd(args.end, "--end"),
    )
    report = sys.stderr if is_stdout(args.output) else sys.stdout
    print("wrote " + ", ".join(str(p) for p in written), file=report)
    return 0


def _animate(args) -> int:
    from .export.atomic import is_stdout, output_file
    from .plots.animate import frame_rows, write_animation

    if is_stdout(args.output):
        raise SimError("--output -: an animation cannot go to standard output; give a file name")
    output_file(args.output)  # refuse a folder or a device before the replay, not after
    results = _scenario_results(args.scenario)
    start, end = _optional_jd(args.start, "--start"), _optional_jd(args.end, "--end")
    if args.fps < 1 or args.fps > 60:
        raise SimError(f"--fps {args.fps}: expected 1..60")
    if args.dpi < 20 or args.dpi > 300:
        raise SimError(f"--dpi {args.dpi}: expected 20..300")
    from .plots.animate import auto_speed

    speed = args.speed if args.speed is not None else auto_speed(results, start, end)
    total = len(frame_rows(results, speed, start, end))
    with _progress(args.quiet) as bar:
        task = bar.add_task("rendering frames", total=total)
        n = write_animation(
            results,
            args.output,
            seconds_per_frame=speed,
            start_jd=start,
            end_jd=end,
            fps=args.fps,
            dpi=args.dpi,
            progress=lambda k: bar.update(task, completed=k + 1),
        )
    print(f"wrote {args.output}: {n} frames, {speed:g} s of replay each")
    return 0


def format_window(window) -> str:
    from .mission import WINDOW_NOTE

    lines = [f"{'ascending in-plane instant (UTC)':<34} {'phase at insertion':>18}"]
    for o in window.opportunities:
        d = o.to_dict()
        lines.append(f"{d['in_plane_utc']:<34} {d['phase_at_insertion_deg']:>17.1f}°")
    for a in window.assessments:
        d = a.to_dict()
        lines.append(
            f"\n{d['name']}: lift-off {d['launch_utc']}, plane offset "
            f"{d['plane_offset_deg']:.3f}°, in-plane at {d['in_plane_utc']} "
            f"({d['lead_s']:+.0f} s), phase at insertion {d['phase_at_insertion_deg']:.1f}°"
        )
    lines.append(
        f"\n{WINDOW_NOTE} (insertion {window.insertion_s:g} s, downrange {window.downrange_deg:g}°)"
    )
    return "\n".join(lines)


def _window(args) -> int:
    import json

    from .mission import Site, launch_window

    site = Site.parse(args.site)
    launches = []
    for text in args.launch:
        name, sep, when = text.rpartition("=")
        launches.append((name if sep else f"launch {len(launches) + 1}", when))
    catalogue = _catalogue_from_args(args)
    window = launch_window(
        catalogue,
        site,
        args.start,
        args.end,
        launches,
        insertion_s=args.insertion_s,
        downrange_deg=args.downrange_deg,
    )
    if args.json:
        data = window.to_dict()
        if len(window.assessments) == 1:
            data["launch"] = data.pop("launches")[0]
        print(json.dumps(data, indent=1))
    else:
        print(format_window(window))
    if args.plot:
        from .plots.style import save
        from .plots.window import launch_window_plot

        save(launch_window_plot(window), args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["main", "build_parser", "Path"]
