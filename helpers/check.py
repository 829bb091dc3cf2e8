"""Is this machine ready for the series?  A checklist of ✔/✘ lines, with one fix line under each ✘
(and ⚠ for what works but is not what the series is tested with, with a note).

Checks the Python version, the package versions (requirements.txt's pins, or Colab's), TensorFlow and Keras 3, Graphviz's ``dot``,
the MNIST dataset, free memory and free disk.  Run ``python -m helpers.check`` in a terminal
(exit status 0 when everything passes), or notebook ``00_setup_check``.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers import REPO_ROOT, quiet_tensorflow_logs, shown_path
from helpers.diagram import GRAPHVIZ_INSTALL

# The one list of supported Pythons: README.md and requirements.txt say the same (tests/test_check.py checks).
# Each is tested: Binder runs 3.11 (binder/runtime.txt), Colab 3.13; .ci/run tests both.
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
REQUIREMENTS = REPO_ROOT / "requirements.txt"
# Colab's versions of the packages the notebooks use: the other set the series is tested with (`make test-colab`).
COLAB_CONSTRAINTS = REPO_ROOT / "tests" / "colab-constraints.txt"
COLAB_VERSIONS_READ = "2026-08-19"  # the date of the Colab package list that file copies (its header says where)
MIN_FREE_BYTES = 2 * 1024**3  # 2 GiB, for memory and for disk
# name==version, optionally with [extras]; anything after ';' (markers) or '#' is ignored.
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


@dataclass
class CheckResult:
    """One line of the checklist; ``fix`` says what to do when ``ok`` is False."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False  # could not be measured here: neither a pass nor a failure
    warning: str = ""      # ok, but not what the series is tested with: what that means (shown under a ⚠)


