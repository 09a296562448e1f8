"""The Soyuz legs, modelled: ascent, free flight to docking, and the ride home.

No element set of either Soyuz is available offline, so these trajectories are a **model** built
from the published times and places and from physics (see ``docs/soyuz-model.md``). Every leg
says so: ``source = "model"`` and a list of its assumptions and fitted values.

>>> import sim
>>> from sim.flight import fly_soyuz_ms25
>>> flight = fly_soyuz_ms25(sim.load_catalogue(sim.default_tle()))  # doctest: +SKIP
>>> [leg.name for leg in flight.legs]  # doctest: +SKIP
['Soyuz MS-25 ascent', 'Soyuz MS-25 free flight', 'Soyuz MS-24 return']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from ..ephemeris import geodetic, gmst_rad, teme_to_itrs
from ..names import slug
from ..times import DAY_S, TimeGrid, datetime_to_jd, jd_to_iso, parse_utc
from .ascent import ascent_arc, downrange_km
from .chase import IssStates, PlannedBurn, solve_chase
from .landing import (
    FITTED,
    ReturnSettings,
    fit_return,
    fly_return,
    ground_distance_km,
    landing_miss,
)
from .propagator import (
    Arc,
    ForceModel,
    Impulse,
    altitude_km,
    orbital_elements,
    perigee_apogee_km,
    rtn_basis,
    sample,
)

SOURCE = "model"
HOUR_S = 3600.0

# How each default is known: "published" (a source in the data README), "typical" (general
# descriptions of the Soyuz, unverified for this flight) or "assumption" (chosen here).


def _p(default, kind: str, note: str):
    """A parameter field with its default, how it is known and a note (kept in the metadata)."""
    return field(default=default, metadata={"kind": kind, "note": note})


@dataclass(frozen=True)
class FlightParams:
    """Every number the Soyuz model uses. Each default says how it is known (field metadata)."""

    launch_utc: str = _p("2024-03-23T12:36:10.573Z", "published", "RussianSpaceWeb")
    pad_lat_deg: float = _p(45.9961, "published", "Baikonur Site 31/6")
    pad_lon_deg: float = _p(63.5639, "published", "Baikonur Site 31/6")
    insertion_s: float = _p(529.0, "published", "separation about T+529 s (RussianSpaceWeb)")
    downrange_deg: float = _p(14.0, "assumption", "pad to insertion point, about 1,560 km")
    insertion_perigee_km: float = _p(200.0, "typical", "insertion orbit about 200 x 240 km")
    insertion_apogee_km: float = _p(240.0, "typical", "insertion orbit about 200 x 240 km")
    insertion_node_offset_deg: float = _p(
        0.0, "assumption", "insertion in the ISS plane at lift-off (what-if: turn its node east)"
    )
    docking_utc: str = _p("2024-03-25T15:02:51Z", "published", "RussianSpaceWeb; Roscosmos")
    dv1_met_s: float = _p(13860.0, "typical", "phasing burn 1 on orbit 3 (apogee of insertion)")
    dv2_met_s: float = _p(16590.0, "typical", "phasing burn 2, half a revolution later (orbit 4)")
    dv3_met_s: float = _p(93600.0, "typical", "day-2 correction, MET 26 h")
    dv4_before_docking_s: float = _p(
        13200.0, "assumption", "first rendezvous burn, 3 h 40 min before docking"
    )
    dv5_before_docking_s: float = _p(
        5040.0, "assumption", "second rendezvous burn, 1.5 transfer revolutions after DV4"
    )
    dv6_before_docking_s: float = _p(
        951.0, "published", "fly-around from about 14:47 (BelTA, planned)"
    )
    dv7_before_docking_s: float = _p(60.0, "assumption", "braking burn one minute before contact")
    gate_km: float = _p(1.0, "assumption", "approach gate on the ISS orbit, this far behind")
    soyuz_ballistic_m2_kg: float = _p(
        3.0e-3, "assumption", "C_D A / m of the whole Soyuz: 2.2 x 10 m^2 / 7,100 kg"
    )
    density_scale: float = _p(1.0, "assumption", "multiplies the CIRA-72 exponential table")
    undock_utc: str = _p("2024-04-06T03:54:58Z", "published", "Soyuz MS-24 from Rassvet")
    separation_dv_rtn_m_s: tuple = _p(
        (-0.5, 0.0, 0.0), "assumption", "springs and separation burn, away from the station"
    )
    deorbit_start_utc: str = _p("2024-04-06T06:24:00Z", "published", "planned (NASA schedule)")
    deorbit_duration_s: float = _p(270.0, "typical", "about 4.5 min; impulse at its middle")
    deorbit_dv_m_s: float = _p(128.0, "typical", "retrograde, about 128 m/s (fitted)")
    capsule_ballistic_m2_kg: float = _p(
        1.67e-3, "assumption", "descent module C_D A / m: 1.3 x 3.8 m^2 / 2,950 kg"
    )
    lift_up_to_drag: float = _p(
        0.1, "assumption", "mean vertical L/D of the steered entry (fitted)"
    )
    lift_side_to_drag: float = _p(0.0, "assumption", "mean sideways L/D (fitted)")
    parachute_alt_km: float = _p(10.5, "typical", "parachute about 15 min before landing")
    parachute_ballistic_m2_kg: float = _p(
        0.28, "assumption", "C_D A / m under the main canopy: 0.8 x 1,000 m^2 / 2,900 kg (fitted)"
    )
    ground_alt_km: float = _p(0.35, "assumption", "height of the steppe at the landing site")
    landing_utc: str = _p("2024-04-06T07:17:00Z", "published", "CBS News; Wikipedia")
    landing_lat_deg: float = _p(47.42, "published", "about 47.42 N (SE of Zhezkazgan)")
    landing_lon_deg: float = _p(69.65, "published", "about 69.65 E")
    fit_landing: bool = _p(True, "assumption", "fit the entry parameters to the landing")
    step_s: float = _p(10.0, "assumption", "sample spacing of the output")

    @classmethod
    def describe(cls) -> list[dict]:
        """Name, default, kind and note of every parameter."""
        return [
            {"name": f.name, "default": f.default, **f.metadata} for f in fields(cls) if f.metadata
        ]


@dataclass
class Burn:
    """One burn of a modelled leg. ``orbit`` counts ascending-node passages from lift-off (orbit
    1 ends at the first one); perigee/apogee are osculating two-body heights (km above the
    equatorial radius) just after the burn."""

    name: str
    utc: str
    met_s: float
    orbit: int
    dv_m_s: float
    dv_rtn_m_s: tuple
    perigee_km: float
    apogee_km: float
    how: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["met_s"] = round(self.met_s, 3)
        d["met"] = _met_text(self.met_s)
        d["dv_m_s"] = round(self.dv_m_s, 4)
        d["dv_rtn_m_s"] = [round(x, 4) for x in self.dv_rtn_m_s]
        d["perigee_km"] = round(self.perigee_km, 2)
        d["apogee_km"] = round(self.apogee_km, 2)
        return d


@dataclass
class Leg:
    """A modelled trajectory: TEME samples (km, km/s) at UTC instants, burns and assumptions."""

    name: str
    object_name: str
    slug: str
    times: TimeGrid
    r_teme_km: np.ndarray = field(repr=False)
    v_teme_km_s: np.ndarray = field(repr=False)
    burns: list[Burn]
    assumptions: list[str]
    facts: dict = field(default_factory=dict)
    source: str = SOURCE

    def __len__(self) -> int:
        return len(self.times)

    def geodetic(self):
        """Latitude (deg), longitude (deg), height (km) of every sample (WGS84)."""
        theta, dtheta = gmst_rad(self.times.whole, self.times.fraction)
        r_itrs, _ = teme_to_itrs(self.r_teme_km, None, theta, dtheta)
        return geodetic(r_itrs)

    def to_dict(self, samples: bool = False) -> dict:
        out = {
            "name": self.name,
            "object_name": self.object_name,
            "slug": self.slug,
            "source": self.source,
            "start_utc": self.times.iso()[0],
            "end_utc": self.times.iso()[-1],
            "samples": len(self),
            "burns": [b.to_dict() for b in self.burns],
            "assumptions": list(self.assumptions),
            "facts": _jsonable(self.facts),
        }
        if samples:
            out["times_utc"] = self.times.iso()
            out["r_teme_km"] = np.round(self.r_teme_km, 6).tolist()
            out["v_teme_km_s"] = np.round(self.v_teme_km_s, 9).tolist()
        return out


@dataclass
class Flight:
    """The modelled legs of a flight, in time order."""

    name: str
    legs: list[Leg]
    params: FlightParams
    source: str = SOURCE
    #: how the burn vectors and landing parameters were found: ``"solved"``, or
    #: ``"stored, verified at run time: ..."`` (:mod:`sim.flight.solution`)
    solution: str = "solved"
    #: why a solve was needed, or which stored solution was used
    solution_note: str = ""

    def leg(self, name: str) -> Leg:
        for leg in self.legs:
            if leg.name == name:
                return leg
        raise KeyError(name)

    def to_dict(self, samples: bool = False) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "note": "modelled trajectories (no element set of the Soyuz): see assumptions",
            "solution": self.solution,
            "solution_note": self.solution_note,
            "legs": [leg.to_dict(samples) for leg in self.legs],
            "parameters": [
                {**p, "value": _jsonable(getattr(self.params, p["name"]))}
                for p in FlightParams.describe()
            ],
        }


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.floating | float):
        return round(float(x), 6)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _met_text(met_s: float) -> str:
    sign = "-" if met_s < 0 else ""
    s = abs(met_s)
    h = int(s // 3600)
    m = int((s - 3600 * h) // 60)
    return f"{sign}{h:d}:{m:02d}:{s - 3600 * h - 60 * m:06.3f}"


def _jd(text: str, where: str):
    return datetime_to_jd(parse_utc(text, where))


def _seconds_between(a, b) -> float:
    return ((b[0] - a[0]) + (b[1] - a[1])) * DAY_S


def _iso_at(epoch, t_s: float, digits: int = 3) -> str:
    return jd_to_iso(epoch[0], epoch[1] + t_s / DAY_S, digits)


def ascending_node_times_s(t_s, r_km) -> np.ndarray:
    """Instants (s) where z turns from negative to positive, interpolated linearly."""
    z = r_km[:, 2]
    k = np.nonzero((z[:-1] < 0) & (z[1:] >= 0) & (np.diff(t_s) > 0))[0]
    return t_s[k] - z[k] * (t_s[k + 1] - t_s[k]) / (z[k + 1] - z[k])


def _orbit_number(nodes_s, t_s: float) -> int:
    return int(1 + np.searchsorted(nodes_s, t_s, side="right"))


def _make_burns(arc: Arc, impulses, names, hows, epoch, launch, nodes_s):
    out = []
    for imp, name, how in zip(impulses, names, hows, strict=True):
        k = int(np.nonzero(arc.t_s == imp.t_s)[0][-1])  # the sample just after the impulse
        per, apo = perigee_apogee_km(arc.r_teme_km[k], arc.v_teme_km_s[k])
        dv = np.asarray(imp.dv_rtn_m_s, dtype=float)
        met = _seconds_between(launch, epoch) + imp.t_s
        out.append(
            Burn(
                name=name,
                utc=_iso_at(epoch, imp.t_s),
                met_s=met,
                orbit=_orbit_number(nodes_s, met),
                dv_m_s=float(np.linalg.norm(dv)),
                dv_rtn_m_s=tuple(float(x) for x in dv),
                perigee_km=float(per[0]),
                apogee_km=float(apo[0]),
                how=how,
            )
        )
    return out


def _fly_to_docking(
    catalogue, p: FlightParams, plan_times, name: str, object_name: str, stored=None
):
    """Ascent and free-flight legs of a launch with the burn plan at ``plan_times`` (MET s).
    ``stored``: a :class:`ChaseSolution` to fly instead of solving the burn vectors."""
    launch = _jd(p.launch_utc, "launch_utc")
    dock = _jd(p.docking_utc, "docking_utc")
    dock_s = _seconds_between(launch, dock)
    common = dict(
        pad_lat_deg=p.pad_lat_deg,
        pad_lon_deg=p.pad_lon_deg,
        downrange_deg=p.downrange_deg,
        perigee_km=p.insertion_perigee_km,
        apogee_km=p.insertion_apogee_km,
        node_offset_deg=p.insertion_node_offset_deg,
    )
    asc = ascent_arc(catalogue, *launch, insertion_s=p.insertion_s, step_s=p.step_s, **common)
    names = ["DV1", "DV2", "DV3", "DV4", "DV5", "DV6", "DV7"]
    stages = ["phasing", "phasing", "correction", "rendezvous", "rendezvous", "final", "final"]
    plan = [PlannedBurn(n, t, s) for n, t, s in zip(names, plan_times, stages, strict=True)]
    force = ForceModel(ballistic_m2_kg=p.soyuz_ballistic_m2_kg, density_scale=p.density_scale)
    iss = IssStates(catalogue, *launch)
    if stored is None:
        sol = solve_chase(asc.state_end, p.insertion_s, plan, dock_s, iss, force, gate_km=p.gate_km)
    else:
        sol = stored
    impulses = [Impulse(b.t_s, sol.dv_rtn_m_s[b.name]) for b in plan]
    arc = sample(
        asc.state_end,
        p.insertion_s,
        dock_s,
        force,
        impulses,
        epoch=launch,
        step_s=p.step_s,
        grid_origin_s=0.0,
    )
    nodes = ascending_node_times_s(
        np.concatenate([asc.t_s, arc.t_s]), np.concatenate([asc.r_teme_km, arc.r_teme_km])
    )
    hows = {
        "phasing": "solved (stage 1: along-track; near-circular phasing orbit, lag aimed at DV4)",
        "correction": "solved (stage 2: full vector, reaches the aim point at DV4)",
        "rendezvous": "solved (stage 3: full vectors, reach the approach gate at DV6)",
        "final": "solved (stage 4: full vectors, reach the ISS state at docking)",
    }
    burns = _make_burns(arc, impulses, names, [hows[s] for s in stages], launch, launch, nodes)
    iss_end = iss([dock_s])[0]
    miss_m = float(np.linalg.norm(arc.r_teme_km[-1] - iss_end[:3]) * 1e3)
    miss_m_s = float(np.linalg.norm(arc.v_teme_km_s[-1] - iss_end[3:]) * 1e3)
    alt = altitude_km(arc.r_teme_km)
    a, e, inc, raan, _w, _u = orbital_elements(asc.state_end[:3], asc.state_end[3:])
    per0, apo0 = perigee_apogee_km(asc.state_end[:3], asc.state_end[3:])
    total = sum(b.dv_m_s for b in burns)
    facts_ascent = {
        "insertion_utc": _iso_at(launch, p.insertion_s),
        "insertion_altitude_km": float(altitude_km(asc.state_end[:3])),
        "insertion_perigee_km": float(per0[0]),
        "insertion_apogee_km": float(apo0[0]),
        "insertion_inclination_deg": float(np.degrees(inc[0])),
        "downrange_km": downrange_km(asc.r_teme_km[0], asc.r_teme_km[-1]),
    }
    facts_chase = {
        "docking_utc": _iso_at(launch, dock_s),
        "arrival_miss_m": miss_m,
        "arrival_miss_m_s": miss_m_s,
        "total_dv_m_s": total,
        "min_altitude_km": float(alt.min()),
        "orbit_at_docking": _orbit_number(nodes, dock_s),
        "stage_residuals": sol.residuals,
        "aim_points": sol.aims,
        "solver_evaluations": sol.nfev,
        "ascending_nodes_met_s": nodes,
    }
    assumptions_common = [
        "MODEL: no element set of this Soyuz exists offline; the trajectory is computed from "
        "published times and places and physics",
        "frame: TEME treated as inertial over the flight (its pole moves ~1.5 m in two weeks)",
        "forces: WGS72 gravity with J2, J3, J4; drag in the CIRA-72 exponential atmosphere "
        f"(x{p.density_scale:g}) co-rotating with the Earth; C_D A/m = "
        f"{p.soyuz_ballistic_m2_kg:g} m^2/kg (assumption)",
    ]
    ascent = Leg(
        name=f"{name} ascent",
        object_name=object_name,
        slug=slug(object_name),
        times=asc.times,
        r_teme_km=asc.r_teme_km,
        v_teme_km_s=asc.v_teme_km_s,
        burns=[],
        assumptions=[
            assumptions_common[0],
            "ascent: kinematic profile (smooth downrange angle and height), not rocket dynamics",
            f"insertion at T+{p.insertion_s:g} s (published, about) at the perigee of a "
            f"{p.insertion_perigee_km:g} x {p.insertion_apogee_km:g} km orbit (typical, "
            "unverified for this flight)",
            f"insertion point {p.downrange_deg:g} deg downrange of the pad (assumption), in the "
            "ISS orbital plane at lift-off"
            + (
                f" turned {p.insertion_node_offset_deg:g} deg east (what-if)"
                if p.insertion_node_offset_deg
                else ""
            ),
        ],
        facts=facts_ascent,
    )
    chase = Leg(
        name=f"{name} free flight",
        object_name=object_name,
        slug=slug(object_name),
        times=arc.times,
        r_teme_km=arc.r_teme_km,
        v_teme_km_s=arc.v_teme_km_s,
        burns=burns,
        assumptions=[
            *assumptions_common,
            "burn times: typical profile shape and published fly-around time (see parameters); "
            "burn vectors SOLVED (least squares) to meet the ISS of the element sets at docking: "
            f"miss {miss_m:.3g} m, {miss_m_s:.3g} m/s",
            "burns are impulsive",
            "the ISS comes from SGP4 element sets propagated backwards from 2024-03-27 "
            "(the first bundled set), 2 to 4 days",
        ],
        facts=facts_chase,
    )
    return ascent, chase, launch


def _return_leg(catalogue, p: FlightParams, launch, nodes_to_dock, stored=None):
    """The Soyuz MS-24 ride home. ``stored``: ``{"parameters": {name: value for FITTED},
    "evaluations": n}`` of an earlier fit, flown instead of fitting again."""
    undock = _jd(p.undock_utc, "undock_utc")
    r, v, err = catalogue.teme(np.array([undock[0]]), np.array([undock[1]]))
    if err[0]:
        raise RuntimeError("SGP4 failed for the ISS at undocking")
    state = np.concatenate([r[0], v[0]])
    burn_mid_s = _seconds_between(undock, _jd(p.deorbit_start_utc, "deorbit_start_utc")) + (
        0.5 * p.deorbit_duration_s
    )
    landing_s = _seconds_between(undock, _jd(p.landing_utc, "landing_utc"))
    st = ReturnSettings(
        burn_mid_s=burn_mid_s,
        separation_dv_rtn_m_s=tuple(p.separation_dv_rtn_m_s),
        deorbit_dv_m_s=p.deorbit_dv_m_s,
        soyuz_ballistic_m2_kg=p.soyuz_ballistic_m2_kg,
        capsule_ballistic_m2_kg=p.capsule_ballistic_m2_kg,
        lift_up_to_drag=p.lift_up_to_drag,
        lift_side_to_drag=p.lift_side_to_drag,
        parachute_alt_km=p.parachute_alt_km,
        parachute_ballistic_m2_kg=p.parachute_ballistic_m2_kg,
        ground_alt_km=p.ground_alt_km,
        density_scale=p.density_scale,
    )
    target = (p.landing_lat_deg, p.landing_lon_deg, landing_s)
    unfitted = fly_return(state, *undock, st, step_s=p.step_s)
    n0, e0, dt0 = landing_miss(unfitted, *target)
    facts = {
        "unfitted_landing": {
            "utc": _iso_at(undock, unfitted.t_s),
            "lat_deg": unfitted.lat_deg,
            "lon_deg": unfitted.lon_deg,
            "miss_km": ground_distance_km(unfitted.lat_deg, unfitted.lon_deg, *target[:2]),
            "miss_north_km": n0,
            "miss_east_km": e0,
            "late_s": dt0,
        }
    }
    td, used, how = unfitted, st, "defaults (not fitted)"
    if p.fit_landing:
        if stored is None:
            used, sol = fit_return(state, *undock, st, *target)
            evaluations = int(sol.nfev)
        else:
            used = replace(st, **{k: float(stored["parameters"][k]) for k in FITTED})
            evaluations = int(stored["evaluations"])
        td = fly_return(state, *undock, used, step_s=p.step_s)
        how = "fitted"
        facts["fit"] = {
            "parameters": {k: getattr(used, k) for k in FITTED},
            "evaluations": evaluations,
        }
    n, e, dt = landing_miss(td, *target)
    facts["landing"] = {
        "utc": _iso_at(undock, td.t_s),
        "lat_deg": td.lat_deg,
        "lon_deg": td.lon_deg,
        "miss_km": ground_distance_km(td.lat_deg, td.lon_deg, *target[:2]),
        "miss_north_km": n,
        "miss_east_km": e,
        "late_s": dt,
        "parameters": how,
    }
    arc = td.arc
    # the burns: separation and de-orbit (impulses at the samples where the velocity jumps)
    k_dep = arc.extras["deorbit_state_index"]
    per, apo = perigee_apogee_km(arc.r_teme_km[k_dep], arc.v_teme_km_s[k_dep])
    basis = rtn_basis(arc.r_teme_km[k_dep - 1], arc.v_teme_km_s[k_dep - 1])
    dv_rtn = basis @ ((arc.v_teme_km_s[k_dep] - arc.v_teme_km_s[k_dep - 1]) * 1e3)
    per_s, apo_s = perigee_apogee_km(arc.r_teme_km[0], arc.v_teme_km_s[0])
    met0 = _seconds_between(launch, undock)
    dock_s = _seconds_between(launch, _jd(p.docking_utc, "docking_utc"))
    nodes = _iss_nodes_between(catalogue, launch, dock_s, met0)
    ret_nodes = np.concatenate(
        [nodes_to_dock, nodes, met0 + ascending_node_times_s(arc.t_s, arc.r_teme_km)]
    )
    burns = [
        Burn(
            "separation",
            _iso_at(undock, 0.0),
            met0,
            _orbit_number(ret_nodes, met0),
            float(np.linalg.norm(st.separation_dv_rtn_m_s)),
            tuple(float(x) for x in st.separation_dv_rtn_m_s),
            float(per_s[0]),
            float(apo_s[0]),
            "assumption",
        ),
        Burn(
            "de-orbit",
            _iso_at(undock, float(arc.t_s[k_dep])),
            met0 + float(arc.t_s[k_dep]),
            _orbit_number(ret_nodes, met0 + float(arc.t_s[k_dep])),
            float(np.linalg.norm(dv_rtn)),
            tuple(float(x) for x in dv_rtn),
            float(per[0]),
            float(apo[0]),
            f"retrograde impulse at the middle of the planned burn; size {how}",
        ),
    ]
    facts["orbit_at_landing"] = _orbit_number(ret_nodes, met0 + td.t_s)
    fit_text = (
        "FITTED to the published landing (least squares): "
        + ", ".join(f"{k} = {getattr(used, k):.4g}" for k in FITTED)
        + f"; residual {facts['landing']['miss_km'] * 1e3:.3g} m, {dt:.3g} s"
        if p.fit_landing
        else "not fitted: default entry parameters"
    )
    leg = Leg(
        name="Soyuz MS-24 return",
        object_name="Soyuz MS-24",
        slug=slug("Soyuz MS-24"),
        times=arc.times,
        r_teme_km=arc.r_teme_km,
        v_teme_km_s=arc.v_teme_km_s,
        burns=burns,
        assumptions=[
            "MODEL: no element set of Soyuz MS-24 exists offline; the trajectory starts at the "
            "ISS state of the element sets at the published undocking time",
            f"separation impulse {tuple(st.separation_dv_rtn_m_s)} m/s RTN (assumption)",
            "de-orbit burn: one impulse opposite to the velocity at the middle of the planned "
            f"{p.deorbit_duration_s:g} s burn starting {p.deorbit_start_utc} (planned time)",
            "entry: drag and constant mean lift ratios (the real descent steers its bank angle); "
            f"C_D A/m of the descent module {st.capsule_ballistic_m2_kg:g} m^2/kg (assumption)",
            f"parachute from {p.parachute_alt_km:g} km (typical), no wind; ground at "
            f"{p.ground_alt_km:g} km (assumption)",
            fit_text,
            "unfitted (default parameters) the model lands "
            f"{facts['unfitted_landing']['miss_km']:.1f} km from the published site, "
            f"{dt0:+.0f} s from the published time",
        ],
        facts=facts,
    )
    return leg


def _iss_nodes_between(catalogue, launch, start_s, end_s, step_s: float = 30.0):
    """Ascending-node instants (MET s) of the ISS between two MET instants (element sets):
    the crew rode the station between docking and undocking."""
    t = np.arange(start_s, end_s, step_s)
    r, _v, _e = catalogue.teme(np.full(t.size, launch[0]), launch[1] + t / DAY_S)
    return ascending_node_times_s(t, r)


def _ms25_plan(p: FlightParams) -> list[float]:
    """MET (s) of DV1-DV7 of the two-day plan."""
    dock_s = _seconds_between(_jd(p.launch_utc, "launch_utc"), _jd(p.docking_utc, "docking_utc"))
    return [
        p.dv1_met_s,
        p.dv2_met_s,
        p.dv3_met_s,
        dock_s - p.dv4_before_docking_s,
        dock_s - p.dv5_before_docking_s,
        dock_s - p.dv6_before_docking_s,
        dock_s - p.dv7_before_docking_s,
    ]


def _build_ms25(catalogue, p: FlightParams, entry=None) -> Flight:
    """Fly the MS-25 legs and the MS-24 return: solved, or the stored ``entry``'s solution."""
    from .solution import chase_solution

    stored = entry["solution"] if entry is not None else None
    ascent, chase, launch = _fly_to_docking(
        catalogue,
        p,
        _ms25_plan(p),
        "Soyuz MS-25",
        "Soyuz MS-25",
        None if stored is None else chase_solution(stored),
    )
    back = _return_leg(
        catalogue,
        p,
        launch,
        chase.facts["ascending_nodes_met_s"],
        None if stored is None else stored.get("return"),
    )
    return Flight("Soyuz MS-25 / MS-24 (modelled)", [ascent, chase, back], p)


