"""What a replay computed, as plain data: plots, exports and the replay page read it and never
propagate. Several objects per replay: :attr:`Results.trajectories` maps names to
:class:`Trajectory`, each saying where its positions come from."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .elements import Catalogue
from .scenario import Scenario
from .times import jd_to_iso

#: ``Trajectory.source`` of positions from historical element sets through SGP4
ELEMENT_SETS = "element sets (SGP4)"
#: ``Trajectory.source`` of positions from the numerical flight model
MODEL = "model"


@dataclass
class Trajectory:
    """One object's positions over the replay and where they come from.

    ``ephemeris`` has the fields of :class:`sim.ephemeris.Ephemeris`; ``source`` is
    :data:`ELEMENT_SETS` or :data:`MODEL`; ``assumptions`` lists what a modelled leg assumes or
    fits, for every picture, table and file to state.
    """

    name: str
    ephemeris: object = field(repr=False)
    source: str = ELEMENT_SETS
    assumptions: list[str] = field(default_factory=list, repr=False)
    object_name: str = ""  #: the spacecraft (several legs can belong to one object)

    def __post_init__(self):
        self.object_name = self.object_name or self.name

    @property
    def slug(self) -> str:
        """File-name form of the object's name: ``Soyuz MS-25`` -> ``soyuz-ms-25``."""
        from .names import slug

        return slug(self.object_name)

    @property
    def modelled(self) -> bool:
        return self.source == MODEL

    @property
    def label(self) -> str:
        """The name as legends show it: modelled objects say so."""
        return f"{self.name} (model)" if self.modelled else self.name


