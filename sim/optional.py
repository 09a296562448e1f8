"""Optional extras: a clear message naming the extra when one is missing."""

from .errors import SimError


def require_pandas(feature: str):
    """The ``pandas`` module, or a SimError saying how to install it for ``feature``."""
    try:
        import pandas
    except ImportError:
        raise SimError(
            f"{feature} needs pandas, an optional extra: pip install 'sim-orbital-replay[pandas]'"
        ) from None
    return pandas
