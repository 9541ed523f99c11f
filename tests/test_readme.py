"""The README tells an operator the truth about the test run: which databases and services the
default run covers, and every variable that turns more of it on."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_variable_is_named_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    variables = set()
    for path in (ROOT / "tests").rglob("*.py"):
        if "node_modules" in path.parts:
            continue
        variables |= set(re.findall(r"\bGUICHET_TEST_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert {"GUICHET_TEST_POSTGRES_URL", "GUICHET_TEST_REDIS_URL"} <= variables
    for name in sorted(variables):
        assert f"`{name}=" in readme or f"`{name}`" in readme, name
    assert "By default this covers **SQLite only**" in readme
