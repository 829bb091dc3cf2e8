"""The Makefile's PYTHON and VENV: another Python gets its own venv, and a mismatch is refused in one line."""
from __future__ import annotations

import os
import re
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
    assert f"{venv}/bin/python -m pip install --disable-pip-version-check -q --no-deps -e ." in result.stdout


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


def _path_without_graphviz(tmp_path) -> str:
    """A PATH with the few programs the Makefile's set-up lines call, but no ``dot``, ``apt-get`` or ``sudo``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for program in ("mkdir", "cp", "id", "touch"):
        found = shutil.which(program)
        if found:
            (folder / program).symlink_to(found)
    return str(folder)


def test_setup_without_graphviz_says_how_to_install_it_and_goes_on(tmp_path):
    # The guide calls Graphviz optional and its offline recipe runs `make setup data`: setup must not stop.
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    environment["PATH"] = _path_without_graphviz(tmp_path)
    lab_overrides = ".venv/share/jupyter/lab/settings/overrides.d/mnist-keras-tutorial.json"
    # -o: treat the venv as made, so only the Graphviz step runs (this test installs nothing)
    setup = subprocess.run([shutil.which("make"), "-o", ".venv/.installed", "-o", lab_overrides, "setup"],
                           cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
    assert setup.returncode == 0, setup.stdout
    assert "Note: Graphviz's dot is missing. Install it:" in setup.stdout and "optional" in setup.stdout
    required = subprocess.run([shutil.which("make"), "dot-required"], cwd=REPO_ROOT, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert required.returncode != 0
    assert "Graphviz's dot is missing. Install it:" in required.stdout and "make run and make test need it" in required.stdout


def test_run_and_test_need_graphviz_but_setup_and_lab_do_not():
    rules = {line.split(":", 1)[0]: line.split(":", 1)[1].split()
             for line in (REPO_ROOT / "Makefile").read_text().splitlines()
             if re.match(r"^[a-z-]+:(?!=)", line)}
    assert "dot-required" in rules["run"] and "dot-required" in rules["test"]
    assert "dot-required" not in rules["setup"] and "dot-required" not in rules["lab"]


def test_make_run_executes_again_when_anything_the_notebooks_read_changes():
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    database = subprocess.run(["make", "-pn", "outputs/.run-complete"], cwd=REPO_ROOT, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60).stdout
    rule = re.search(r"^outputs/\.run-complete: (.*)$", database, re.M)
    assert rule, "no rule for outputs/.run-complete"
    prerequisites = set(rule[1].split())
    for path in ["helpers/model.py", "helpers/exercises/nb05.py", "helpers/drawing_pad.js", "helpers/drawing_pad.css",
                 "notebooks/results/experiments.json", "notebooks/results/convnet_experiments.json",
                 "notebooks/drawings/examples.json", "notebooks/05_train.ipynb"]:
        assert path in prerequisites, f"make run would not notice a change to {path}"