@dataclass
class Results:
    """Everything a replay computed: plots and exports read this and never propagate."""

    scenario: Scenario
    catalogue: Catalogue
    ephemeris: object
    passes: list
    #: index in ``passes`` -> (seconds from rise, azimuth_deg, elevation_deg), every pass
    pass_tracks: dict
    events: list[dict]
    switches: list
    days: list[dict]
    night_instant: tuple
    warnings: list[str]
    window_jd: tuple[float, float]
    launch_window: object = None  #: sim.mission.LaunchWindow when the scenario has a launch
    #: every object of the replay by name; the first is the scenario's object from element sets
    trajectories: dict[str, Trajectory] = field(default_factory=dict)
    #: the modelled flight (sim.flight.Flight) when the scenario asks for one
    flight: object = None
    #: passes of the modelled legs over the stations, each flagged ``model``
    model_passes: list = field(default_factory=list)

    def __post_init__(self):
        if not self.trajectories:
            name = self.scenario.object_name
            self.trajectories = {name: Trajectory(name, self.ephemeris, ELEMENT_SETS)}

    def __repr__(self) -> str:
        names = ", ".join(self.trajectories)
        return (
            f"<Results {self.scenario.mission_name}: {self.window_label}, "
            f"{len(self.ephemeris)} samples; objects: {names}; {len(self.passes)} passes, "
            f"{len(self.events)} events>"
        )

    @property
    def window_label(self) -> str:
        a = jd_to_iso(math.floor(self.window_jd[0]), self.window_jd[0] % 1, 0)
        b = jd_to_iso(math.floor(self.window_jd[1]), self.window_jd[1] % 1, 0)
        return f"{a[:16].replace('T', ' ')} to {b[:16].replace('T', ' ')} UTC"

    def map_markers(self):
        """(kind, lon, lat, label) for the map: pads and landing sites where they are on the
        ground, docking and undocking where the ISS was at that instant."""
        where = {"launch": "site", "landing": "site", "docking": "iss", "undocking": "iss"}
        out = []
        for ev in self.events:
            prefix = where.get(ev["kind"])
            if prefix is None or ev.get(f"{prefix}_lat_deg") is None:
                continue
            label = ev["utc"][:16].replace("T", " ")
            out.append((ev["kind"], ev[f"{prefix}_lon_deg"], ev[f"{prefix}_lat_deg"], label))
        return out

    def summary(self) -> dict:
        """A JSON-ready digest of the replay (deterministic: no timings, no paths)."""
        sc = self.scenario
        eph = self.ephemeris
        used = sorted(set(eph.set_index.tolist()))
        sets = []
        for k in used:
            sel = eph.set_index == k
            s = self.catalogue.sets[k]
            sets.append(
                {
                    "epoch_utc": s.epoch_iso,
                    "source": f"{Path(s.source).name}:{s.line}",
                    "age_h_min": round(float(eph.age_h[sel].min()), 2),
                    "age_h_max": round(float(eph.age_h[sel].max()), 2),
                    "samples": int(sel.sum()),
                }
            )
        per_station = {}
        for st in sc.stations:
            mine = [p for p in self.passes if p.station == st.name]
            per_station[st.name] = {"passes": len(mine), "visible": sum(p.visible for p in mine)}
        return {
            "mission": sc.mission_name,
            "crew": sc.crew,
            "object": {"name": sc.object_name, "norad_id": sc.norad_id},
            "window": {
                "start_utc": jd_to_iso(math.floor(self.window_jd[0]), self.window_jd[0] % 1, 3),
                "end_utc": jd_to_iso(math.floor(self.window_jd[1]), self.window_jd[1] % 1, 3),
                "step_s": sc.step_s,
                "samples": len(eph),
            },
            "switch_rule": self.catalogue.rule,
            "element_sets_used": sets,
            "switches_in_window": [
                {
                    "utc": s.iso,
                    "from_epoch": self.catalogue.sets[s.from_index].epoch_iso,
                    "to_epoch": self.catalogue.sets[s.to_index].epoch_iso,
                    "jump_km": round(s.jump_km, 3),
                }
                for s in self.switches
            ],
            "visibility": {
                "preset": sc.visibility.name,
                "min_elevation_deg": sc.visibility.min_elevation_deg,
                "sun_max_elevation_deg": sc.visibility.sun_max_elevation_deg,
                "min_peak_elevation_deg": sc.visibility.min_peak_elevation_deg,
            },
            "passes_per_station": per_station,
            "events": self.events,
            "sgp4_failures": {"instants": int((~eph.ok).sum()), "reasons": eph.error_reasons()},
            # None where SGP4 failed at every instant
            "sunlit_fraction": (
                round(float(np.mean(eph.sunlit[eph.ok])), 4) if eph.ok.any() else None
            ),
            "max_abs_latitude_deg": (
                round(float(np.max(np.abs(eph.lat_deg[eph.ok]))), 4) if eph.ok.any() else None
            ),
            "warnings": self.warnings,
            "launch_window": (
                None
                if self.launch_window is None
                else {
                    "launches": [a.to_dict() for a in self.launch_window.assessments],
                    "insertion_s": self.launch_window.insertion_s,
                    "downrange_deg": self.launch_window.downrange_deg,
                }
            ),
            "trajectories": [
                {
                    "name": tr.name,
                    "object": tr.object_name,
                    "source": tr.source,
                    # first and last instant only (the whole track's strings cost 0.1 s)
                    "start_utc": jd_to_iso(
                        tr.ephemeris.times.whole[0], tr.ephemeris.times.fraction[0], 3
                    ),
                    "end_utc": jd_to_iso(
                        tr.ephemeris.times.whole[-1], tr.ephemeris.times.fraction[-1], 3
                    ),
                    "samples": len(tr.ephemeris),
                    "assumptions": tr.assumptions,
                }
                for tr in self.trajectories.values()
            ],
            "flight": None if self.flight is None else self.flight.to_dict(),
            "model_passes": [
                {"object": p.extra.get("object"), **p.to_dict()} for p in self.model_passes
            ],
            "approximations": [
                "Positions before the first element set are SGP4 propagated backwards "
                "(element_set_age_h < 0) and approximate: tens of km after a few days.",
                "Magnitudes are estimates from a diffuse-sphere model (ISS -1.8 at 1000 km, "
                "half phase), not measurements.",
                "Earth's shadow is a cone of a spherical Earth (6378.137 km), without "
                "atmospheric refraction.",
            ],
        }


def json_safe(value):
    """``value`` with every NaN or infinity (nested in dicts, lists, tuples) replaced by None, so
    JSON outputs hold ``null`` for a missing number, never the invalid ``NaN``/``Infinity``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def summary_json(results: Results) -> str:
    return (
        json.dumps(json_safe(results.summary()), indent=1, ensure_ascii=False, allow_nan=False)
        + "\n"
    )
