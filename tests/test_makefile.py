"""The Makefile's PYTHON and VENV: another Python gets its own venv, and a mismatch is refused in one line."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from helpers import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
VERSION = "%d.%d" % sys.version_info[:2]


def make_dry_run(*arguments: str) -> subprocess.CompletedProcess:
    """``make -n setup ARGUMENTS`` in the repository: what it would run, without running it."""
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "-n", "setup", *arguments], cwd=REPO_ROOT, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)


def test_another_venv_is_made_with_the_given_python_and_points_at_the_repository(tmp_path):
    venv = tmp_path / f".venv-{VERSION}"
    result = make_dry_run(f"PYTHON={sys.executable}", f"VENV={venv}")
    assert result.returncode == 0, result.stderr
    assert f"{sys.executable} -m venv {venv}" in result.stdout
    assert f"{venv}/bin/python -m pip install" in result.stdout
    pth_line = next(line for line in result.stdout.splitlines() if "mnist_tutorial.pth" in line)
    assert f"write_text('{REPO_ROOT}\\n')" in pth_line


def test_a_venv_of_another_python_is_refused_in_one_line(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    other = venv / "bin" / "python"  # stands for a venv made by Python 3.99
    other.write_text("#!/bin/sh\necho 3.99\n")
    other.chmod(0o755)
    result = make_dry_run(f"PYTHON={sys.executable}", f"VENV={venv}")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"{venv} was made with Python 3.99, not {VERSION}: add VENV=.venv-{VERSION} to keep both, or rm -rf {venv}" in result.stderr


def test_a_python_that_does_not_run_is_refused_in_one_line(tmp_path):
    missing = tmp_path / "python3.99"
    result = make_dry_run(f"PYTHON={missing}", f"VENV={tmp_path / 'venv'}")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"PYTHON={missing} does not run" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_extra_venvs_are_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".venv-3.13/bin/python"], cwd=REPO_ROOT, timeout=30)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 0, ".venv-*/ is missing from .gitignore"
