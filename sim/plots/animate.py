"""Animated replay (GIF through Pillow, MP4 through imageio-ffmpeg).

Frames are taken from the replay's own samples (nothing is propagated again): the map with
coastlines is drawn once and blitted, and each frame redraws only the night shading (from the
sub-solar point), the ISS with its trailing track, the stations in view and the UTC/MET clock.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import SimError
from ..times import jd_to_iso
from .style import (
    ECLIPSE,
    MARKERS,
    SMALL_SIZE,
    SUNLIT,
    VISIBLE,
    literal_text,
    plain,
    quiet_glyphs,
    station_colour,
    text_renderer,
)

#: default seconds of replay per frame: the object moves about 900 km (8 deg) between frames
DEFAULT_SECONDS_PER_FRAME = 120.0
#: longest animation: the whole 11.5-day docked stay at the default speed is about 8,300 frames
MAX_FRAMES = 10_000


def auto_speed(results, start_jd=None, end_jd=None) -> float:
    """Seconds of replay per frame by default: :data:`DEFAULT_SECONDS_PER_FRAME`, or the
    replay's step when that is coarser."""
    jd = results.ephemeris.times.jd
    step_s = round((jd[-1] - jd[0]) * 86400.0 / max(len(jd) - 1, 1), 3)
    return max(DEFAULT_SECONDS_PER_FRAME, step_s)


def frame_rows(
    results,
    seconds_per_frame: float | None,
    start_jd=None,
    end_jd=None,
    max_frames: int = MAX_FRAMES,
) -> np.ndarray:
    """Ephemeris rows shown as frames: one every ``seconds_per_frame`` of replay time (None:
    :data:`DEFAULT_SECONDS_PER_FRAME`), first and last instant included."""
    eph = results.ephemeris
    jd = eph.times.jd
    if seconds_per_frame is None:
        seconds_per_frame = auto_speed(results, start_jd, end_jd)
    step_s = round((jd[-1] - jd[0]) * 86400.0 / max(len(jd) - 1, 1), 3)
    if not math.isfinite(seconds_per_frame) or seconds_per_frame < step_s - 1e-6:
        raise SimError(
            f"--speed {seconds_per_frame:g} s per frame is finer than the replay's "
            f"step of {step_s:g} s; choose at least {step_s:g}"
        )
    lo = jd[0] if start_jd is None else start_jd
    hi = jd[-1] if end_jd is None else end_jd
    if hi <= lo:
        raise SimError("animation: end is not after start")
    if lo < jd[0] - 1e-9 or hi > jd[-1] + 1e-9:
        raise SimError(
            f"animation: start and end must lie inside the replay window {results.window_label}"
        )
    targets = np.arange(lo, hi + 1e-9, seconds_per_frame / 86400.0)
    if targets.size > max_frames:
        raise SimError(
            f"animation: {targets.size} frames, more than the limit of {max_frames}; "
            "raise --speed or shorten the span"
        )
    rows = np.clip(np.searchsorted(jd, targets - 1e-9), 0, len(jd) - 1)
    return rows