def _say(progress, text: str) -> None:
    if progress is not None:
        progress(text)


def _fly(name: str, catalogue, p: FlightParams, build, with_return: bool, reuse, progress):
    """Fly flight ``name`` from its stored solution when the fingerprint matches and the flown
    result passes the check; else solve it (:mod:`sim.flight.solution`)."""
    from . import solution

    why = "reuse of the stored solution switched off"
    if reuse:
        plan = FLIGHTS[name][1](p)
        entry, why = solution.lookup(name, catalogue, p, plan, with_return)
        if entry is not None:
            _say(progress, "flying the modelled Soyuz legs (stored solution)")
            flight = build(catalogue, p, entry)
            ok, text = solution.check(flight)
            if ok:
                flight.solution = f"stored, verified at run time: {text}"
                flight.solution_note = why
                return flight
            why = f"the stored solution failed its run-time check ({text})"
    _say(progress, f"solving the Soyuz burns, about 10 s ({why})")
    flight = build(catalogue, p, None)
    flight.solution = "solved"
    flight.solution_note = why
    return flight


def fly_soyuz_ms25(
    catalogue, params: FlightParams | None = None, *, reuse: bool = True, progress=None
) -> Flight:
    """The modelled Soyuz MS-25 ascent and two-day free flight, and the Soyuz MS-24 return.

    With ``reuse`` (the default) the stored solution (``solution.json``) is flown when it was
    solved for the same element sets, parameters and model code, and used when the flight meets
    the ISS and the landing with it; otherwise, or with ``reuse=False``, the burns are solved and
    the landing fitted (about 8 s of CPU). ``progress(text)`` hears which. ``Flight.solution``
    says which happened.
    """
    p = params or FlightParams()
    return _fly("soyuz-ms25", catalogue, p, _build_ms25, True, reuse, progress)