def _one_line(error: BaseException) -> str:
    """``Type: first line of the message``, for reporting an exception in one line."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 1024**3:.1f} GiB"


def parse_requirements(path: Path) -> dict[str, str]:
    """The exact pins (``name==version``) of a requirements file; comments, blank lines and options are skipped."""
    pins = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = PIN.match(line)
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def _same_version(installed: str, pinned: str) -> bool:
    """``installed == pinned`` as pip means it (so 2.21 equals 2.21.0)."""
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:
        return installed == pinned
    try:
        return Version(installed) == Version(pinned)
    except InvalidVersion:
        return installed == pinned


def supported_pythons_text() -> str:
    """The supported versions as prose: ``3.11, 3.12 or 3.13``."""
    names = [f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def check_python(version: tuple[int, ...] | None = None) -> CheckResult:
    """Python 3.11, 3.12 or 3.13 (``SUPPORTED_PYTHONS``: the versions the pins are tested on)."""
    version = tuple(version or sys.version_info[:3])
    shown = ".".join(map(str, version))
    supported = supported_pythons_text()
    executable = Path(sys.executable).absolute()  # not resolved: a venv's python is a link to its base Python
    if executable.is_relative_to(REPO_ROOT):
        executable = executable.relative_to(REPO_ROOT)  # .venv/bin/python: the same on every machine
    if version[:2] in SUPPORTED_PYTHONS:
        return CheckResult("Python", True, f"{shown} ({executable})")
    newest = "python{}.{}".format(*SUPPORTED_PYTHONS[-1])
    return CheckResult(
        "Python", False, f"{shown} ({executable}) is not supported: the series needs {supported}",
        f"install Python {supported} and recreate the environment with it (make: rm -rf .venv && make setup PYTHON={newest})",
    )


def _installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_packages(requirements: Path | None = None, colab: Path | None = None) -> CheckResult:
    """The package versions are a set the series is tested with: requirements.txt's pins, or Colab's.

    A package the notebooks need that is missing is a ✘; other versions are a ⚠ (they may well work).
    """
    path, colab_path = Path(requirements or REQUIREMENTS), Path(colab or COLAB_CONSTRAINTS)
    fix = f"pip install -r {shown_path(path)}  (in the repository folder, in this Python environment)"
    try:
        pins = parse_requirements(path)
        colab_pins = parse_requirements(colab_path)
    except OSError as error:
        return CheckResult("Packages", False, f"cannot read {error.filename and shown_path(Path(error.filename))} "
                           f"({_one_line(error)})", "run the check from a complete copy of the repository")
    installed = {name: _installed(name) for name in {*pins, *colab_pins}}

    def differences(wanted: dict[str, str]) -> list[str]:
        return [name for name, version in wanted.items()
                if installed[name] is None or not _same_version(installed[name], version)]

    if not differences(pins):
        return CheckResult("Packages", True, f"all {len(pins)} packages pinned in {shown_path(path)} are installed "
                                             "at the pinned versions")
    if not differences(colab_pins):
        return CheckResult("Packages", True, f"Colab's versions of the {len(colab_pins)} packages the notebooks use "
                                             f"(Colab's list of {COLAB_VERSIONS_READ}), which the series is also "
                                             "tested with")
    # The notebooks need the packages of Colab's list (the pins add JupyterLab and the test tools).
    missing = [f"{name} {pins.get(name, colab_pins[name])}" for name in colab_pins if installed[name] is None]
    if missing:
        return CheckResult("Packages", False, f"{len(missing)} of the {len(colab_pins)} packages the notebooks use "
                                              f"are not installed: {', '.join(missing)}", fix)
    # Other versions: described against the nearer of the two tested sets.
    against_pins = [f"{name} {installed[name]} is installed, {shown_path(path)} pins {pins[name]}"
                    for name in differences(pins)]
    against_colab = [f"{name} {installed[name]} is installed, Colab's list has {colab_pins[name]}"
                     for name in differences(colab_pins)]
    nearer = against_colab if len(against_colab) < len(against_pins) else against_pins
    return CheckResult(
        "Packages", True, "; ".join(nearer),
        warning=f"these are not the versions the series is tested with (the pins of {shown_path(path)}, or "
                f"Colab's of {COLAB_VERSIONS_READ}): the notebooks may well run, but their outputs can differ. For "
                f"the tested set, install {shown_path(path)} into a fresh virtual environment (never into Colab's "
                "own Python).")


def check_tensorflow() -> CheckResult:
    """TensorFlow imports, and its Keras (``tf.keras``) is Keras 3 on the TensorFlow backend."""
    fix = f"pip install -r {shown_path(REQUIREMENTS)}  (in the repository folder, in this Python environment)"
    try:
        import tensorflow as tf
        import keras
    except Exception as error:  # a broken install fails in many ways (ImportError, OSError from a .so, ...)
        return CheckResult("TensorFlow", False, f"import failed: {_one_line(error)}", fix)
    versions = f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    if not keras.__version__.startswith("3."):
        return CheckResult("TensorFlow", False, f"{versions}: the series needs Keras 3", fix)
    backend = keras.backend.backend()
    if backend != "tensorflow":
        return CheckResult(
            "TensorFlow", False, f"{versions}, but Keras runs on the {backend} backend",
            "set KERAS_BACKEND=tensorflow (and \"backend\": \"tensorflow\" in ~/.keras/keras.json), then restart Python",
        )
    try:
        tf_keras_is_keras3 = tf.keras.Sequential is keras.Sequential
    except Exception as error:
        return CheckResult("TensorFlow", False, f"{versions}, but tf.keras fails: {_one_line(error)}", fix)
    if not tf_keras_is_keras3:
        return CheckResult(
            "TensorFlow", False, f"{versions}, but tf.keras is an older Keras ({tf.keras.__name__})",
            "unset TF_USE_LEGACY_KERAS (or pip uninstall tf-keras), then restart Python",
        )
    return CheckResult("TensorFlow", True, f"{versions} (tf.keras is Keras 3, TensorFlow backend)")


def check_graphviz() -> CheckResult:
    """Graphviz's ``dot`` program is on PATH and runs (the Python packages alone cannot draw)."""
    dot = shutil.which("dot")
    if dot is None:
        return CheckResult("Graphviz", False, "the `dot` program is not on PATH", GRAPHVIZ_INSTALL)
    try:
        result = subprocess.run([dot, "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return CheckResult("Graphviz", False, f"`{dot} -V` did not run: {_one_line(error)}", GRAPHVIZ_INSTALL)
    output = result.stdout.strip().splitlines()
    if result.returncode != 0:
        said = output[-1] if output else "no message"
        return CheckResult("Graphviz", False, f"`{dot} -V` failed (exit {result.returncode}): {said}", GRAPHVIZ_INSTALL)
    version = output[0].removeprefix("dot - ") if output else "`dot -V` printed nothing"
    return CheckResult("Graphviz", True, f"{dot}, {version}")


def check_dataset() -> CheckResult:
    """MNIST loads and verifies (fetching it first when the cache is missing)."""
    try:
        from helpers.data import MNISTUnavailable, cache_path, load_mnist, offline
    except ImportError as error:  # a bare Python: the Packages line above says what to install
        return CheckResult("Dataset", False, f"not checked: the data loader needs {error.name or 'a missing package'}",
                           f"pip install -r {shown_path(REQUIREMENTS)}, then run the check again")

    folder = f"{shown_path(cache_path().parent)}/"
    if offline():
        fix = f"copy mnist.npz (from any machine that has it) into {folder}, or unset MNIST_OFFLINE and run `make data`"
    else:
        fix = f"run `make data`, or copy mnist.npz (from any machine that has it) into {folder}"
    try:
        (x_train, _), (x_test, _) = load_mnist()
    except MNISTUnavailable as error:
        return CheckResult("Dataset", False, f"MNIST unavailable: {'; '.join(error.failures)}", fix)
    except Exception as error:
        return CheckResult("Dataset", False, f"loading MNIST failed: {_one_line(error)}", fix)
    return CheckResult(
        "Dataset", True,
        f"MNIST verified, {len(x_train):,} training and {len(x_test):,} test images ({shown_path(cache_path())})",
    )


def available_memory() -> int | None:
    """Bytes of memory available to new programs, or None when this system does not say.

    psutil (IPython requires it on Windows, macOS and Linux) answers on each of them; without it, Linux's
    /proc/meminfo, then POSIX's sysconf.
    """
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # not installed yet (a bare Python), or a system psutil cannot read
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(minimum: int = MIN_FREE_BYTES) -> CheckResult:
    """At least ``minimum`` bytes (2 GiB) of memory available: a notebook's kernel peaks around 1 GB."""
    available = available_memory()
    if available is None:
        return CheckResult("Memory", True, f"not measured on this system; make sure about {_gib(minimum)} is free",
                           skipped=True)
    if available >= minimum:
        return CheckResult("Memory", True, f"{_gib(available)} available (needs {_gib(minimum)})")
    return CheckResult(
        "Memory", False, f"only {_gib(available)} available, needs {_gib(minimum)}",
        "close other programs and the kernels of other notebooks (JupyterLab: Kernel > Shut Down All Kernels)",
    )


def check_disk(minimum: int = MIN_FREE_BYTES) -> CheckResult:
    """At least ``minimum`` bytes (2 GiB) free on the drive that holds the repository."""
    free = shutil.disk_usage(REPO_ROOT).free
    if free >= minimum:
        return CheckResult("Disk", True, f"{_gib(free)} free on the repository's drive (needs {_gib(minimum)})")
    return CheckResult(
        "Disk", False, f"only {_gib(free)} free on the drive of {REPO_ROOT}, needs {_gib(minimum)}",
        "delete files you no longer need (or empty the trash), or move the repository to a drive with more room",
    )


def run_checks(requirements: Path | None = None) -> list[CheckResult]:
    """Run every check, in checklist order (importing TensorFlow takes a few seconds)."""
    return [
        check_python(),
        check_packages(requirements),
        check_tensorflow(),
        check_graphviz(),
        check_dataset(),
        check_memory(),
        check_disk(),
    ]


def format_checklist(results: list[CheckResult]) -> str:
    """One ✔/⚠/✘ line per check, exactly one ``fix:`` line under each ✘ and one ``note:`` line under each ⚠,
    then a one-line summary."""
    width = max(len(result.name) for result in results)
    lines = []
    for result in results:
        mark = "–" if result.skipped else "✘" if not result.ok else "⚠" if result.warning else "✔"
        lines.append(f"{mark} {result.name:<{width}}  {result.detail}")
        if not result.ok:
            lines.append(f"  {'':<{width}}  fix: {result.fix}")
        elif result.warning:
            lines.append(f"  {'':<{width}}  note: {result.warning}")
    failed = sum(not result.ok for result in results)
    warned = sum(result.ok and bool(result.warning) for result in results)
    if failed:
        lines.append(f"\n{failed} of {len(results)} checks failed: do what each fix line says, then run the check again.")
    elif warned:
        lines.append(f"\nAll {len(results)} checks passed, {warned} with a note: this machine can run the series.")
    else:
        lines.append(f"\nAll {len(results)} checks passed: this machine is ready for the series.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the checklist; exit status 0 when every check passes, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m helpers.check", description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS,
                        help="the requirements file whose pins are checked (default: %(default)s)")
    args = parser.parse_args(argv)
    quiet_tensorflow_logs()  # TensorFlow's C++ start-up lines off
    print("Checking this machine (importing TensorFlow takes a few seconds)…", flush=True)
    results = run_checks(args.requirements)
    print(format_checklist(results))
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
