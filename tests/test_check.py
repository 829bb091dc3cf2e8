"""helpers.check: the real setup checklist, run as learners run it (``python -m helpers.check``)."""
from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT, TF_CPP_MIN_LOG_LEVEL
from helpers.check import (
    COLAB_CONSTRAINTS, COLAB_VERSIONS_READ, GRAPHVIZ_INSTALL, SUPPORTED_PYTHONS, CheckResult, check_disk, check_memory,
    check_packages, check_python, format_checklist, parse_requirements, supported_pythons_text,
)

CACHE = REPO_ROOT / "data" / "mnist.npz"
ALWAYS_HERE = ["Python", "Packages", "TensorFlow", "Graphviz", "Dataset"]  # on a machine set up with `make setup data`


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    """A folder holding a copy of the MNIST cache, so the checks never touch data/."""
    assert CACHE.exists(), f"{CACHE} is missing: run `make data` first"
    folder = tmp_path_factory.mktemp("mnist-data")
    shutil.copyfile(CACHE, folder / "mnist.npz")
    return folder


def run_check(data_dir: Path, *args: str, **env: str) -> tuple[int, dict[str, tuple[str, str, str]], str]:
    """Run ``python -m helpers.check`` in a fresh process; return its exit status, its lines by check name, and stdout.

    Each check's entry is ``(mark, detail, the line under it)``.
    """
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": TF_CPP_MIN_LOG_LEVEL, "MNIST_DATA_DIR": str(data_dir), **env}
    if "MNIST_OFFLINE" not in env:
        environment.pop("MNIST_OFFLINE", None)  # the machine's setting must not decide these tests
    result = subprocess.run(
        [sys.executable, "-m", "helpers.check", *args], cwd=REPO_ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
    )
    lines = result.stdout.splitlines()
    checks = {}
    for i, line in enumerate(lines):
        if line[:1] in ("✔", "✘", "–", "⚠"):
            mark, name, detail = line.split(None, 2)
            checks[name] = (mark, detail, lines[i + 1] if i + 1 < len(lines) else "")
    assert list(checks) == ALWAYS_HERE + ["Memory", "Disk"], result.stdout + result.stderr
    return result.returncode, checks, result.stdout


def assert_passed(checks: dict, names: list[str]) -> None:
    for name in names:
        mark, detail, below = checks[name]
        assert mark == "✔", f"{name}: {detail}"
        assert "fix:" not in below


def expected_status(checks: dict) -> int:
    """0 only when every line is ✔ (memory and disk depend on the machine, so the test reads them)."""
    return 0 if all(mark != "✘" for mark, _, _ in checks.values()) else 1


def test_a_ready_machine_passes_every_check(data_copy):
    status, checks, stdout = run_check(data_copy)
    assert_passed(checks, ALWAYS_HERE)
    assert checks["Python"][1].startswith(".".join(map(str, sys.version_info[:3])))
    assert f"TensorFlow {importlib.metadata.version('tensorflow')}" in checks["TensorFlow"][1]
    assert "Keras 3." in checks["TensorFlow"][1]
    assert "graphviz version" in checks["Graphviz"][1]
    assert "60,000 training and 10,000 test images" in checks["Dataset"][1]
    assert status == expected_status(checks)
    if status == 0:
        assert "All 7 checks passed" in stdout


def test_missing_graphviz_is_a_cross_with_the_install_line(data_copy, tmp_path):
    no_dot = tmp_path / "bin"  # the only folder on PATH, and empty: Python is started by its full path
    no_dot.mkdir()
    status, checks, _ = run_check(data_copy, PATH=str(no_dot))
    mark, detail, below = checks["Graphviz"]
    assert mark == "✘" and "not on PATH" in detail
    assert below.strip() == f"fix: {GRAPHVIZ_INSTALL}"
    assert_passed(checks, ["Python", "Packages", "TensorFlow", "Dataset"])
    assert status == 1


def test_a_wrong_pin_names_the_package_both_versions_and_the_fix(data_copy, tmp_path):
    installed = importlib.metadata.version("numpy")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# pins for this test\n"
        f"keras=={importlib.metadata.version('keras')}  # right\n"
        "numpy==0.0.1  # wrong on purpose\n"
    )
    status, checks, _ = run_check(data_copy, "--requirements", str(requirements))
    mark, detail, below = checks["Packages"]
    assert mark == "⚠"  # other versions may work: a note, not a failure
    assert f"numpy {installed} is installed" in detail and "pins 0.0.1" in detail
    assert "keras" not in detail
    assert below.strip().startswith("note: these are not the versions the series is tested with")
    assert f"install {requirements} into a fresh virtual environment" in below and "Colab" in below
    assert_passed(checks, ["Python", "TensorFlow", "Graphviz", "Dataset"])
    assert status == expected_status(checks)