def render_frames(results, rows, *, dpi: int = 80, trail_s: float = 5400.0, progress=None):
    """Yield RGB frames (H, W, 3 uint8) for the given ephemeris rows: the map of the maps
    (same base, same night shading and terminator, same markers), the object with its trailing
    track, stations lit while they see it, and a UTC/MET clock."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgb

    from ..ephemeris import subsolar_point
    from .labels import Label, marker_boxes, place_labels
    from .maps import draw_base, draw_night, track_pieces

    eph = results.ephemeris
    sc = results.scenario
    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=dpi, layout="constrained")
    draw_base(ax, "l")
    ax.set_title(plain(f"{sc.mission_name}: replay of {sc.object_name}"), fontsize=11)
    trail = LineCollection([], linewidths=1.8, zorder=4, animated=True)
    ax.add_collection(trail)
    (obj,) = ax.plot([], [], linestyle="none", zorder=8, animated=True, **MARKERS["object"])
    st_lon = [s.lon_deg for s in sc.stations]
    st_lat = [s.lat_deg for s in sc.stations]
    colours = [to_rgb(station_colour(i)) for i in range(len(sc.stations))]
    stations = ax.scatter(
        st_lon,
        st_lat,
        s=60,
        marker="s",
        c=colours or None,
        edgecolors="black",
        zorder=7,
        animated=True,
    )
    clock = ax.text(
        0.01,
        0.02,
        "",
        transform=ax.transAxes,
        fontsize=10,
        family="monospace",
        zorder=9,
        animated=True,
        bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"),
    )
    ax.plot([], [], color=SUNLIT, label="track, sunlit")
    ax.plot([], [], color=ECLIPSE, label="track, in Earth's shadow")
    ax.plot([], [], linestyle="none", label=plain(sc.object_name), **MARKERS["object"])
    ax.plot([], [], linestyle="none", label="Sun at zenith; night shading", **MARKERS["sun"])
    ax.scatter([], [], s=60, marker="s", c=VISIBLE, edgecolors="black", label="station sees it")
    legend = ax.legend(loc="lower right", fontsize=SMALL_SIZE)
    renderer = text_renderer(fig)  # laid out, names literal; nothing rasterised yet
    with quiet_glyphs():
        renderer_obstacles = [legend.get_window_extent(renderer)]
    renderer_obstacles += marker_boxes(ax, st_lon, st_lat, half_px=8.0)
    names, _ = place_labels(
        ax,
        [Label(s.name, s.lon_deg, s.lat_deg) for s in sc.stations],
        renderer_obstacles,
        renderer=renderer,
    )
    for text in names:  # drawn after the lit stations, so a label never hides under its square
        text.set_animated(True)
    literal_text(fig)  # station and mission names are drawn as written, never as mathtext
    with quiet_glyphs():  # the one full draw: the background every frame is blitted onto
        fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    launch = next((e["jd"] for e in results.events if e["name"] == "launch"), None)
    jd = eph.times.jd
    step_days = (jd[-1] - jd[0]) / max(len(jd) - 1, 1)
    trail_n = max(2, int(round(trail_s / 86400.0 / step_days)))
    index = {s.name: k for k, s in enumerate(sc.stations)}
    passes = [(index[p.station], p.rise_jd, p.set_jd) for p in results.passes]
    night = []
    try:
        for n, row in enumerate(rows):
            t = jd[row]
            for artist in night:
                artist.remove()
            lat_s, lon_s = subsolar_point(math.floor(t), t % 1, eph.sun)
            night = draw_night(ax, lat_s, lon_s, grid_deg=2.0, animated=True)
            a = max(0, row - trail_n)
            idx = np.arange(a, row + 1)[eph.ok[a : row + 1]]
            segs, cols = track_pieces(eph.lon_deg[idx], eph.lat_deg[idx], eph.sunlit, idx)
            trail.set_segments(segs)
            trail.set_color(cols)
            obj.set_data([eph.lon_deg[row]], [eph.lat_deg[row]])
            face = np.array(colours).reshape(-1, 3).copy()
            sizes = np.full(len(sc.stations), 60.0)
            for k, rise, set_ in passes:
                if rise <= t <= set_:
                    face[k] = to_rgb(VISIBLE)
                    sizes[k] = 190.0  # larger, so the marker overhead does not hide it
            stations.set_sizes(sizes)
            if len(face):
                stations.set_facecolors(face)
            text = f"{jd_to_iso(math.floor(t), t % 1, 0).replace('T', ' ')[:19]} UTC"
            if launch is not None:
                met = (t - launch) * 86400.0
                d, rest = divmod(int(round(met)), 86400)
                text += f"\nMET {d}d {rest // 3600:02d}:{rest % 3600 // 60:02d}"
            text += f"\nalt {eph.alt_km[row]:.0f} km"
            clock.set_text(text)
            fig.canvas.restore_region(background)
            for artist in (*night, trail, stations, *names, obj, clock):
                ax.draw_artist(artist)
            fig.canvas.blit(fig.bbox)
            frame = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
            if progress is not None:
                progress(n)
            yield frame
    finally:
        plt.close(fig)


def write_animation(
    results,
    path,
    *,
    seconds_per_frame: float | None = None,
    start_jd=None,
    end_jd=None,
    fps: int = 24,
    dpi: int = 80,
    progress=None,
) -> int:
    """Write a GIF or MP4 (by extension); returns the number of frames."""
    from ..export.atomic import atomic_path, atomic_writer

    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".gif", ".mp4"):
        raise SimError(f"{path}: unknown animation format; expected .gif or .mp4")
    rows = frame_rows(results, seconds_per_frame, start_jd, end_jd)
    frames = render_frames(results, rows, dpi=dpi, progress=progress)
    if kind == ".gif":
        from PIL import Image

        images = [
            Image.fromarray(f).quantize(colors=256, method=Image.Quantize.FASTOCTREE)
            for f in frames
        ]
        with atomic_writer(path, "wb") as handle:
            images[0].save(
                handle,
                format="GIF",
                save_all=True,
                append_images=images[1:],
                duration=int(1000 / fps),
                loop=0,
            )
    else:
        import imageio.v2 as imageio

        with atomic_path(path) as tmp:
            writer = imageio.get_writer(
                tmp,
                format="FFMPEG",
                mode="I",
                fps=fps,
                macro_block_size=1,
                codec="libx264",
                ffmpeg_log_level="error",
            )
            try:
                for f in frames:
                    writer.append_data(f[: f.shape[0] // 2 * 2, : f.shape[1] // 2 * 2])
            finally:
                writer.close()
    return len(rows)
