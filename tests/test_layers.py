"""The one-way data flow of DESIGN.md, checked with import-linter: no module imports one above
it (the layers are in pyproject.toml), and there is no import cycle between the layers."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    return subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_layer_contract_is_kept():
    done = _lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_no_module_imports_sim_cli_or_argparse_except_cli():
    for path in (ROOT / "sim").rglob("*.py"):
        if path.name in ("cli.py", "__main__.py"):  # __main__ is `python -m sim`: the CLI itself
            continue
        text = path.read_text(encoding="utf-8")
        assert "import argparse" not in text, path
        assert "from .cli" not in text and "from ..cli" not in text, path