def test_missing_dataset_offline_is_a_cross_with_the_fix(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    status, checks, _ = run_check(empty, MNIST_OFFLINE="1")
    mark, detail, below = checks["Dataset"]
    assert mark == "✘" and "not there" in detail and "MNIST_OFFLINE" in detail
    assert below.strip().startswith("fix: copy mnist.npz") and f"{empty}/" in below and "make data" in below
    assert not (empty / "mnist.npz").exists()
    assert_passed(checks, ["Python", "Packages", "TensorFlow", "Graphviz"])
    assert status == 1


def test_a_bare_python_gets_the_whole_checklist_and_the_missing_packages(data_copy, tmp_path):
    # The moment a participant needs the check most: a Python with nothing installed yet.
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    python = bare / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(python), "-m", "helpers.check"], cwd=REPO_ROOT, env={**environment, "MNIST_DATA_DIR": str(data_copy)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    lines = {line.split(None, 2)[1]: line for line in result.stdout.splitlines() if line[:1] in ("✔", "✘", "–", "⚠")}
    assert list(lines) == ALWAYS_HERE + ["Memory", "Disk"], result.stdout
    pins = parse_requirements(REPO_ROOT / "requirements.txt")
    used = parse_requirements(COLAB_CONSTRAINTS)
    assert f"{len(used)} of the {len(used)} packages the notebooks use are not installed" in lines["Packages"]
    assert "numpy " + pins["numpy"] in lines["Packages"] and "tensorflow " + pins["tensorflow"] in lines["Packages"]
    assert lines["Dataset"].startswith("✘") and "needs numpy" in lines["Dataset"]
    assert lines["Python"].startswith("✔")


def test_a_failing_tensorflow_import_is_reported_in_one_line(tmp_path):
    # A tensorflow package earlier on the path whose import fails the way a broken install does:
    # a multi-line ImportError about a missing shared library.
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(
        'raise ImportError("libtensorflow_framework.so.2: cannot open shared object file: No such file or directory"'
        ' "\\n\\nFailed to load the native TensorFlow runtime.")\n'
    )
    code = "from helpers.check import check_tensorflow; r = check_tensorflow(); print(r.ok, r.detail, r.fix, sep='\\n')"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(tmp_path)},
                            stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    ok, detail, fix = result.stdout.splitlines()
    assert ok == "False"
    assert detail == "import failed: ImportError: libtensorflow_framework.so.2: cannot open shared object file: No such file or directory"
    assert fix.startswith("pip install -r requirements.txt")


def test_parse_requirements_keeps_exact_pins_only(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# a comment\n\n-r other.txt\n--index-url somewhere\n"
        "tensorflow==2.21.0\nkeras[tests] == 3.15.1 ; python_version >= '3.11'\n"
        "numpy==2.4.6  # trailing comment\nrequests>=2\n"
    )
    assert parse_requirements(path) == {"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6"}
    top_level = parse_requirements(REPO_ROOT / "requirements.txt")
    assert {"tensorflow", "keras", "numpy", "graphviz"} <= set(top_level)


@pytest.mark.parametrize("version, ok", [
    ((3, 10, 14), False), ((3, 11, 9), True), ((3, 12, 0), True), ((3, 13, 1), True), ((3, 14, 0), False),
])
def test_python_versions(version, ok):
    result = check_python(version)
    assert result.ok is ok
    assert result.detail.startswith(".".join(map(str, version)))
    assert bool(result.fix) is not ok
    if not ok:
        assert "the series needs 3.11, 3.12 or 3.13" in result.detail
        assert result.fix.startswith("install Python 3.11, 3.12 or 3.13 ") and "PYTHON=python3.13" in result.fix


# Prose that names the supported Pythons: each list of versions in it must be SUPPORTED_PYTHONS.
PROSE = ["README.md", "requirements.txt", "notebooks/INSTRUCTOR_GUIDE.md", "notebooks/00_setup_check.ipynb"]
VERSION_LIST = re.compile(r"\b3\.\d+(?:, 3\.\d+)* (?:or|and) 3\.\d+\b")


@pytest.mark.parametrize("name", PROSE)
def test_prose_names_exactly_the_supported_pythons(name):
    text = (REPO_ROOT / name).read_text(encoding="utf-8")
    named = {found.replace(" and ", " or ") for found in VERSION_LIST.findall(text)}
    assert named == {supported_pythons_text()}, f"{name} names Pythons {named}, helpers/check.py supports {supported_pythons_text()}"


