"""Time conversions at the edge of the API.

Instants are carried inside as UTC Julian dates split into a whole part and a fraction (the form
SGP4 takes; feeding TT instead would move the ISS by about 500 km). UT1 and the pole's position
(polar motion) come from the IERS ``finals2000A.all`` table that ships inside the ``skyfield-data``
wheel (final values for 2024); skyfield's time scale is built from the same table, with the
polar-motion table installed, so skyfield's ITRS and sim's agree. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from .errors import TimeSpanError

DAY_S = 86400.0
_JD_UNIX_EPOCH = 2440587.5


ARCSEC_RAD = np.pi / (180.0 * 3600.0)
_MJD_JD = 2400000.5


def skyfield_data_dir() -> str:
    """The data folder of the ``skyfield-data`` wheel (DE421 and the IERS table).

    The wheel warns that its IERS file is past its date for predictions; its 2024 values are
    final, so the warning is silenced here (nothing is downloaded or refreshed either way).
    """
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_skyfield_data_path()


@dataclass(frozen=True)
class IersTable:
    """The daily IERS Earth-orientation table: UTC MJD, pole x/y (arcsec), UT1-UTC (s)."""

    utc_mjd: np.ndarray
    xp_arcsec: np.ndarray
    yp_arcsec: np.ndarray
    dut1_s: np.ndarray


@functools.cache
def iers_table() -> IersTable:
    """``finals2000A.all`` from the skyfield-data wheel, parsed once (about 70 ms)."""
    from skyfield.data import iers

    with open(os.path.join(skyfield_data_dir(), "finals2000A.all"), "rb") as f:
        data = iers.parse_x_y_dut1_from_finals_all(f)
    return IersTable(
        np.array(data["utc_mjd"]),
        np.array(data["x_arcseconds"]),
        np.array(data["y_arcseconds"]),
        np.array(data["dut1"]),
    )


@functools.cache
def timescale():
    """Skyfield's time scale built from the bundled IERS table, polar motion installed.

    UT1 (for GMST) and the pole position then come from the same table that
    :func:`polar_motion_rad` interpolates, so skyfield's ``itrs`` frame is the reference sim's
    Earth-fixed positions are tested against. Never downloads.
    """
    from skyfield.data import iers
    from skyfield.timelib import Timescale

    table = iers_table()
    daily_tt, daily_delta_t, leap_dates, leap_offsets = iers.build_timescale_arrays(
        table.utc_mjd, table.dut1_s
    )
    ts = Timescale((daily_tt, daily_delta_t), leap_dates, leap_offsets)
    iers.install_polar_motion_table(
        ts,
        {
            "utc_mjd": table.utc_mjd,
            "x_arcseconds": table.xp_arcsec,
            "y_arcseconds": table.yp_arcsec,
        },
    )
    return ts


def _table_rows(mjd) -> slice:
    """The rows of the IERS table around the instants (so np.interp sees only a few knots);
    ``None`` when an instant lies outside the table."""
    knots = iers_table().utc_mjd
    first, last = float(np.min(mjd)), float(np.max(mjd))
    if not (knots[0] <= first and last <= knots[-1]):
        return None
    lo = max(0, int(np.searchsorted(knots, first, side="right")) - 2)
    hi = min(knots.size, int(np.searchsorted(knots, last)) + 2)
    return slice(lo, hi)


def polar_motion_rad(whole, fraction) -> tuple[np.ndarray, np.ndarray]:
    """Pole coordinates x_p, y_p (radians) at UTC Julian dates, linear in the daily IERS table.

    The pole wanders about 0.3-0.5 arcsec (10-15 m at the ISS) and moves by about 1 mas a day,
    so daily knots with linear interpolation are good to a few centimetres. Outside the table the
    end values are held, as skyfield does.
    """
    mjd = (np.asarray(whole, dtype=float) - _MJD_JD) + np.asarray(fraction, dtype=float)
    rows = _table_rows(mjd) if mjd.size else None
    if rows is None:
        rows = slice(None)
    # x + iy in one interpolation: one search of the knots for both (half the cost of two)
    pole = np.interp(mjd, iers_table().utc_mjd[rows], _pole_rad()[rows])
    return pole.real.copy(), pole.imag.copy()


@functools.cache
def _pole_rad() -> np.ndarray:
    """The pole coordinates of the IERS table as x_p + i y_p, radians."""
    table = iers_table()
    pole = np.empty(table.utc_mjd.shape, dtype=complex)
    pole.real = table.xp_arcsec * ARCSEC_RAD
    pole.imag = table.yp_arcsec * ARCSEC_RAD
    return pole


#: The span of DE421 (JPL's Sun, Moon and planets, JD 2414864.5..2471184.5 TDB) as UTC
#: instants, a minute or two inside its ends so that TT - UTC never falls off them. Outside it
#: sim has no Sun (sunlight, visibility, maps) and must refuse rather than extrapolate.
DE421_FIRST_UTC = datetime(1899, 7, 29, 0, 1, tzinfo=UTC)
DE421_LAST_UTC = datetime(2053, 10, 8, 23, 58, tzinfo=UTC)


def parse_utc(value, where: str = "time") -> datetime:
    """Turn an ISO 8601 string, a ``datetime`` or a ``numpy.datetime64`` into an aware UTC
    ``datetime``; anything else is refused with a :class:`TimeSpanError` naming ``where``.

    A string or a naive datetime without a zone is taken as UTC; ``Z`` and ``+00:00`` are
    accepted. A ``datetime64`` is UTC by numpy's convention (it has no zone); below a
    microsecond it is cut to the microsecond. ``where`` names the argument or the place the
    value came from, for the error message.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, np.datetime64):
        if np.isnat(value):
            raise TimeSpanError(f"{where}: numpy.datetime64('NaT') is not a time")
        dt = value.astype("datetime64[us]").astype(datetime)
        if not isinstance(dt, datetime):  # numpy gives an int outside datetime's years
            raise TimeSpanError(f"{where}: {value!r} is outside the years 1..9999")
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise TimeSpanError(
                f"{where}: {value!r} is not an ISO 8601 time (expected e.g. 2024-03-25T15:02:51Z)"
            ) from None
    else:
        raise TimeSpanError(
            f"{where}: expected a datetime, an ISO 8601 string or a numpy.datetime64, found "
            f"{type(value).__name__} {value!r:.60}"
        )
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def datetime_to_jd(dt: datetime) -> tuple[float, float]:
    """UTC datetime -> (whole, fraction) UTC Julian date, exact to the microsecond."""
    dt = dt.astimezone(UTC)
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    days = (midnight - datetime(1970, 1, 1, tzinfo=UTC)).days
    whole = _JD_UNIX_EPOCH + days
    fraction = (dt - midnight) / timedelta(days=1)
    return whole, fraction


