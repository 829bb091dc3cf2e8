"""The README's set-up without make, as a learner on macOS or Linux types it, in a fresh copy of the series.

The set-up itself is marked ``laptop`` and left out of `make test` (a fresh environment takes minutes to install): `make test-no-make`
runs it, and .github/workflows/laptops.yml runs the same README lines on Windows and macOS.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def readme_block(heading: str, language: str) -> list[str]:
    """The command lines of the first ``language`` code block after ``heading`` in the README."""
    after = README.split(heading, 1)[1]
    block = re.search(rf"```{language}\n(.*?)```", after, re.S)[1]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_lines_for_each_system_do_the_same_steps() -> None:
    unix = readme_block("**macOS** (Apple silicon) **and Linux**", "bash")
    windows = readme_block("**Windows** (PowerShell)", "powershell")
    assert unix[2:] == windows[2:]  # after making and activating the venv: the same python -m and jupyter lines
    assert unix[-1] == "jupyter lab notebooks"


@pytest.mark.laptop
def test_the_macos_and_linux_lines_set_up_the_series(tmp_path: Path) -> None:
    copy = tmp_path / "series"
    shutil.copytree(REPO_ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv*", "outputs", "__pycache__", "data"))
    (copy / "data").mkdir()
    shutil.copy(REPO_ROOT / "data" / "mnist.npz", copy / "data")  # as from a USB stick: no download in the test
    lines = readme_block("**macOS** (Apple silicon) **and Linux**", "bash")
    assert lines[-1] == "jupyter lab notebooks"
    # Everything but opening JupyterLab; then what a learner would do in it: run a notebook that trains.
    script = "\n".join(["set -euo pipefail", *lines[:-1], "jupyter lab --version",
                        "jupyter nbconvert --to notebook --execute notebooks/05_train.ipynb --output-dir ../executed"])
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{Path(sys.executable).resolve().parent}:{env['PATH']}"  # python3 is a supported Python
    result = subprocess.run(["bash", "-c", script], cwd=copy, env={**env, "MNIST_OFFLINE": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "All 7 checks passed" in result.stdout or "checks passed," in result.stdout, result.stdout[-3000:]
    assert (tmp_path / "executed" / "05_train.ipynb").exists()
    assert (copy / "outputs" / "mnist_dense.keras").exists()  # notebook 05 trained and saved the network


def test_the_laptops_workflow_runs_the_readmes_lines() -> None:
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "laptops.yml").read_text(encoding="utf-8"))
    steps = {name: job["steps"][-1]["run"].splitlines() for name, job in workflow["jobs"].items()}
    notebook = "jupyter nbconvert --to notebook --execute notebooks/05_train.ipynb --output-dir executed"
    windows = readme_block("**Windows** (PowerShell)", "powershell")
    unix = readme_block("**macOS** (Apple silicon) **and Linux**", "bash")
    conda = readme_block("**Anaconda or Miniconda**", "bash")
    assert steps["windows"] == windows[:-1] + [notebook]
    assert steps["macos"] == unix[:-1] + [notebook]
    assert steps["anaconda"] == conda[:-1] + [notebook]


def test_the_conda_environment_installs_the_pins_on_a_supported_python() -> None:
    import yaml

    from helpers.check import SUPPORTED_PYTHONS

    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text(encoding="utf-8"))
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert tuple(int(n) for n in python.split("=")[1].split(".")) in SUPPORTED_PYTHONS
    assert "graphviz" in environment["dependencies"] and environment["channels"] == ["conda-forge"]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert pip == ["-r requirements.txt"]  # the pins themselves: one list of versions
    assert readme_block("**Anaconda or Miniconda**", "bash")[0] == "conda env create -f environment.yml"
