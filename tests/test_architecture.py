"""The layers of guichet/ hold (setup.cfg, [importlinter]): each package imports only from the
layers below it, and features never import each other, so a new sideways import fails CI."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                               "sys.exit(lint_imports_command())", "--no-cache", "setup.cfg"],
        cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_layers_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_sideways_import_between_features_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "guichet", tmp_path / "guichet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    routes = tmp_path / "guichet" / "banking" / "routes.py"
    routes.write_text(routes.read_text() + "\n\ndef _sideways():\n"
                      "    from guichet.account import services  # noqa: F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "guichet.banking.routes -> guichet.account.services" in result.stdout


def test_every_package_has_its_place_in_the_layers(tmp_path):
    shutil.copytree(ROOT / "guichet", tmp_path / "guichet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    (tmp_path / "guichet" / "reports").mkdir()
    (tmp_path / "guichet" / "reports" / "__init__.py").write_text("")
    result = lint_imports(tmp_path)
    assert result.returncode == 1 and "guichet.reports" in result.stdout, result.stdout