def test_readme_says_which_pythons_binder_and_colab_run():
    binder = (REPO_ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    assert tuple(map(int, binder.split("."))) in SUPPORTED_PYTHONS
    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"Binder runs Python {binder} (`binder/runtime.txt`)" in readme
    colab = re.search(r"Colab runs Python (3\.\d+)", readme)
    assert colab and tuple(map(int, colab[1].split("."))) in SUPPORTED_PYTHONS


def test_memory_and_disk_below_the_minimum_fail_with_a_fix():
    impossible = 10**18  # about a billion GiB
    memory, disk = check_memory(impossible), check_disk(impossible)
    assert not disk.ok and "free" in disk.detail and disk.fix
    if memory.skipped:
        pytest.skip("this system does not say how much memory is available")
    assert not memory.ok and "available" in memory.detail and memory.fix


def test_memory_that_cannot_be_measured_is_a_dash_not_a_pass_or_a_failure(monkeypatch):
    import helpers.check as check

    monkeypatch.setattr(check, "available_memory", lambda: None)
    memory = check.check_memory()
    assert memory.skipped and memory.ok and "not measured" in memory.detail
    assert format_checklist([memory]).startswith("– Memory")


def test_format_checklist_puts_exactly_one_fix_line_under_each_cross():
    results = [
        CheckResult("Python", True, "3.11.7"),
        CheckResult("Graphviz", False, "the `dot` program is not on PATH", GRAPHVIZ_INSTALL),
        CheckResult("Memory", True, "not measured", skipped=True),
        CheckResult("Dataset", False, "MNIST unavailable", "run `make data`"),
    ]
    lines = format_checklist(results).splitlines()
    assert [line[:1] for line in lines[:6]] == ["✔", "✘", " ", "–", "✘", " "]
    # the fix lines sit right under their crosses, and nowhere else
    fix_lines = [i for i, line in enumerate(lines) if line.strip().startswith("fix:")]
    assert [lines[i - 1][0] for i in fix_lines] == ["✘", "✘"] and len(fix_lines) == 2
    assert lines[-1].startswith("2 of 4 checks failed")


def write_pins(path: Path, pins: dict[str, str]) -> Path:
    path.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
    return path


def test_colabs_versions_are_a_tested_set(tmp_path):
    """Where the installed versions are Colab's list (here: a list made of what is installed), ✔, not a fix."""
    names = ["numpy", "keras", "matplotlib"]
    colab = write_pins(tmp_path / "colab.txt", {name: importlib.metadata.version(name) for name in names})
    requirements = write_pins(tmp_path / "requirements.txt", {"numpy": "0.0.1", "keras": "0.0.2", "pytest": "0.0.3"})
    result = check_packages(requirements, colab)
    assert result.ok and not result.warning and "Colab's versions of the 3 packages" in result.detail


def test_other_versions_are_a_note_against_the_nearer_set(tmp_path):
    have = {name: importlib.metadata.version(name) for name in ["numpy", "keras", "matplotlib"]}
    colab = write_pins(tmp_path / "colab.txt", {**have, "numpy": "0.0.9"})                 # one away
    requirements = write_pins(tmp_path / "requirements.txt", {"numpy": "0.0.1", "keras": "0.0.2"})  # two away
    result = check_packages(requirements, colab)
    assert result.ok and result.warning
    assert result.detail == f"numpy {have['numpy']} is installed, Colab's list has 0.0.9"
    lines = format_checklist([result]).splitlines()
    assert lines[0].startswith("⚠ Packages") and lines[1].strip().startswith("note: ")
    assert "passed, 1 with a note" in lines[-1]


def test_a_package_the_notebooks_use_that_is_missing_is_a_cross(tmp_path):
    colab = write_pins(tmp_path / "colab.txt", {"numpy": importlib.metadata.version("numpy"),
                                                 "no-such-package-here": "1.0"})
    requirements = write_pins(tmp_path / "requirements.txt", {"no-such-package-here": "1.2"})
    result = check_packages(requirements, colab)
    assert not result.ok and "1 of the 2 packages the notebooks use are not installed: no-such-package-here 1.2" \
        in result.detail and result.fix.startswith("pip install -r")


def test_the_colab_list_pins_every_package_the_notebooks_import_and_is_dated():
    used = parse_requirements(COLAB_CONSTRAINTS)
    pins = parse_requirements(REPO_ROOT / "requirements.txt")
    # every pinned package but the tools that Colab does not need (JupyterLab, the tests, the hub's puller)
    assert set(pins) - set(used) == {"jupyterlab", "nbval", "pytest", "nbgitpuller"}
    assert COLAB_VERSIONS_READ in COLAB_CONSTRAINTS.read_text().split("tensorflow==")[0]
