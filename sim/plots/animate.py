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
from .style import ECLIPSE, NIGHT, STATION_COLOURS, SUNLIT, VISIBLE, literal_text

AUTO_FRAMES = 600


def auto_speed(results, start_jd=None, end_jd=None, frames: int = AUTO_FRAMES) -> float:
    """Seconds of replay per frame that show the span in about ``frames`` frames, a whole
    multiple of the replay's step."""
    jd = results.ephemeris.times.jd
    step_s = round((jd[-1] - jd[0]) * 86400.0 / max(len(jd) - 1, 1), 3)
    lo = jd[0] if start_jd is None else start_jd
    hi = jd[-1] if end_jd is None else end_jd
    return max(1, math.ceil((hi - lo) * 86400.0 / (frames - 1) / step_s)) * step_s


def frame_rows(
    results, seconds_per_frame: float | None, start_jd=None, end_jd=None, max_frames: int = 5000
) -> np.ndarray:
    """Ephemeris rows shown as frames: every ``seconds_per_frame`` of replay time (None: the
    whole span in about 600 frames)."""
    eph = results.ephemeris
    jd = eph.times.jd
    if seconds_per_frame is None:
        seconds_per_frame = auto_speed(results, start_jd, end_jd)
    step_s = round((jd[-1] - jd[0]) * 86400.0 / max(len(jd) - 1, 1), 3)
    if seconds_per_frame < step_s - 1e-6:
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


def _night_alpha(lat_s, lon_s, lon, lat):
    lon2, lat2 = np.meshgrid(np.radians(lon), np.radians(lat))
    d = math.radians(lat_s)
    sin_alt = np.sin(lat2) * math.sin(d) + np.cos(lat2) * math.cos(d) * np.cos(
        lon2 - math.radians(lon_s)
    )
    alt = np.degrees(np.arcsin(np.clip(sin_alt, -1, 1)))
    # 0 in daylight, rising through twilight to 0.45 in full night
    return np.clip(-alt / 18.0, 0.0, 1.0) * 0.45


def render_frames(results, rows, *, dpi: int = 80, trail_s: float = 5400.0, progress=None):
    """Yield RGB frames (H, W, 3 uint8) for the given ephemeris rows."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgb

    from ..ephemeris import subsolar_point
    from .maps import draw_base, label_stations, track_pieces

    eph = results.ephemeris
    sc = results.scenario
    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=dpi, layout="constrained")
    draw_base(ax, "l")
    ax.set_title(f"{sc.mission_name}: replay of {sc.object_name}", fontsize=11)
    lon_g = np.linspace(-180, 180, 181)
    lat_g = np.linspace(-90, 90, 91)
    night_rgba = np.zeros((lat_g.size, lon_g.size, 4))
    night_rgba[..., :3] = to_rgb(NIGHT)
    night = ax.imshow(
        night_rgba,
        extent=(-180, 180, -90, 90),
        origin="lower",
        interpolation="bilinear",
        zorder=2,
        animated=True,
    )
    trail = LineCollection([], linewidths=1.8, zorder=4, animated=True)
    ax.add_collection(trail)
    (iss,) = ax.plot(
        [],
        [],
        marker="o",
        markersize=9,
        color="#ffc800",
        markeredgecolor="black",
        linestyle="none",
        zorder=8,
        animated=True,
    )
    st_lon = [s.lon_deg for s in sc.stations]
    st_lat = [s.lat_deg for s in sc.stations]
    stations = ax.scatter(
        st_lon, st_lat, s=60, marker="s", c="#bbbbbb", edgecolors="black", zorder=7, animated=True
    )
    label_stations(ax, sc.stations)
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
    ax.plot([], [], color=SUNLIT, label="ISS sunlit")
    ax.plot([], [], color=ECLIPSE, label="ISS in Earth's shadow")
    ax.scatter(
        [], [], s=60, marker="s", c=VISIBLE, edgecolors="black", label="station sees the ISS"
    )
    ax.legend(loc="lower right", fontsize=7)
    literal_text(fig)  # station and mission names are drawn as written, never as mathtext
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    launch = next((e["jd"] for e in results.events if e["name"] == "launch"), None)
    jd = eph.times.jd
    step_days = (jd[-1] - jd[0]) / max(len(jd) - 1, 1)
    trail_n = max(2, int(round(trail_s / 86400.0 / step_days)))
    passes = [
        (
            sc.stations.index(next(s for s in sc.stations if s.name == p.station)),
            p.rise_jd,
            p.set_jd,
        )
        for p in results.passes
    ]
    colours = np.array(
        [to_rgb(STATION_COLOURS[i % len(STATION_COLOURS)]) for i in range(len(sc.stations))]
    )
    try:
        for n, row in enumerate(rows):
            t = jd[row]
            lat_s, lon_s = subsolar_point(math.floor(t), t % 1, eph.sun)
            night_rgba[..., 3] = _night_alpha(lat_s, lon_s, lon_g, lat_g)
            night.set_data(night_rgba)
            a = max(0, row - trail_n)
            idx = np.arange(a, row + 1)[eph.ok[a : row + 1]]
            segs, cols = track_pieces(eph.lon_deg[idx], eph.lat_deg[idx], eph.sunlit, idx)
            trail.set_segments(segs)
            trail.set_color(cols)
            iss.set_data([eph.lon_deg[row]], [eph.lat_deg[row]])
            face = np.tile(to_rgb("#bbbbbb"), (len(sc.stations), 1))
            sizes = np.full(len(sc.stations), 60.0)
            for k, rise, set_ in passes:
                if rise <= t <= set_:
                    face[k] = to_rgb(VISIBLE)
                    sizes[k] = 190.0  # larger, so the ISS marker overhead does not hide it
            stations.set_sizes(sizes)
            stations.set_facecolors(face if len(face) else colours)
            text = f"{jd_to_iso(math.floor(t), t % 1, 0).replace('T', ' ')[:19]} UTC"
            if launch is not None:
                met = (t - launch) * 86400.0
                d, rest = divmod(int(round(met)), 86400)
                text += f"\nMET {d}d {rest // 3600:02d}:{rest % 3600 // 60:02d}"
            text += f"\nalt {eph.alt_km[row]:.0f} km"
            clock.set_text(text)
            fig.canvas.restore_region(background)
            for artist in (night, trail, stations, iss, clock):
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
    fps: int = 15,
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
