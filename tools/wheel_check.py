"""Do the pins install on every learner's laptop?  ``python -m tools.wheel_check`` (``make wheel-check``).

For each platform a learner brings (Windows x86-64, macOS on Apple silicon, Linux x86-64) and each
supported Python, pip resolves the whole of requirements.txt, dependencies included, with binary wheels
only, for that foreign platform, without installing or downloading a package (``pip install --dry-run``
reads the wheels' metadata from the index).  Prints a table; exits 1 naming each platform and Python whose
resolution fails, and the package pip could not find a wheel for.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import REPO_ROOT
from helpers.check import SUPPORTED_PYTHONS

# pip's --platform values per system.  pip widens a macOS tag to the older macOS versions itself, not a
# manylinux one to older glibc versions, so Linux lists the manylinux tags that wheels use.
PLATFORMS = {
    "Windows x86-64": ["win_amd64"],
    "macOS 12+ Apple silicon": ["macosx_12_0_arm64"],
    "Linux x86-64": ["manylinux2014_x86_64"] + [f"manylinux_2_{minor}_x86_64" for minor in range(17, 29)],
}
MISSING = re.compile(r"No matching distribution found for (\S+)")


def resolve(platform_tags: list[str], python: str, requirements: Path) -> tuple[bool, str]:
    """(True, "134 packages") when pip finds a wheel for every package; else (False, what is missing)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--disable-pip-version-check", "--only-binary=:all:", "--implementation", "cp",
                   "--python-version", python, "--target", str(Path(folder) / "target"), "--report", str(report),
                   "-r", str(requirements)]
        for tag in platform_tags:
            command += ["--platform", tag]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900)
        if result.returncode == 0 and report.exists():
            return True, f"{len(json.loads(report.read_text())['install'])} packages"
    missing = MISSING.search(result.stderr)
    if missing:
        return False, f"no wheel for {missing[1]}"
    lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR")] or ["pip failed"]
    return False, lines[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.wheel_check", description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=REPO_ROOT / "requirements.txt")
    args = parser.parse_args(argv)
    pythons = [f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS]
    jobs = [(system, python) for system in PLATFORMS for python in pythons]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:  # pip waits on the index, not on the CPU
        outcomes = list(pool.map(lambda job: resolve(PLATFORMS[job[0]], job[1], args.requirements), jobs))
    failed = 0
    for (system, python), (ok, detail) in zip(jobs, outcomes):
        print(f"{'✔' if ok else '✘'} {system:24} Python {python}: {detail}")
        failed += not ok
    if failed:
        print(f"{failed} of {len(jobs)} platform and Python pairs lack a wheel: change the pin, or say in the "
              "README which laptops cannot install the series")
        return 1
    print(f"Every pin of {args.requirements.name} has binary wheels on all {len(jobs)} platform and Python pairs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
