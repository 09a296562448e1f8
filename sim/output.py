"""The output folder of a run: built beside the target and swapped in only when complete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import OutputError
from .results import Results


def write_results(
    results: Results,
    out_dir,
    *,
    fmt: str = "png",
    dpi: int = 110,
    plots: bool = True,
    progress=None,
) -> Path:
    """Write the output folder. Everything goes to a hidden sibling folder first, which replaces
    ``out_dir`` only when complete: an interrupted run leaves the previous results intact."""
    from .export.results import write_data_files
    from .plots.render import write_plots

    out_dir = Path(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create the output folder ({exc.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{parent}: the output folder is not writable")
    tmp = parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{parent}: cannot write in the output folder ({exc.strerror})") from None
    try:
        write_data_files(results, tmp)
        if plots:
            write_plots(results, tmp, fmt, dpi, progress)
        old = parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(
            f"{out_dir}: writing failed ({exc.strerror}); previous results were left as they were"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