def jd_to_datetime(whole, fraction) -> datetime:
    """(whole, fraction) UTC Julian date -> UTC datetime rounded to the microsecond."""
    days = float(whole) - _JD_UNIX_EPOCH + float(fraction)
    micro = round(days * DAY_S * 1e6)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micro)


_EPOCH_1970 = datetime(1970, 1, 1, tzinfo=UTC)
_SCALARS = (float, int, np.floating, np.integer)


def _scalars(whole, fraction) -> bool:
    return isinstance(whole, _SCALARS) and isinstance(fraction, _SCALARS)


def _rounded_us(whole, fraction, digits: int):
    """Microseconds since 1970, rounded to nearest at ``digits`` decimals of a second: the one
    rounding rule of every time sim writes or prints (to nearest, halves up).

    Arrays give an int64 array; two scalars give an ``int`` through the same float operations
    (Python floats and numpy float64 round alike), which is much quicker for one instant.
    """
    if not 0 <= digits <= 6:
        raise ValueError(f"digits: {digits} is outside 0..6")
    unit = 10 ** (6 - digits)
    if _scalars(whole, fraction):
        us = round(((float(whole) - _JD_UNIX_EPOCH) + float(fraction)) * DAY_S * 1e6)
        return (us + unit // 2) // unit * unit
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    us = np.round(((whole - _JD_UNIX_EPOCH) + fraction) * DAY_S * 1e6).astype("int64")
    return (us + unit // 2) // unit * unit


def _iso_width(digits: int) -> int:
    return 19 if digits == 0 else 20 + digits


def iso_array(whole, fraction, digits: int = 3) -> list[str]:
    """The data format: ISO 8601 UTC with ``Z`` (``2024-03-25T18:05:59.123Z``) for arrays of
    Julian dates, rounded to nearest at ``digits`` decimals of a second (vectorised)."""
    stamps = _rounded_us(np.atleast_1d(whole), np.atleast_1d(fraction), digits)
    text = np.datetime_as_string(stamps.astype("datetime64[us]"), unit="us")
    width = _iso_width(digits)
    return [t[:width] + "Z" for t in text]


def _scalar_datetime(whole, fraction, digits: int) -> datetime:
    return _EPOCH_1970 + timedelta(microseconds=_rounded_us(float(whole), float(fraction), digits))


def jd_to_iso(whole, fraction, digits: int = 3) -> str:
    """The data format for one instant: ISO 8601 UTC with a ``Z``, e.g.
    ``2024-03-25T15:02:51.000Z`` (same rounding as :func:`iso_array`)."""
    dt = _scalar_datetime(whole, fraction, digits)
    text = (  # not strftime: it leaves years before 1000 unpadded, which breaks the width
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
        f"{dt.second:02d}.{dt.microsecond:06d}"
    )
    return text[: _iso_width(digits)] + "Z"


def jd_iso(jd: float, digits: int = 3) -> str:
    """:func:`jd_to_iso` of one Julian date given as a single float (the whole part split off
    here, once, for every caller)."""
    whole = math.floor(jd)
    return jd_to_iso(whole, jd - whole, digits)


def jd_to_datetimes(whole, fraction, digits: int = 0, tz=None) -> list[datetime]:
    """Aware datetimes (UTC, or in ``tz``, a ``tzinfo``) rounded like :func:`iso_array`."""
    if _scalars(whole, fraction):
        out = [_scalar_datetime(whole, fraction, digits)]
    else:
        stamps = _rounded_us(np.atleast_1d(whole), np.atleast_1d(fraction), digits)
        out = [_EPOCH_1970 + timedelta(microseconds=int(u)) for u in stamps]
    return out if tz is None else [d.astimezone(tz) for d in out]


def zone_label(dt: datetime) -> str:
    """How a person reads the zone of an aware datetime: ``UTC``, ``+03`` (a zone without a
    letter abbreviation shows its offset) or ``CEST +02`` (abbreviation and offset)."""
    name = dt.tzname() or ""
    offset = dt.utcoffset() or timedelta(0)
    if name in ("UTC", "Z") or (offset == timedelta(0) and name in ("", "+00", "GMT")):
        return "UTC"
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    numeric = f"{sign}{hh:02d}" + (f":{mm:02d}" if mm else "")
    if not name or name[0] in "+-" or name == numeric:
        return numeric
    return f"{name} {numeric}"


def human_time(whole, fraction=0.0, tz=None, *, date: bool = True) -> str:
    """The human format: ``2024-03-25 18:05:59 UTC`` or, in a zone ``tz`` (a ``tzinfo``),
    ``2024-03-25 21:05:59 +03``; rounded to the nearest second like every other time."""
    dt = jd_to_datetimes(whole, fraction, 0, tz)[0]
    text = dt.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    return f"{text} {zone_label(dt)}"


def local_iso(whole, fraction, tz, digits: int = 3) -> list[str]:
    """The data format in a zone: ISO 8601 with the offset, ``2024-03-25T21:05:59.000+03:00``
    (rounded like :func:`iso_array`)."""
    out = []
    for dt in jd_to_datetimes(whole, fraction, digits, tz):
        text = dt.isoformat(timespec="seconds" if digits == 0 else "microseconds")
        if digits not in (0, 6):
            head, offset = text[:26], text[26:]
            text = head[: 20 + digits] + offset
        out.append(text)
    return out


def datetime64_array(whole, fraction) -> np.ndarray:
    """UTC Julian dates -> numpy ``datetime64[us]`` (UTC, numpy has no zones), vectorised."""
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    micro = np.round(((whole - _JD_UNIX_EPOCH) + fraction) * DAY_S * 1e6)
    return micro.astype("int64").astype("datetime64[us]")


class TimeGrid:
    """A grid of UTC instants as Julian dates (whole, fraction), float64 arrays.

    Build it with :meth:`span`, :meth:`from_datetimes` or :meth:`from_skyfield`.
    """

    def __init__(self, whole, fraction):
        whole = np.atleast_1d(np.asarray(whole, dtype=float))
        fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
        whole, fraction = np.broadcast_arrays(whole, fraction)
        # normalise so that 0 <= fraction < 1 where the grid is built from a base day
        shift = np.floor(fraction)
        self.whole = whole + shift
        self.fraction = fraction - shift

    def __len__(self) -> int:
        return self.whole.size

    def __repr__(self) -> str:
        if not len(self):
            return "<TimeGrid: no instants>"
        first = jd_to_iso(self.whole[0], self.fraction[0], 3)
        if len(self) == 1:
            return f"<TimeGrid: 1 instant {first}>"
        last = jd_to_iso(self.whole[-1], self.fraction[-1], 3)
        return f"<TimeGrid: {len(self):,} instants {first} to {last}>"

    @classmethod
    def span(cls, start, end, step_s: float, max_samples: int = 20_000_000) -> TimeGrid:
        """Instants from ``start`` to ``end`` inclusive every ``step_s`` seconds.

        The end is included when it falls on the grid; otherwise the last instant before it is
        followed by the end itself, so the span is always fully covered.
        """
        start_dt = parse_utc(start, "start")
        end_dt = parse_utc(end, "end")
        if not np.isfinite(step_s) or step_s <= 0:
            raise TimeSpanError(f"step: {step_s} s is not a positive number of seconds")
        if end_dt <= start_dt:
            raise TimeSpanError(
                f"end {end_dt.isoformat()} is not after start {start_dt.isoformat()}"
            )
        span_s = (end_dt - start_dt).total_seconds()
        count = int(np.floor(span_s / step_s + 1e-9)) + 1
        if count > max_samples:
            raise TimeSpanError(
                f"a step of {step_s} s over {span_s / DAY_S:.2f} days gives {count:,} samples, "
                f"more than the limit of {max_samples:,}"
            )
        whole, frac0 = datetime_to_jd(start_dt)
        offsets_s = np.arange(count, dtype=float) * step_s
        if offsets_s[-1] < span_s - 1e-6:
            offsets_s = np.append(offsets_s, span_s)
        return cls(np.full(offsets_s.size, whole), frac0 + offsets_s / DAY_S)

    @classmethod
    def from_datetimes(cls, values, where: str = "times") -> TimeGrid:
        """From datetimes, ISO strings or numpy.datetime64 (a single one or any iterable)."""
        if isinstance(values, (str, datetime, np.datetime64)) or not hasattr(values, "__iter__"):
            pairs = [datetime_to_jd(parse_utc(values, where))]
        else:
            pairs = [datetime_to_jd(parse_utc(v, f"{where}[{i}]")) for i, v in enumerate(values)]
        whole, fraction = zip(*pairs, strict=True) if pairs else ((), ())
        return cls(np.array(whole), np.array(fraction))

    @classmethod
    def from_skyfield(cls, t) -> TimeGrid:
        """From a skyfield ``Time`` (its UTC reading, as SGP4 wants)."""
        whole = np.atleast_1d(t.whole)
        fraction = np.atleast_1d(t.tai_fraction - t._leap_seconds() / DAY_S)
        return cls(whole, fraction)

    @property
    def jd(self) -> np.ndarray:
        return self.whole + self.fraction

    def seconds_since(self, whole: float, fraction: float) -> np.ndarray:
        return ((self.whole - whole) + (self.fraction - fraction)) * DAY_S

    def iso(self, digits: int = 3) -> list[str]:
        return iso_array(self.whole, self.fraction, digits)

    def to_skyfield(self):
        """The same instants as a skyfield ``Time``."""
        return _utc_jd_to_skyfield(self.whole, self.fraction)

    def take(self, index) -> TimeGrid:
        return TimeGrid(self.whole[index], self.fraction[index])


def _utc_jd_to_skyfield(whole, fraction):
    """Skyfield Time for UTC Julian dates given as (whole, fraction) arrays."""
    ts = timescale()
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    # seconds of the UTC day; skyfield applies the leap-second table
    days = (whole - 2440587.5) + fraction
    dt64 = (np.round(days * DAY_S * 1e6)).astype("int64").astype("datetime64[us]")
    years = dt64.astype("datetime64[Y]").astype(int) + 1970
    months = dt64.astype("datetime64[M]").astype(int) % 12 + 1
    day_start = dt64.astype("datetime64[D]")
    day_of_month = (day_start - dt64.astype("datetime64[M]")).astype(int) + 1
    second_of_day = (dt64 - day_start).astype("int64") / 1e6
    return ts.utc(years, months, day_of_month, 0, 0, second_of_day)


def ut1_minus_utc_s(whole, fraction, sample_s: float = 3600.0) -> np.ndarray:
    """UT1 - UTC in seconds at each instant, linear in the daily IERS table.

    DUT1 drifts about 2 ms a day, smoothly, so linear interpolation between daily values is good
    to a few microseconds (a millimetre at the ISS). A leap second makes the table jump by 1 s
    at 0h UTC: the jump is taken out before interpolating and put back from that instant on.
    Outside the table, skyfield's time scale (its long-term model) is sampled every
    ``sample_s`` seconds instead.
    """
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    mjd = (whole - _MJD_JD) + fraction
    rows = _table_rows(mjd) if mjd.size else None
    if rows is None:
        return _ut1_minus_utc_from_skyfield(whole, fraction, sample_s)
    table = iers_table()
    knots = table.utc_mjd[rows]
    dut1 = table.dut1_s[rows]
    leaps = np.concatenate([[0.0], np.cumsum(np.round(np.diff(dut1)))])
    if not leaps.any():
        return np.interp(mjd, knots, dut1)
    out = np.interp(mjd, knots, dut1 - leaps)
    out += leaps[np.maximum(np.searchsorted(knots, mjd, side="right") - 1, 0)]
    return out


def _ut1_minus_utc_from_skyfield(whole, fraction, sample_s: float) -> np.ndarray:
    days = (whole - whole.flat[0]) + fraction
    lo, hi = float(days.min()), float(days.max())
    n = max(2, int(np.ceil((hi - lo) * DAY_S / sample_s)) + 1)
    knots = np.linspace(lo, hi, n)
    t = _utc_jd_to_skyfield(np.full(n, whole.flat[0]), knots)
    # skyfield shares one whole part between its scales, so the fractions subtract exactly
    dut1 = (t.ut1_fraction - (t.tai_fraction - t._leap_seconds() / DAY_S)) * DAY_S
    return np.interp(days, knots, dut1)
