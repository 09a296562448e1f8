"""The ``sim`` command line: parses arguments and calls the same public API a notebook calls.

Exit codes: 0 success, 2 bad input (one line on stderr naming the place), 1 unexpected error
(with a hint to report it; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import signal
import sys
import traceback
from pathlib import Path

from . import interrupts
from .errors import SimError

MAX_PROBLEMS_SHOWN = 20
SWITCH_HELP = "element-set switching rule: epoch (default), midpoint or nearest"


END_HELP = (
    "last instant (ISO 8601, UTC unless it names a zone); a date without a time "
    "(2024-04-06) includes that whole day"
)
START_HELP = "first instant (ISO 8601, UTC unless it names a zone); a date means its 00:00 UTC"
TZ_HELP = (
    "time zone for the times a person reads and the *_local columns: an IANA name "
    "(Europe/Minsk) or UTC (default: each station's zone, found from its coordinates)"
)
#: options whose value may start with a minus sign (negative coordinates)
_SIGNED_VALUE_OPTIONS = ("--site", "--station")


def _number(lo: float, hi: float, *, lo_open: bool = False):
    """An argparse type: a finite number in lo..hi (lo excluded when ``lo_open``); anything
    else (nan, inf, text) is a one-line usage error with exit code 2."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < lo or value > hi or (lo_open and value == lo):
            bound = f"more than {lo:g} and at most {hi:g}" if lo_open else f"{lo:g}..{hi:g}"
            raise argparse.ArgumentTypeError(f"{text} is outside {bound}")
        return value

    parse.__name__ = "number"
    return parse


#: the largest span a time step may cover, and the smallest step (seconds)
MAX_STEP_S = 86400.0
MIN_STEP_S = 0.001


