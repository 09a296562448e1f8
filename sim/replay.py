"""Run a scenario: element sets -> ephemerides -> passes -> mission timeline -> Results.

Nothing here writes a file; see :mod:`sim.output` for the output folder.
"""

from __future__ import annotations

import math

import numpy as np

from .elements import Catalogue, load_catalogue
from .elements.trust import MAX_EXTRAPOLATION_DAYS
from .ephemeris import geodetic as to_geodetic
from .ephemeris import itrs_at, propagate, subsolar_point
from .passes import find_passes, pass_track
from .results import MODEL, Results, Trajectory
from .scenario import Scenario
from .times import DAY_S, jd_iso, jd_to_iso


def _stage(progress, text):
    if progress is not None:
        progress(text)


def run_scenario(
    sc: Scenario, progress=None, *, max_extrapolation_days=None, meanwhile=None
) -> Results:
    """Replay ``sc``. Instants farther than ``max_extrapolation_days`` (default: the
    scenario's ``element_sets.max_extrapolation_days``, else 30) from the element set in force
    are refused (:mod:`sim.elements.trust`). ``meanwhile()``, when given, is the caller's own
    work, done in this process while a child process flies the modelled flight (where there
    is none, it is simply done first); ``sim run`` makes its plotting imports there."""
    _stage(progress, "reading element sets")
    if max_extrapolation_days is None:
        max_extrapolation_days = getattr(sc, "max_extrapolation_days", None)
    catalogue = load_catalogue(
        sc.element_files,
        rule=sc.switch,
        norad_id=sc.norad_id,
        max_age_days=sc.max_age_days,
        max_extrapolation_days=max_extrapolation_days or MAX_EXTRAPOLATION_DAYS,
    )
    flight_name = getattr(sc, "flight_model", None)
    # the modelled flight needs only the element sets: flown by a child process meanwhile
    ahead = (
        _FlightAhead(flight_name, catalogue, sc.stations, sc.visibility) if flight_name else None
    )
    try:
        if meanwhile is not None:
            meanwhile()
        results = _replay(sc, catalogue, progress)
        if ahead is not None:
            add_flight(results, *ahead.result(progress))
    finally:
        if ahead is not None:
            ahead.stop()
    return results


