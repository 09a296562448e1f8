"""KML for Google Earth (standard-library XML): the track as gx:Track pieces split at the
antimeridian inside a gx:MultiTrack, stations and events as placemarks. Each modelled Soyuz leg
is a folder of its own: its track (style of its own, "(model)" in the name, the assumptions in
the description) and its burns as placemarks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from ..tracks import split_antimeridian
from .atomic import atomic_writer
from .model import MODEL_NOTE, burn_text, modelled_legs, unique_rows

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"


def kml_tree(results) -> ET.ElementTree:
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)

    def k(tag):
        return f"{{{KML_NS}}}{tag}"

    def gx(tag):
        return f"{{{GX_NS}}}{tag}"

    eph = results.ephemeris
    root = ET.Element(k("kml"))
    doc = ET.SubElement(root, k("Document"))
    ET.SubElement(doc, k("name")).text = results.scenario.mission_name
    ET.SubElement(doc, k("description")).text = (
        f"{results.scenario.object_name} replayed with SGP4 from historical element sets; "
        "altitudes above the WGS84 ellipsoid"
    )
    style = ET.SubElement(doc, k("Style"), id="track")
    line = ET.SubElement(style, k("LineStyle"))
    ET.SubElement(line, k("color")).text = "ff2b8ef2"
    ET.SubElement(line, k("width")).text = "2"
    mark = ET.SubElement(doc, k("Placemark"))
    ET.SubElement(mark, k("name")).text = results.scenario.object_name
    ET.SubElement(mark, k("styleUrl")).text = "#track"
    multi = ET.SubElement(mark, gx("MultiTrack"))
    ET.SubElement(multi, k("altitudeMode")).text = "absolute"
    ET.SubElement(multi, gx("interpolate")).text = "1"
    times = eph.iso(3)
    for seg in split_antimeridian(eph.lon_deg, eph.lat_deg, edge_points=False):
        track = ET.SubElement(multi, gx("Track"))
        for i in seg.index:
            ET.SubElement(track, k("when")).text = times[i]
        coords = np.column_stack(
            [eph.lon_deg[seg.index], eph.lat_deg[seg.index], eph.alt_km[seg.index] * 1000.0]
        )
        for lon, lat, alt in coords:
            ET.SubElement(track, gx("coord")).text = f"{lon:.7f} {lat:.7f} {alt:.1f}"
    folder = ET.SubElement(doc, k("Folder"))
    ET.SubElement(folder, k("name")).text = "Ground stations"
    for st in results.scenario.stations:
        pm = ET.SubElement(folder, k("Placemark"))
        ET.SubElement(pm, k("name")).text = st.name
        n = sum(p.station == st.name for p in results.passes)
        v = sum(p.station == st.name and p.visible for p in results.passes)
        ET.SubElement(pm, k("description")).text = f"{n} passes, {v} visible to the eye"
        pt = ET.SubElement(pm, k("Point"))
        ET.SubElement(pt, k("coordinates")).text = f"{st.lon_deg:.7f},{st.lat_deg:.7f},0"
    folder = ET.SubElement(doc, k("Folder"))
    ET.SubElement(folder, k("name")).text = "Mission events (ISS position)"
    for ev in results.events:
        if ev["iss_lat_deg"] != ev["iss_lat_deg"]:
            continue  # no ISS position there (SGP4 failed): nothing to place
        pm = ET.SubElement(folder, k("Placemark"))
        ET.SubElement(pm, k("name")).text = ev["name"]
        ET.SubElement(pm, k("description")).text = ev.get("source", "")
        stamp = ET.SubElement(pm, k("TimeStamp"))
        ET.SubElement(stamp, k("when")).text = ev["utc"]
        pt = ET.SubElement(pm, k("Point"))
        ET.SubElement(pt, k("altitudeMode")).text = "absolute"
        ET.SubElement(
            pt, k("coordinates")
        ).text = f"{ev['iss_lon_deg']:.7f},{ev['iss_lat_deg']:.7f},{ev['iss_alt_km'] * 1000:.1f}"
    for ml in modelled_legs(results):
        _model_folder(doc, ml, k, gx)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def _kml_colour(rgb, alpha: int = 255) -> str:
    """KML colours are aabbggrr."""
    r, g, b = rgb
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"


def _model_folder(doc, ml, k, gx):
    """A folder for one modelled leg: its track split at the antimeridian, its burns."""
    eph = ml.ephemeris
    rows = unique_rows(eph)
    rows = rows[eph.ok[rows]]
    if rows.size < 2:
        return
    style_id = f"model-{ml.slug}"
    style = ET.SubElement(doc, k("Style"), id=style_id)
    line = ET.SubElement(style, k("LineStyle"))
    ET.SubElement(line, k("color")).text = _kml_colour(ml.rgb())
    ET.SubElement(line, k("width")).text = "2"
    icon = ET.SubElement(style, k("IconStyle"))
    ET.SubElement(icon, k("color")).text = _kml_colour(ml.rgb())
    folder = ET.SubElement(doc, k("Folder"))
    ET.SubElement(folder, k("name")).text = ml.trajectory.label
    ET.SubElement(folder, k("description")).text = "\n".join(
        [MODEL_NOTE, *(f"- {a}" for a in ml.assumptions)]
    )
    mark = ET.SubElement(folder, k("Placemark"))
    ET.SubElement(mark, k("name")).text = ml.trajectory.label
    ET.SubElement(mark, k("description")).text = (
        f"{ml.trajectory.label}: positions of the flight model, altitudes above the WGS84 "
        "ellipsoid; not from element sets"
    )
    ET.SubElement(mark, k("styleUrl")).text = f"#{style_id}"
    multi = ET.SubElement(mark, gx("MultiTrack"))
    ET.SubElement(multi, k("altitudeMode")).text = "absolute"
    ET.SubElement(multi, gx("interpolate")).text = "1"
    times = eph.iso(3)
    lon, lat, alt_m = eph.lon_deg[rows], eph.lat_deg[rows], eph.alt_km[rows] * 1000.0
    for seg in split_antimeridian(lon, lat, edge_points=False):
        track = ET.SubElement(multi, gx("Track"))
        for i in seg.index:
            ET.SubElement(track, k("when")).text = times[rows[i]]
        for i in seg.index:
            ET.SubElement(track, gx("coord")).text = f"{lon[i]:.7f} {lat[i]:.7f} {alt_m[i]:.1f}"
    for burn, row in ml.burns:
        pm = ET.SubElement(folder, k("Placemark"))
        ET.SubElement(pm, k("name")).text = f"{burn.name} {burn.dv_m_s:.1f} m/s (model)"
        ET.SubElement(pm, k("description")).text = burn_text(burn)
        ET.SubElement(pm, k("styleUrl")).text = f"#{style_id}"
        stamp = ET.SubElement(pm, k("TimeStamp"))
        ET.SubElement(stamp, k("when")).text = times[row]
        pt = ET.SubElement(pm, k("Point"))
        ET.SubElement(pt, k("altitudeMode")).text = "absolute"
        ET.SubElement(
            pt, k("coordinates")
        ).text = f"{eph.lon_deg[row]:.7f},{eph.lat_deg[row]:.7f},{eph.alt_km[row] * 1000:.1f}"


def write_kml(results, path):
    tree = kml_tree(results)
    with atomic_writer(path, "wb") as f:
        tree.write(f, encoding="utf-8", xml_declaration=True)
    return path
