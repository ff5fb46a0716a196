"""The layers: services, db and the non-interactive CLI never import the UI toolkit.

These run real Python processes, because ``sys.modules`` of the test process
already holds whatever other tests imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

UI_TOOLKITS = ("textual", "rich")


def python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def ui_modules(names: list[str]) -> list[str]:
    return [n for n in names if n.split(".")[0] in UI_TOOLKITS]


@pytest.fixture
def env(db_path: Path, starter_template: Path, tmp_path: Path) -> dict[str, str]:
    shutil.copy(starter_template, db_path)
    return {**os.environ, "CSCTERM_DB": str(db_path), "CSCTERM_LANG": "en", "CSCTERM_USER": "lead1",
            "CSCTERM_CONFIG": str(tmp_path / "settings.json"), "PYTHONIOENCODING": "utf-8"}


def test_importing_services_db_and_cli_leaves_out_textual_and_rich(env: dict[str, str]) -> None:
    code = """
import importlib, json, pkgutil, sys
import cscterm.db, cscterm.services
names = ["cscterm.cli"]
for package in (cscterm.db, cscterm.services):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
              if ".migrations" not in m.name]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""
    result = python(code, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"cscterm.services.scripts", "cscterm.services.io", "cscterm.db.search", "cscterm.cli"} <= set(
        report["imported"])
    assert ui_modules(report["modules"]) == []


def test_cli_commands_run_in_process_never_import_textual_or_rich(env: dict[str, str], tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text("我不知道\n", encoding="utf-8")
    code = """
import json, sys
from cscterm.cli import cli
codes = []
for args in (["--help"], ["search", "tk"], ["search", "--json", "/yj1"], ["lint", sys.argv[1]],
             ["user", "list"]):
    try:
        cli.main(args, prog_name="cscterm", standalone_mode=True)
    except SystemExit as exc:
        codes.append(exc.code)
print("\\n" + json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
"""
    result = python(code, str(reply), env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["codes"] == [0, 0, 0, 1, 0]
    assert "cscterm.services.scripts" in report["modules"]
    assert ui_modules(report["modules"]) == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--help"], 0, "Usage: cscterm"),
        (["--version"], 0, "cscterm, version"),
        (["search", "/yj1"], 0, "/yj1\t"),
    ],
)
def test_python_m_cscterm_runs_commands(env: dict[str, str], args: list[str], code: int, says: str) -> None:
    result = subprocess.run([sys.executable, "-m", "cscterm", *args], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == code, result.stderr
    assert says in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_python_m_cscterm_lint_exits_1_on_hits(env: dict[str, str], tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text("calm down\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cscterm", "lint", str(reply)], capture_output=True,
                            text=True, env=env, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{reply}:1:1: calm down — ")