def _replay(sc: Scenario, catalogue: Catalogue, progress) -> Results:
    """Everything of :func:`run_scenario` but the modelled flight."""
    _stage(progress, "propagating the track")
    eph = propagate(
        catalogue, start=sc.start, end=sc.end, step_s=sc.step_s, max_samples=sc.max_samples
    )
    warnings = catalogue.age_warnings(eph.times.whole, eph.times.fraction)
    if not eph.ok.all():
        warnings.append(f"SGP4 failed at {int((~eph.ok).sum())} instants: {eph.error_reasons()}")
    _stage(progress, "searching passes")
    passes = find_passes(catalogue, sc.stations, sc.start, sc.end, preset=sc.visibility)
    by_name = {s.name: s for s in sc.stations}
    # every pass's path across the sky, here once: sky plots and the replay page read it
    tracks = {i: pass_track(catalogue, by_name[p.station], p) for i, p in enumerate(passes)}
    _stage(progress, "mission events")
    launch_jd = sc.events[0].jd if sc.launch else None
    events = []
    if sc.events:
        jd = np.array([e.jd for e in sc.events])
        whole = np.floor(jd)
        frac = jd - whole
        r = itrs_at(catalogue, whole, frac)
        lat, lon, alt = to_geodetic(r)
        idx = catalogue.index_at(whole, frac)
        age = catalogue.age_hours(whole, frac, idx)
        for n, e in enumerate(sc.events):
            row = {
                "name": e.name,
                "kind": e.kind,
                "utc": jd_to_iso(whole[n], frac[n], 3),
                "jd": float(jd[n]),
                "met_s": None if launch_jd is None else round((jd[n] - launch_jd) * DAY_S, 3),
                "iss_lat_deg": round(float(lat[n]), 4),
                "iss_lon_deg": round(float(lon[n]), 4),
                "iss_alt_km": round(float(alt[n]), 3),
                "element_set_epoch_utc": catalogue.sets[idx[n]].epoch_iso,
                "element_set_age_h": round(float(age[n]), 3),
                "source": e.source,
            }
            if e.lat_deg is not None:
                row["site_lat_deg"], row["site_lon_deg"] = e.lat_deg, e.lon_deg
            if not np.isfinite(lat[n]):
                warnings.append(
                    f"event {e.name}: SGP4 gives no ISS position at {row['utc']} "
                    "(the element set fails there); its position is left empty"
                )
            if abs(age[n]) > sc.max_age_days * 24:
                warnings.append(
                    f"event {e.name}: element set {abs(age[n]) / 24:.1f} days old; "
                    "the ISS position there is approximate"
                )
            events.append(row)
        events.sort(key=lambda row: row["jd"])  # listed in time order (the scrub before launch)
    w0, w1 = float(eph.times.jd[0]), float(eph.times.jd[-1])
    switches = [s for s in catalogue.switches() if w0 <= s.jd <= w1]
    _stage(progress, "days and sunlight")
    days = []
    day_number = np.floor(eph.times.jd + 0.5)
    for d in np.unique(day_number):
        index = np.nonzero(day_number == d)[0]
        if index.size < 2:  # a window ending at midnight touches the next day at one instant
            continue
        noon = d  # Julian day number d begins at noon; d - 0.5 is midnight
        instant = min(max(noon, w0), w1)
        lat_s, lon_s = subsolar_point(math.floor(instant), instant % 1, eph.sun)
        date = jd_to_iso(math.floor(d - 0.5), (d - 0.5) % 1, 0)[:10]
        days.append(
            {
                "date": date,
                "index": index,
                "night_instant": (
                    lat_s,
                    lon_s,
                    jd_to_iso(math.floor(instant), instant % 1, 0)[11:16] + " UTC",
                ),
            }
        )
    lat_s, lon_s = subsolar_point(math.floor(w0), w0 % 1, eph.sun)
    night = (lat_s, lon_s, jd_to_iso(math.floor(w0), w0 % 1, 0)[:16].replace("T", " ") + " UTC")
    window = None
    if sc.launch:
        _stage(progress, "launch window")
        window = _launch_window(sc, catalogue)
    results = Results(
        sc,
        catalogue,
        eph,
        passes,
        tracks,
        events,
        switches,
        days,
        night,
        warnings,
        (w0, w1),
        window,
    )
    return results


def _launch_window(sc: Scenario, catalogue: Catalogue):
    """In-plane opportunities from two days before the first launch attempt to two days after
    the launch, and an assessment of every launch and scrub event."""
    from .mission import DEFAULT_DOWNRANGE_DEG, DEFAULT_INSERTION_S, Site, launch_window

    attempts = [e for e in sc.events if e.kind in ("launch", "scrub")]
    first = min(e.jd for e in attempts)
    last = max(e.jd for e in attempts)
    site = Site(sc.launch["site"], sc.launch["lat_deg"], sc.launch["lon_deg"])
    return launch_window(
        catalogue,
        site,
        jd_iso(math.floor(first - 0.5) - 1.5),
        jd_iso(math.floor(last - 0.5) + 3.5),
        [(e.name, e.time_utc) for e in attempts],
        insertion_s=sc.launch.get("insertion_s", DEFAULT_INSERTION_S),
        downrange_deg=sc.launch.get("downrange_deg", DEFAULT_DOWNRANGE_DEG),
    )


#: the modelled flights a scenario can name in ``[flight] model``
FLIGHT_MODELS = ("soyuz-ms25", "soyuz-ms25-first-attempt")


#: flights already flown in this process, by model name and the element sets they meet
_FLOWN: dict = {}


def _fly_now(name: str, catalogue, progress):
    from .flight import fly_first_attempt, fly_soyuz_ms25

    run = fly_soyuz_ms25 if name == "soyuz-ms25" else fly_first_attempt
    return run(catalogue, progress=progress)