#: the two-orbit profile of the scrubbed 2024-03-21 attempt: MET of DV1-DV3, then seconds before
#: docking of DV4-DV7 (assumptions shaped like the two-day plan, compressed). DV4 to DV5 is
#: 3,000 s, not half a revolution: a transfer of exactly 180 deg leaves the plane undetermined
#: and the solver then spends some 100 m/s on opposing normal components.
FIRST_ATTEMPT_PLAN = (3196.0, 5926.0, 6600.0, 4400.0, 1400.0, 951.0, 60.0)


def _first_attempt_plan(p: FlightParams) -> list[float]:
    dock_s = _seconds_between(_jd(p.launch_utc, "launch_utc"), _jd(p.docking_utc, "docking_utc"))
    d1, d2, d3, b4, b5, b6, b7 = FIRST_ATTEMPT_PLAN
    return [d1, d2, d3, dock_s - b4, dock_s - b5, dock_s - b6, dock_s - b7]


def _build_first_attempt(catalogue, p: FlightParams, entry=None) -> Flight:
    from .solution import chase_solution

    stored = None if entry is None else chase_solution(entry["solution"])
    ascent, chase, _ = _fly_to_docking(
        catalogue,
        p,
        _first_attempt_plan(p),
        "Soyuz MS-25 first attempt (what-if)",
        "Soyuz MS-25",
        stored,
    )
    for leg in (ascent, chase):
        leg.assumptions.append(
            "WHAT-IF: the 2024-03-21 launch aborted at T-20 s; this is the planned two-orbit "
            "profile (burn times assumed), the ISS propagated backwards 6 days from its first "
            "bundled element set"
        )
    return Flight("Soyuz MS-25 first attempt (what-if, modelled)", [ascent, chase], p)


