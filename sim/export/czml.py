"""CZML for CesiumJS (written with czml3): the ISS as an Earth-fixed sampled position with
Lagrange interpolation and a trailing path, stations as points, passes as availability
intervals, events as labelled moments. Each modelled Soyuz leg is an entity of its own (own
colour and path, "(model)" in its name, its assumptions in the description), its burns labelled
moments; the clock then spans every trajectory (launch to landing)."""

from __future__ import annotations

import html

import numpy as np

from ..times import jd_iso
from .atomic import atomic_writer
from .model import BURN_RGB, burn_text, modelled_legs, unique_rows


def czml_document(results, *, start_jd=None, end_jd=None, trail_s: float = 5400.0):
    """A czml3 Document of the replay (optionally cut to [start_jd, end_jd])."""
    from czml3 import Document, Packet
    from czml3.enums import (
        ClockRanges,
        ClockSteps,
        InterpolationAlgorithms,
        ReferenceFrames,
        VerticalOrigins,
    )
    from czml3.properties import (
        Clock,
        Color,
        Label,
        Path,
        Point,
        PolylineMaterial,
        Position,
        SolidColorMaterial,
    )
    from czml3.types import Cartesian2Value, TimeInterval, TimeIntervalCollection

    eph = results.ephemeris
    jd = eph.times.jd
    sel = eph.ok.copy()
    if start_jd is not None:
        sel &= jd >= start_jd - 1e-9
    if end_jd is not None:
        sel &= jd <= end_jd + 1e-9
    idx = np.nonzero(sel)[0]
    if idx.size < 2:
        from ..errors import SimError

        raise SimError("CZML export: fewer than two good samples in the chosen span")
    w0, f0 = eph.times.whole[idx[0]], eph.times.fraction[idx[0]]
    t_s = ((eph.times.whole[idx] - w0) + (eph.times.fraction[idx] - f0)) * 86400.0
    xyz_m = eph.r_itrs_km[idx] * 1000.0
    samples = np.column_stack([np.round(t_s, 3), np.round(xyz_m, 2)]).ravel().tolist()
    start, end = jd_iso(w0 + f0), jd_iso(jd[idx[-1]])
    window = TimeInterval(start=start, end=end)
    name = results.scenario.mission_name
    models = _model_packets(results, start_jd, end_jd, trail_s)
    clock_lo = min([w0 + f0, *(lo for lo, _hi, _p in models)])
    clock_hi = max([jd[idx[-1]], *(hi for _lo, hi, _p in models)])
    clock_window = TimeInterval(start=jd_iso(clock_lo), end=jd_iso(clock_hi))
    packets = [
        Packet(
            id="document",
            name=name,
            version="1.0",
            clock=Clock(
                interval=clock_window,
                currentTime=jd_iso(clock_lo),
                multiplier=60,
                range=ClockRanges.LOOP_STOP,
                step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER,
            ),
        ),
        Packet(
            id="iss",
            name=results.scenario.object_name,
            availability=window,
            description=f"{name}: {results.scenario.object_name}, SGP4 from historical element "
            "sets, Earth-fixed (ITRS) positions",
            position=Position(
                epoch=start,
                cartesian=samples,
                referenceFrame=ReferenceFrames.FIXED,
                interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                interpolationDegree=5,
            ),
            point=Point(pixelSize=9, color=Color(rgba=[255, 200, 0, 255])),
            label=Label(
                text=results.scenario.object_name,
                font="12pt sans-serif",
                verticalOrigin=VerticalOrigins.BOTTOM,
                pixelOffset=Cartesian2Value(values=[0, -12]),
            ),
            path=Path(
                leadTime=0,
                trailTime=trail_s,
                width=2,
                resolution=60,
                material=PolylineMaterial(
                    solidColor=SolidColorMaterial(color=Color(rgba=[242, 142, 43, 255]))
                ),
            ),
        ),
    ]
    for _lo, _hi, more in models:
        packets += more
    lo, hi = w0 + f0, jd[idx[-1]]
    for k, st in enumerate(results.scenario.stations):
        position = Position(cartographicDegrees=[st.lon_deg, st.lat_deg, st.elevation_m])
        packets.append(
            Packet(
                id=f"station-{k}",
                name=st.name,
                availability=window,
                position=position,
                point=Point(pixelSize=7, color=Color(rgba=[89, 161, 79, 255])),
                label=Label(
                    text=st.name,
                    font="11pt sans-serif",
                    pixelOffset=Cartesian2Value(values=[0, -10]),
                ),
            )
        )
        spans = [
            (max(p.rise_jd, lo), min(p.set_jd, hi))
            for p in results.passes
            if p.station == st.name and p.set_jd > lo and p.rise_jd < hi
        ]
        if spans:
            packets.append(
                Packet(
                    id=f"passes-{k}",
                    name=f"{st.name}: ISS in view",
                    position=position,
                    availability=TimeIntervalCollection(
                        values=[TimeInterval(start=jd_iso(a), end=jd_iso(b)) for a, b in spans]
                    ),
                    point=Point(pixelSize=16, color=Color(rgba=[225, 87, 89, 200])),
                    label=Label(
                        text=f"{st.name} sees the ISS",
                        font="11pt sans-serif",
                        pixelOffset=Cartesian2Value(values=[0, 14]),
                    ),
                )
            )
    for k, ev in enumerate(results.events):
        if not lo <= ev["jd"] <= hi or ev["iss_lat_deg"] != ev["iss_lat_deg"]:
            continue  # outside the span, or no ISS position (SGP4 failed there): not drawn
        packets.append(
            Packet(
                id=f"event-{k}",
                name=ev["name"],
                description=ev.get("source", ""),
                availability=TimeInterval(
                    start=jd_iso(ev["jd"]), end=jd_iso(min(ev["jd"] + 600 / 86400, hi))
                ),
                position=Position(
                    cartographicDegrees=[
                        ev["iss_lon_deg"],
                        ev["iss_lat_deg"],
                        ev["iss_alt_km"] * 1000.0,
                    ]
                ),
                label=Label(
                    text=f"{ev['name']} {ev['utc'][:16].replace('T', ' ')} UTC",
                    font="12pt sans-serif",
                    pixelOffset=Cartesian2Value(values=[0, 24]),
                ),
            )
        )
    return Document(packets=packets)


