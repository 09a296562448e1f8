"""KML for Google Earth (standard-library XML): the track as gx:Track pieces split at the
antimeridian inside a gx:MultiTrack, stations and events as placemarks. Each modelled Soyuz leg
is a folder of its own: its track (style of its own, "(model)" in the name, the assumptions in
the description) and its burns as placemarks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..tracks import split_antimeridian
from .atomic import atomic_writer
from .model import MODEL_NOTE, burn_text, modelled_legs, unique_rows
from .shared import iso_times

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"


class _Tracks:
    """The gx:Track elements of a document: written out as elements (:func:`kml_tree`), or as
    placeholders whose contents :func:`kml_bytes` writes as text in bulk (the same bytes as
    ElementTree's, about ten times faster for the 100,000 instants of a default run)."""

    def __init__(self, as_text: bool):
        self.as_text = as_text
        self.bodies: list[tuple[list, list]] = []

    def add(self, multi, k, gx, times, lon, lat, alt_m) -> None:
        """A gx:Track of ``times`` (ISO strings) and coordinates (deg, deg, m) under ``multi``."""
        track = ET.SubElement(multi, gx("Track"))
        coords = [
            "%.7f %.7f %.1f" % row
            for row in zip(lon.tolist(), lat.tolist(), alt_m.tolist(), strict=True)
        ]
        if self.as_text:
            track.text = f"@track-{len(self.bodies)}@"
            self.bodies.append((list(times), coords))
            return
        for t in times:
            ET.SubElement(track, k("when")).text = t
        for c in coords:
            ET.SubElement(track, gx("coord")).text = c


def kml_tree(results) -> ET.ElementTree:
    """The KML document as an ElementTree (indented)."""
    return _kml_tree(results, _Tracks(as_text=False))


def kml_bytes(results) -> bytes:
    """The KML file's bytes: those of :func:`kml_tree` written with an XML declaration."""
    import io

    tracks = _Tracks(as_text=True)
    tree = _kml_tree(results, tracks)
    depth = {}

    def walk(elem, level):
        for child in elem:
            if child.tag == f"{{{GX_NS}}}Track" and child.text:
                depth[child.text] = level + 1
            walk(child, level + 1)

    walk(tree.getroot(), 0)
    buf = io.BytesIO()
    tree.write(buf, encoding="utf-8", xml_declaration=True)
    text = buf.getvalue().decode("utf-8")

    def body(match) -> str:
        token = match[1]
        times, coords = tracks.bodies[int(match[2])]
        level = depth[token]  # ET.indent: children one space deeper, the end tag at the level
        inner, outer = "\n" + " " * (level + 1), "\n" + " " * level
        return (
            "<gx:Track>"
            + "".join(f"{inner}<when>{t}</when>" for t in times)
            + "".join(f"{inner}<gx:coord>{c}</gx:coord>" for c in coords)
            + f"{outer}</gx:Track>"
        )

    # each token inside its own tags: user text holding one would have its '<' escaped
    text = re.sub(r"<gx:Track>(@track-(\d+)@)</gx:Track>", body, text)
    return text.encode("utf-8")


def _kml_tree(results, tracks: _Tracks) -> ET.ElementTree:
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
    times = iso_times(eph)
    for seg in split_antimeridian(eph.lon_deg, eph.lat_deg, edge_points=False):
        idx = seg.index
        tracks.add(
            multi,
            k,
            gx,
            [times[i] for i in idx],
            eph.lon_deg[idx],
            eph.lat_deg[idx],
            eph.alt_km[idx] * 1000.0,
        )
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
        _model_folder(doc, ml, k, gx, tracks)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def _kml_colour(rgb, alpha: int = 255) -> str:
    """KML colours are aabbggrr."""
    r, g, b = rgb
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"


def _model_folder(doc, ml, k, gx, tracks: _Tracks):
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
    times = iso_times(eph)
    lon, lat, alt_m = eph.lon_deg[rows], eph.lat_deg[rows], eph.alt_km[rows] * 1000.0
    for seg in split_antimeridian(lon, lat, edge_points=False):
        idx = seg.index
        tracks.add(multi, k, gx, [times[i] for i in rows[idx]], lon[idx], lat[idx], alt_m[idx])
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
    data = kml_bytes(results)
    with atomic_writer(path, "wb") as f:
        f.write(data)
    return path
