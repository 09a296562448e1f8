"""Time conversions at the edge of the API.

Instants are carried inside as UTC Julian dates split into a whole part and a fraction (the form
SGP4 takes; feeding TT instead would move the ISS by about 500 km). Skyfield's built-in time scale
supplies UT1 and TT without any download.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import numpy as np

from .errors import TimeSpanError

DAY_S = 86400.0
_JD_UNIX_EPOCH = 2440587.5


@functools.cache
def timescale():
    """Skyfield's timescale from its built-in tables (never downloads)."""
    from skyfield.api import load

    return load.timescale(builtin=True)


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


def jd_to_iso(whole, fraction, digits: int = 3) -> str:
    """ISO 8601 UTC with a ``Z``, e.g. ``2024-03-25T15:02:51.000Z``."""
    dt = jd_to_datetime(whole, fraction)
    if digits == 0:
        dt = dt + timedelta(microseconds=500_000)
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    micro = round(dt.microsecond, digits - 6)
    dt = dt.replace(microsecond=0) + timedelta(microseconds=micro)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[: 20 + digits] + "Z"


def iso_array(whole, fraction, digits: int = 3) -> list[str]:
    """ISO strings for arrays of Julian dates (vectorised through numpy datetime64)."""
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    ms = np.round(((whole - _JD_UNIX_EPOCH) + fraction) * DAY_S * 1000.0).astype("int64")
    stamps = ms.astype("datetime64[ms]")
    text = np.datetime_as_string(stamps, unit="ms")
    if digits == 0:
        text = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text]


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
    """UT1 - UTC in seconds at each instant, from skyfield's built-in table.

    It is evaluated on an hourly grid and interpolated linearly: DUT1 drifts about 2 ms a day, so
    the interpolation error is far below a microsecond.
    """
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    days = (whole - whole.flat[0]) + fraction
    lo, hi = float(days.min()), float(days.max())
    n = max(2, int(np.ceil((hi - lo) * DAY_S / sample_s)) + 1)
    knots = np.linspace(lo, hi, n)
    t = _utc_jd_to_skyfield(np.full(n, whole.flat[0]), knots)
    # skyfield shares one whole part between its scales, so the fractions subtract exactly
    dut1 = (t.ut1_fraction - (t.tai_fraction - t._leap_seconds() / DAY_S)) * DAY_S
    return np.interp(days, knots, dut1)