def _model_packets(results, start_jd, end_jd, trail_s):
    """(first JD, last JD, packets) of every modelled leg with two or more samples in the span:
    the leg as an Earth-fixed sampled position (each instant once: a burn's two samples share
    their position), and its burns as labelled moments."""
    from czml3 import Packet
    from czml3.enums import InterpolationAlgorithms, ReferenceFrames, VerticalOrigins
    from czml3.properties import (
        Color,
        Label,
        Path,
        Point,
        PolylineMaterial,
        Position,
        SolidColorMaterial,
    )
    from czml3.types import Cartesian2Value, TimeInterval

    out = []
    for ml in modelled_legs(results):
        eph = ml.ephemeris
        jd = eph.times.jd
        keep = np.zeros(len(eph), dtype=bool)
        keep[_unique_good_rows(eph)] = True
        if start_jd is not None:
            keep &= jd >= start_jd - 1e-9
        if end_jd is not None:
            keep &= jd <= end_jd + 1e-9
        idx = np.flatnonzero(keep)
        if idx.size < 2:
            continue
        w0, f0 = eph.times.whole[idx[0]], eph.times.fraction[idx[0]]
        t_s = ((eph.times.whole[idx] - w0) + (eph.times.fraction[idx] - f0)) * 86400.0
        xyz_m = eph.r_itrs_km[idx] * 1000.0
        samples = np.column_stack([np.round(t_s, 3), np.round(xyz_m, 2)]).ravel().tolist()
        lo, hi = float(jd[idx[0]]), float(jd[idx[-1]])
        start = jd_iso(lo)
        rgb = list(ml.rgb())
        label = ml.trajectory.label
        description = (
            f"<p><b>{html.escape(label)}</b>: a MODEL, not a replay of element sets. "
            "Earth-fixed (ITRS) positions of the numerical flight model; burns are impulsive "
            "(the interpolation smooths each over a few samples).</p><ul>"
            + "".join(f"<li>{html.escape(a)}</li>" for a in ml.assumptions)
            + "</ul>"
        )
        packets = [
            Packet(
                id=f"model-{ml.slug}",
                name=label,
                availability=TimeInterval(start=start, end=jd_iso(hi)),
                description=description,
                position=Position(
                    epoch=start,
                    cartesian=samples,
                    referenceFrame=ReferenceFrames.FIXED,
                    interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                    interpolationDegree=5,
                ),
                point=Point(pixelSize=8, color=Color(rgba=[*rgb, 255])),
                label=Label(
                    text=label,
                    font="11pt sans-serif",
                    verticalOrigin=VerticalOrigins.BOTTOM,
                    pixelOffset=Cartesian2Value(values=[0, -12]),
                    fillColor=Color(rgba=[*rgb, 255]),
                ),
                path=Path(
                    leadTime=0,
                    trailTime=trail_s,
                    width=2,
                    resolution=60,
                    material=PolylineMaterial(
                        solidColor=SolidColorMaterial(color=Color(rgba=[*rgb, 255]))
                    ),
                ),
            )
        ]
        for k, (burn, row) in enumerate(ml.burns):
            t = float(jd[row])
            if not lo - 1e-9 <= t <= hi + 1e-9:
                continue
            packets.append(
                Packet(
                    id=f"burn-{ml.slug}-{k}",
                    name=f"{burn.name} (model)",
                    description=html.escape(burn_text(burn)),
                    availability=TimeInterval(
                        start=jd_iso(t), end=jd_iso(min(t + 600 / 86400, hi))
                    ),
                    position=Position(
                        cartographicDegrees=[
                            round(float(eph.lon_deg[row]), 7),
                            round(float(eph.lat_deg[row]), 7),
                            round(float(eph.alt_km[row]) * 1000.0, 1),
                        ]
                    ),
                    point=Point(pixelSize=10, color=Color(rgba=[*BURN_RGB, 255])),
                    label=Label(
                        text=f"{burn.name} {burn.dv_m_s:.1f} m/s (model) "
                        f"{burn.utc[:16].replace('T', ' ')} UTC",
                        font="11pt sans-serif",
                        pixelOffset=Cartesian2Value(values=[0, 24]),
                    ),
                )
            )
        out.append((lo, hi, packets))
    return out


def _unique_good_rows(eph) -> np.ndarray:
    """Rows of good samples, each instant once."""
    rows = unique_rows(eph)
    return rows[eph.ok[rows]]


def write_czml(results, path, **kwargs):
    doc = czml_document(results, **kwargs)
    with atomic_writer(path) as f:
        f.write(doc.dumps())
        f.write("\n")
    return path
