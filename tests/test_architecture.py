"""The house as docs/architecture.md draws it: floors that only point down, small modules.

The import-linter contracts live in pyproject.toml; this test runs them, so a crossing fails CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT

# No module over this many lines: one split by responsibility reads better than one long file.
LIMIT = 400


def test_floors_only_point_down_and_chat_and_database_libraries_stay_at_the_edges() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_grows_past_the_limit() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "bot").rglob("*.py")
    }
    too_big = {
        name: lines
        for name, lines in sizes.items()
        if lines > LIMIT
    }
    assert not too_big, f"modules over {LIMIT} lines (split them by responsibility): {too_big}"