def _add_tle_source(p: argparse.ArgumentParser, required: bool = False) -> None:
    p.add_argument(
        "--tle",
        action="append",
        required=required,
        metavar="FILE",
        help="element-set file (TLE, 3LE, OMM CSV/JSON/XML); may repeat (default: the bundled "
        "ISS sets, see 'sim tle path')",
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
    _add_max_extrapolation(p)


def _add_max_extrapolation(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-extrapolation-days",
        type=_number(0.0, 36525.0, lo_open=True),
        default=None,
        metavar="DAYS",
        help="refuse instants farther than this from the element set in force (default 30)",
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
    _add_max_extrapolation(p)

    p = sub.add_parser("scenario", help="the scenario file format: its JSON Schema, or a check")
    ssub = p.add_subparsers(dest="scenario_command", metavar="ACTION", parser_class=_Parser)
    ssub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)")
    pc = ssub.add_parser("check", help="validate a scenario without running it; exit 0 or 2")
    pc.add_argument("file", metavar="FILE", help="scenario TOML file")

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
    tsub.add_parser("path", help="print the path of the bundled ISS element sets")

    p = sub.add_parser("track", help="write the ground track as CSV, JSON or GeoJSON")
    _add_tle_source(p)
    p.add_argument("--start", required=True, help=START_HELP)
    p.add_argument("--end", required=True, help=END_HELP)
    p.add_argument(
        "--step",
        type=_number(MIN_STEP_S, MAX_STEP_S),
        default=60.0,
        help="seconds between samples (60)",
    )
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
    p.add_argument("--start", required=True, help=START_HELP)
    p.add_argument("--end", required=True, help=END_HELP)
    p.add_argument("--tz", metavar="ZONE", help=TZ_HELP)
    p.add_argument(
        "--min-elevation",
        type=_number(-5.0, 89.0),
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
    p.add_argument(
        "--visible-only", action="store_true", help="list only the passes visible to the eye"
    )
    p.add_argument(
        "--ics", metavar="FILE", help="also write the visible passes as a calendar (.ics)"
    )
    p.add_argument("--skyplots", metavar="DIR", help="also draw one sky plot per visible pass")
    p.add_argument(
        "--all-passes",
        action="store_true",
        help="with --skyplots: draw every pass, not only the visible ones",
    )

    p = sub.add_parser(
        "export",
        help="export a scenario's replay: czml, kml, oem, geojson, csv, json or html "
        "(the offline replay page)",
    )
    p.add_argument("format", choices=("czml", "kml", "oem", "geojson", "csv", "json", "html"))
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
    _add_max_extrapolation(p)

    p = sub.add_parser("animate", help="animated map of the replay as GIF or MP4")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (default: soyuz-ms25)")
    p.add_argument("--output", required=True, help="replay.gif or replay.mp4")
    p.add_argument(
        "--speed",
        type=_number(0.0, 1e7, lo_open=True),
        default=None,
        help=(
            "seconds of replay per frame (default 120: one frame per 2 minutes of replay, so "
            "a 100-minute span is 51 frames and the whole 11.5-day stay about 8,300 frames; "
            "use .mp4 for long spans)"
        ),
    )
    p.add_argument("--start", help="first instant (ISO 8601 UTC; default: replay start)")
    p.add_argument("--end", help="last instant (ISO 8601 UTC; default: replay end)")
    p.add_argument("--fps", type=int, default=24, help="frames per second (default 24)")
    p.add_argument("--dpi", type=int, default=80, help="resolution (default 80: 800x450)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_max_extrapolation(p)

    p = sub.add_parser("window", help="in-plane launch opportunities from a site")
    _add_tle_source(p)
    p.add_argument("--site", required=True, metavar="LAT,LON", help="launch site, degrees")
    p.add_argument("--start", required=True, help=START_HELP)
    p.add_argument("--end", required=True, help=END_HELP)
    p.add_argument(
        "--tz",
        metavar="ZONE",
        default="UTC",
        help="time zone of the printed times: an IANA name, 'site' for the launch site's own "
        "zone, or UTC (default)",
    )
    p.add_argument(
        "--launch",
        action="append",
        default=[],
        metavar="[NAME=]ISO",
        help="an actual lift-off to assess; may repeat",
    )
    p.add_argument(
        "--insertion-s",
        type=_number(0.0, 3600.0),
        default=529.0,
        help="seconds from lift-off to orbit insertion (529)",
    )
    p.add_argument(
        "--downrange-deg",
        type=_number(0.0, 90.0),
        default=14.0,
        help="approximate downrange angle of the insertion point (14)",
    )
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--plot", metavar="FILE", help="also draw the launch-window plot")

    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sim-orbital-replay")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _join_signed_values(argv):
    """``--site -33.9,18.4`` -> ``--site=-33.9,18.4``: argparse would take the value for an
    option because it starts with a minus sign."""
    out = []
    argv = list(argv)
    i = 0
    while i < len(argv):
        token = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if token in _SIGNED_VALUE_OPTIONS and nxt is not None and re.match(r"-[\d.]", nxt):
            out.append(f"{token}={nxt}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


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
        args = parser.parse_args(_join_signed_values(sys.argv[1:] if argv is None else argv))
        try:
            from .parallel import one_blas_thread

            one_blas_thread()
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
        if args.tle_command == "path":
            from .bundled import default_tle

            print(default_tle())
            return 0
        parser.parse_args(["tle", "--help"])
    if args.command == "scenario":
        return _scenario(parser, args)
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


def _scenario(parser, args) -> int:
    from .scenario import load_scenario, scenario_json_schema

    if args.scenario_command == "schema":
        import json

        print(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False))
        return 0
    if args.scenario_command == "check":
        print(load_scenario(args.file).summary_line())
        return 0
    parser.parse_args(["scenario", "--help"])
    return 2


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
    import math

    from .elements import load_catalogue
    from .times import human_time

    cat = load_catalogue(args.files, rule=args.switch, norad_id=args.norad, name=args.name)
    first = cat.sets[0]
    print(
        f"{first.name or 'object'}  NORAD {cat.norad_id}  {first.intl_designator}  "
        f"{len(cat)} element sets  rule: {cat.rule}"
    )
    header = (
        f"{'#':>2}  {'epoch':<23} {'in force from':<23} {'age span (h)':>16} "
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
            start = human_time(int(jd), jd - int(jd))
        if i + 1 < len(cat):
            gap = f"{(cat.sets[i + 1].epoch - s.epoch) * 24:.1f} h"
            dr = f"{drift[i]:.1f} km"
        else:
            gap = dr = "-"
        lo = "..." if i == 0 else f"{(bounds[i - 1] - s.epoch) * 24:+.1f}"
        hi = "..." if i + 1 == len(cat) else f"{(bounds[i] - s.epoch) * 24:+.1f}"
        span = f"{lo} to {hi}"
        print(
            f"{i + 1:>2}  {human_time(s.epoch_jd, s.epoch_fraction):<23} {start:<23} {span:>16} "
            f"{s.rev_number:>6} {s.bstar:>11.4e} "
            f"{gap:>11}  {dr:>13}"
        )
    print()
    switches = cat.switches()
    if not switches:
        print("No switches: a single element set covers the whole span.")
    else:
        print("Switches (position jump between the old and the new set at the switch instant):")
    for sw in switches:
        when = human_time(math.floor(sw.jd), sw.jd % 1)
        print(f"  {when}  set {sw.from_index + 1} -> {sw.to_index + 1}: {sw.jump_km:8.2f} km")
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
    from .plots.render import plot_stage_count, prepare_drawing
    from .replay import run_scenario
    from .scenario import load_scenario

    started = time.perf_counter()
    path = Path(args.scenario) if args.scenario else default_scenario()
    scenario = load_scenario(path)
    out = Path(args.out) if args.out else Path("out") / scenario.outputs["name"]
    if args.dpi < 20 or args.dpi > 1200:
        raise SimError(f"--dpi {args.dpi}: expected 20..1200")
    check_output_folder(out)  # refuse a folder that is not sim's before the replay, not after
    plots = not args.no_plots
    with _progress(args.quiet) as bar:
        task = bar.add_task("replay", total=6)
        results = run_scenario(
            scenario,
            progress=lambda text: bar.update(task, advance=1, description=text),
            max_extrapolation_days=args.max_extrapolation_days,
            meanwhile=(lambda: prepare_drawing(scenario.outputs.get("maps", True)))
            if plots
            else None,
        )
        bar.update(task, completed=6)
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


def _human(iso_text: str) -> str:
    """A data-format time from the summary in the one human format."""
    from .times import datetime_to_jd, human_time, parse_utc

    return human_time(*datetime_to_jd(parse_utc(iso_text)))


def _print_summary(results, out, seconds) -> None:
    s = results.summary()
    w = s["window"]
    print(
        f"{s['mission']}: {s['object']['name']} from {_human(w['start_utc'])} to "
        f"{_human(w['end_utc'])}, "
        f"{w['samples']:,} samples every {w['step_s']:g} s"
    )
    print(f"element sets ({s['switch_rule']} rule):")
    for es in s["element_sets_used"]:
        print(
            f"  {_human(es['epoch_utc'])}  age {es['age_h_min']:+.1f} to {es['age_h_max']:+.1f} h  "
            f"({es['source']})"
        )
    for sw in s["switches_in_window"]:
        print(f"  switch at {_human(sw['utc'])}: {sw['jump_km']:.1f} km jump")
    print(f"passes ({s['visibility']['preset']} preset):")
    for name, c in s["passes_per_station"].items():
        print(f"  {name:<14} {c['passes']:>3} passes, {c['visible']:>2} visible to the eye")
    print(f"{'event':<16}{'time':<26}{'MET':>14}  ISS lat/lon/alt, element set age")
    for e in s["events"]:
        met = "" if e["met_s"] is None else _met_text(e["met_s"])
        print(
            f"{e['name']:<16}{_human(e['utc']):<26}{met:>14}  {e['iss_lat_deg']:7.2f} "
            f"{e['iss_lon_deg']:8.2f} {e['iss_alt_km']:6.1f} km, "
            f"{e['element_set_age_h'] / 24:+.1f} d"
        )
    if s["launch_window"]:
        print("launch window (phase at insertion approximate, see launch_window.json):")
        for a in sorted(s["launch_window"]["launches"], key=lambda a: a["launch_utc"]):
            print(
                f"  {a['name']:<8} {_human(a['launch_utc'])}  "
                f"plane offset {a['plane_offset_deg']:.3f}°, "
                f"in-plane {a['lead_s']:+.0f} s later, phase {a['phase_at_insertion_deg']:.0f}°"
            )
    _print_flight(results, s)
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


def _print_flight(results, s) -> None:
    """The modelled flight in a few lines: burns and arrival, landing and its fit, and the
    modelled passes the stations could see by eye (in each station's local time)."""
    flight = s["flight"]
    if flight is None:
        return
    print(f"{flight['name']}: a MODEL, not element sets (assumptions in summary.json 'flight'):")
    for leg in flight["legs"]:
        facts = leg["facts"]
        if "total_dv_m_s" in facts:
            print(
                f"  {leg['name']}: {len(leg['burns'])} burns, total Δv "
                f"{facts['total_dv_m_s']:.1f} m/s, lowest {facts['min_altitude_km']:.0f} km; "
                f"meets the ISS at {_human(facts['docking_utc'])} to "
                f"{facts['arrival_miss_m']:.3f} m and {facts['arrival_miss_m_s']:.3f} m/s"
            )
        if "landing" in facts:
            land, raw = facts["landing"], facts["unfitted_landing"]
            deorbit = next((b for b in leg["burns"] if b["name"] == "de-orbit"), None)
            burn = "" if deorbit is None else f"de-orbit {deorbit['dv_m_s']:.1f} m/s, "
            print(
                f"  {leg['name']}: {burn}lands {_human(land['utc'])} at "
                f"{land['lat_deg']:.2f} N {land['lon_deg']:.2f} E, {land['miss_km'] * 1e3:.2f} m "
                f"and {land['late_s']:+.3f} s from the published landing ({land['parameters']}; "
                f"with the defaults {raw['miss_km']:.1f} km, {raw['late_s']:+.0f} s)"
            )
    print(
        f"  modelled Soyuz passes visible to the eye ({s['visibility']['preset']}), "
        "start of the visible part in local time (highest elevation):"
    )
    zones = {st.name: st.zone for st in results.scenario.stations}
    for st in results.scenario.stations:
        days: dict[str, list[str]] = {}
        for p in results.model_passes:
            if p.station != st.name or not p.visible:
                continue
            text = _local(p.visible_start_jd, zones[st.name])
            days.setdefault(text[:10], []).append(
                f"{text[11:16]} {text.split()[-1]} ({p.max_elevation_deg:.0f}°)"
            )
        if days:
            listed = "; ".join(f"{d}: {', '.join(v)}" for d, v in days.items())
            print(f"    {st.name:<14} {listed}")
        else:
            print(f"    {st.name:<14} none")


def _local(jd: float, zone) -> str:
    import math

    from .times import human_time

    return human_time(math.floor(jd), jd % 1, zone)


def _inclusive_end(text: str) -> str:
    """An end given as a bare date (``2024-04-06``) means the end of that day."""
    from datetime import date, timedelta

    if isinstance(text, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            return text  # parse_utc names the bad date
        return f"{day + timedelta(days=1)}T00:00:00Z"
    return text


def _catalogue_from_args(args):
    from .bundled import default_tle
    from .elements import load_catalogue

    extra = {}
    if args.max_extrapolation_days is not None:
        extra["max_extrapolation_days"] = args.max_extrapolation_days
    catalogue = load_catalogue(
        args.tle or [default_tle()],
        rule=args.switch,
        norad_id=args.norad,
        name=args.name,
        strict=not args.lenient,
        **extra,
    )
    for problem in catalogue.report.problems:  # empty unless --lenient kept going
        print(f"sim: warning: {problem} (set left out)", file=sys.stderr)
    return catalogue


def _span_warnings(catalogue, start, end) -> list[str]:
    """The one staleness rule for a span: refused beyond the hard limit, else warnings (also
    printed on stderr)."""
    warnings = catalogue.span_warnings(start, end)
    for warning in warnings:
        print(f"sim: warning: {warning}", file=sys.stderr)
    return warnings


def _track(args) -> int:
    from .ephemeris import propagate
    from .export.track import write_track

    catalogue = _catalogue_from_args(args)
    eph = propagate(catalogue, start=args.start, end=_inclusive_end(args.end), step_s=args.step)
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


def _m_ss(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


PASS_FLAGS = {
    "up at start": "already above the horizon when the window starts (no rise seen)",
    "up at end": "still above the horizon when the window ends (no set seen)",
    "set switch": "the element set in force changes during the pass (positions jump there)",
}


def format_pass_table(passes) -> str:
    """The observer's table: local date and zone, estimated magnitude, then time, elevation and
    direction at the start, the highest point and the end, duration (m:ss), the visible part.
    Times are in each pass's ``timezone`` (the station's, or ``--tz``)."""
    import math

    from .localtime import get_zone
    from .passes import compass_point
    from .times import jd_to_datetimes, zone_label

    if not passes:
        return ""

    def local(jd, zone):
        return jd_to_datetimes(math.floor(jd), jd % 1, 0, zone)[0]

    def point(jd, el, az, zone):
        return f"{local(jd, zone):%H:%M:%S} {el:3.0f}° {compass_point(az):>3} {az:3.0f}°"

    rows = []
    for p in passes:
        zone = get_zone(p.timezone)
        start = local(p.rise_jd, zone)
        flags = [
            name
            for name, on in (
                ("up at start", p.open_start),
                ("up at end", p.open_end),
                ("set switch", p.element_set_switch),
            )
            if on
        ]
        vis = "-"
        if p.visible:
            vis = (
                f"{local(p.visible_start_jd, zone):%H:%M:%S}-"
                f"{local(p.visible_end_jd, zone):%H:%M:%S}"
            )
        rows.append(
            (
                p.station,
                f"{start:%Y-%m-%d}",
                zone_label(start),
                f"{p.peak_magnitude:.1f}" if p.peak_magnitude is not None else "-",
                point(p.rise_jd, p.rise_elevation_deg, p.rise_azimuth_deg, zone),
                point(p.culmination_jd, p.max_elevation_deg, p.culmination_azimuth_deg, zone),
                point(p.set_jd, p.set_elevation_deg, p.set_azimuth_deg, zone),
                _m_ss(p.duration_s),
                vis,
                ", ".join(flags),
            )
        )
    w_st = max(7, *(len(r[0]) for r in rows))
    w_zone = max(4, *(len(r[2]) for r in rows))
    w_pt = len(rows[0][4])
    head1 = (
        f"{'':<{w_st}}  {'':<10}  {'':<{w_zone}}  {'':>5}  {'start':<{w_pt}}  "
        f"{'highest point':<{w_pt}}  {'end':<{w_pt}}"
    )
    head2 = (
        f"{'station':<{w_st}}  {'date':<10}  {'zone':<{w_zone}}  {'mag':>5}  "
        + "  ".join([f"{'time     alt  azimuth':<{w_pt}}"] * 3)
        + f"  {'dur':>5}  {'visible':<17}  flags"
    )
    lines = [head1.rstrip(), head2, "-" * len(head2)]
    for r in rows:
        lines.append(
            f"{r[0]:<{w_st}}  {r[1]}  {r[2]:<{w_zone}}  {r[3]:>5}  {r[4]}  {r[5]}  {r[6]}  "
            f"{r[7]:>5}  {r[8]:<17}  {r[9]}".rstrip()
        )
    return "\n".join(lines)


def preset_text(preset, mask_deg=None) -> str:
    """A visibility preset in words, with every number it uses."""
    mask = preset.min_elevation_deg if mask_deg is None else mask_deg
    text = (
        f"{preset.name}: above {mask:g}° elevation, Sun at or below "
        f"{preset.sun_max_elevation_deg:g}°, ISS outside the Earth's umbra"
    )
    if preset.min_peak_elevation_deg > 0:
        text += f", highest point at least {preset.min_peak_elevation_deg:g}°"
    return text


def pass_table_footer(passes, shown, preset, mask_deg, zones) -> list[str]:
    from .passes import PRESETS

    visible = sum(p.visible for p in passes)
    count = f"{len(passes)} passes, {visible} visible"
    if len(shown) != len(passes):
        count += f" ({len(shown)} listed)"
    lines = [
        f"{count}. Visible ({preset_text(preset, mask_deg)}).",
        "Other presets: "
        + "; ".join(preset_text(p) for name, p in PRESETS.items() if name != preset.name)
        + ".",
        f"Times in {', '.join(zones)}; 'alt' is the elevation above the horizon, 'azimuth' the "
        "compass point and degrees from north through east; 'dur' is m:ss above the mask.",
        "Magnitudes are estimates from a diffuse-sphere model (-1.8 at 1000 km, half lit), not "
        "measurements.",
    ]
    used = {
        f
        for p in shown
        for f, on in (
            ("up at start", p.open_start),
            ("up at end", p.open_end),
            ("set switch", p.element_set_switch),
        )
        if on
    }
    lines += [f"'{f}': {PASS_FLAGS[f]}." for f in PASS_FLAGS if f in used]
    import textwrap

    return [
        textwrap.fill(line, 100, subsequent_indent="  ", break_on_hyphens=False) for line in lines
    ]


def _passes(args) -> int:
    import json

    from .passes import Station, find_passes, get_preset

    preset = get_preset(args.preset)
    mask = args.min_elevation if args.min_elevation is not None else preset.min_elevation_deg
    stations = [Station.parse(text, args.min_elevation, args.tz) for text in args.station]
    catalogue = _catalogue_from_args(args)
    _span_warnings(catalogue, args.start, _inclusive_end(args.end))
    passes = find_passes(catalogue, stations, args.start, _inclusive_end(args.end), preset=preset)
    shown = [p for p in passes if p.visible] if args.visible_only else passes
    if args.json:
        from .results import json_safe

        print(json.dumps(json_safe([p.to_dict() for p in shown]), indent=1, allow_nan=False))
    else:
        if shown:
            print(format_pass_table(shown))
            print()
        else:
            print("No " + ("visible " if args.visible_only else "") + "passes in the window.")
        zones = sorted({f"{s.zone_name}" for s in stations})
        print("\n".join(pass_table_footer(passes, shown, preset, mask, zones)))
    if args.ics:
        from .export.ics import write_ics

        n = write_ics(passes, args.ics, object_name=_object_name(catalogue))
        print(f"wrote {n} visible passes to {args.ics}", file=sys.stderr)
    if args.skyplots:
        from .plots.sky import write_skyplots

        drawn = passes if args.all_passes else [p for p in passes if p.visible]
        written = write_skyplots(catalogue, stations, drawn, args.skyplots)
        print(f"wrote {len(written)} sky plots to {args.skyplots}", file=sys.stderr)
    return 0


def _object_name(catalogue) -> str:
    name = (catalogue.sets[0].name or "").strip()
    return name or f"NORAD {catalogue.norad_id}"


def _scenario_results(path_text, max_extrapolation_days=None):
    from .bundled import default_scenario
    from .replay import run_scenario
    from .scenario import load_scenario

    scenario = load_scenario(Path(path_text) if path_text else default_scenario())
    return run_scenario(scenario, max_extrapolation_days=max_extrapolation_days)


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
    results = _scenario_results(args.scenario, args.max_extrapolation_days)
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
    results = _scenario_results(args.scenario, args.max_extrapolation_days)
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


def format_window(window, tz=None) -> str:
    """The launch-window table; times in ``tz`` (a ``tzinfo``; UTC when None)."""
    import math

    from .mission import WINDOW_NOTE
    from .times import human_time

    def when(jd):
        return human_time(math.floor(jd), jd % 1, tz)

    lines = [f"{'ascending in-plane instant':<30} {'phase at insertion':>18}"]
    for o in window.opportunities:
        d = o.to_dict()
        lines.append(f"{when(o.in_plane_jd):<30} {d['phase_at_insertion_deg']:>17.1f}°")
    for a in sorted(window.assessments, key=lambda a: a.launch_jd):  # in time order
        d = a.to_dict()
        lines.append(
            f"\n{d['name']}: lift-off {when(a.launch_jd)}, plane offset "
            f"{d['plane_offset_deg']:.3f}°, in-plane at {when(a.in_plane_jd)} "
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
    warnings = _span_warnings(catalogue, args.start, _inclusive_end(args.end))
    window = launch_window(
        catalogue,
        site,
        args.start,
        _inclusive_end(args.end),
        launches,
        insertion_s=args.insertion_s,
        downrange_deg=args.downrange_deg,
    )
    if args.json:
        data = window.to_dict()
        if len(window.assessments) == 1:
            data["launch"] = data.pop("launches")[0]
        data["warnings"] = warnings
        from .results import json_safe

        print(json.dumps(json_safe(data), indent=1, allow_nan=False))
    else:
        from .localtime import get_zone, zone_name_at

        zone = zone_name_at(site.lat_deg, site.lon_deg) if args.tz == "site" else args.tz
        print(format_window(window, get_zone(zone, "--tz")))
    if args.plot:
        from .plots.style import save
        from .plots.window import launch_window_plot

        save(launch_window_plot(window), args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["main", "build_parser", "Path"]