def fly_first_attempt(
    catalogue, params: FlightParams | None = None, *, reuse: bool = True, progress=None
) -> Flight:
    """What-if: the two-orbit (about 3 h 18 min) profile had the 2024-03-21 launch not aborted.

    Launch 2024-03-21 13:21:19 UTC, planned docking 16:39:42 the same day. The ISS there comes
    from the bundled element sets propagated backwards six days (the first is 2024-03-27), so the
    target itself is approximate. ``reuse`` and ``progress`` as in :func:`fly_soyuz_ms25`.
    """
    base = params or FlightParams()
    p = replace(base, launch_utc="2024-03-21T13:21:19Z", docking_utc="2024-03-21T16:39:42Z")
    return _fly(
        "soyuz-ms25-first-attempt", catalogue, p, _build_first_attempt, False, reuse, progress
    )


#: the flights with a stored solution: name -> (fly function, burn plan (MET s) of its
#: parameters, whether it has the return leg)
FLIGHTS = {
    "soyuz-ms25": (fly_soyuz_ms25, _ms25_plan, True),
    "soyuz-ms25-first-attempt": (fly_first_attempt, _first_attempt_plan, False),
}


__all__ = [
    "Burn",
    "Flight",
    "FlightParams",
    "Leg",
    "fly_first_attempt",
    "fly_soyuz_ms25",
    "ascending_node_times_s",
]