def fly(name: str, catalogue, progress=None):
    """The modelled Soyuz legs of a scenario (``[flight] model``): the stored solution flown and
    checked when it was solved for these inputs, else solved (:mod:`sim.flight.solution`);
    ``progress`` hears which. A flight is flown once per process for the same element sets."""
    if name not in FLIGHT_MODELS:
        raise ValueError(f"unknown flight model {name!r}; expected one of {FLIGHT_MODELS}")
    key = (name, catalogue.rule, tuple(s.elements_key() for s in catalogue.sets))
    if key not in _FLOWN:
        _FLOWN[key] = _fly_now(name, catalogue, progress)
    else:
        _stage(progress, "flying the modelled Soyuz legs (flown earlier in this process)")
    return _FLOWN[key]


class _FlightAhead:
    """:func:`fly` begun in a forked child process (:class:`sim.ahead.Ahead`), so that the
    flight (the larger part of a replay's serial time, with the import of scipy) is computed on
    a second core while the caller replays the track; the child also samples each leg and
    finds its passes over ``stations`` (:func:`sample_flight`). :meth:`result` is what
    :func:`fly` would have returned (and is kept as flown in this process) with those samples
    (None when nothing was flown ahead: :func:`add_flight` samples them)."""

    def __init__(self, name: str, catalogue, stations=(), visibility=None):
        if name not in FLIGHT_MODELS:
            raise ValueError(f"unknown flight model {name!r}; expected one of {FLIGHT_MODELS}")
        self.name, self.catalogue, self.ahead = name, catalogue, None
        self.key = (name, catalogue.rule, tuple(s.elements_key() for s in catalogue.sets))
        if self.key not in _FLOWN:
            from .ahead import Ahead

            def fly_and_sample(progress):
                flight = _fly_now(name, catalogue, progress)
                return flight, sample_flight(flight, stations, visibility)

            # sim.flight (and scipy with it) is imported by the child, not before the fork
            self.ahead = Ahead(fly_and_sample)

    def result(self, progress=None) -> tuple:
        sampled = None
        if self.ahead is not None and self.key not in _FLOWN:
            # the flight's classes, which unpickling it needs, imported while the child flies
            from . import flight  # noqa: F401

            _FLOWN[self.key], sampled = self.ahead.result(progress)
        flight = fly(self.name, self.catalogue, None if self.ahead is not None else progress)
        return flight, sampled

    def stop(self) -> None:
        if self.ahead is not None:
            self.ahead.stop()


def sample_flight(flight, stations, visibility) -> list[tuple[Trajectory, list]]:
    """Each modelled leg of ``flight`` as a trajectory labelled as a model, with its passes
    over ``stations`` (flagged ``model``, named by the leg)."""
    from .legs import leg_ephemeris, sample_passes

    out = []
    for leg in flight.legs:
        eph = leg_ephemeris(leg.times, leg.r_teme_km, leg.v_teme_km_s)
        passes = sample_passes(eph, stations, visibility)
        for p in passes:
            p.extra["object"] = leg.name
        trajectory = Trajectory(
            leg.name, eph, MODEL, list(leg.assumptions), object_name=leg.object_name
        )
        out.append((trajectory, passes))
    return out


def add_flight(results: Results, flight, sampled=None) -> None:
    """Put every modelled leg into ``results`` as a trajectory labelled as a model, with its
    passes over the scenario's stations (flagged ``model``): ``sampled``, the
    :func:`sample_flight` of ``flight`` made elsewhere (a child process), else made here."""
    sc = results.scenario
    results.flight = flight
    if sampled is None:
        sampled = sample_flight(flight, sc.stations, sc.visibility)
    for trajectory, passes in sampled:
        results.trajectories[trajectory.name] = trajectory
        results.model_passes.extend(passes)
    results.model_passes.sort(key=lambda p: (p.rise_jd, p.station))
