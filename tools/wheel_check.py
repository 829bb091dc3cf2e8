"""Do the pins install on every learner's laptop?  ``python -m tools.wheel_check`` (``make wheel-check``).

For each platform a learner brings (Windows x86-64, macOS 12+ on Apple silicon, Linux x86-64) and each
supported Python, uv resolves the whole of requirements.txt, dependencies included, with binary wheels only, for
that foreign platform, from the index's metadata (nothing is downloaded or installed; a second or two each).
Prints a table; exits 1 naming each platform and Python whose resolution fails, and the package that has no
wheel for it.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import REPO_ROOT
from helpers.check import SUPPORTED_PYTHONS

# uv's --python-platform per system; MACOSX_DEPLOYMENT_TARGET sets the oldest macOS a wheel may ask for.
PLATFORMS = {
    "Windows x86-64": "x86_64-pc-windows-msvc",
    "macOS 12+ Apple silicon": "aarch64-apple-darwin",
    "Linux x86-64": "x86_64-manylinux_2_28",
}
MACOS = "12.0"
NO_WHEEL = re.compile(r"Because (\S+)==\S+ has no wheels with a matching platform tag|"
                      r"Because (\S+) was not found")


def resolve(platform: str, python: str, requirements: Path) -> tuple[bool, str]:
    """(True, "134 packages") when there is a wheel for every package; else (False, what is missing)."""
    command = [sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--no-header", "--no-annotate",
               "--only-binary", ":all:", "--python-platform", platform, "--python-version", python,
               str(requirements)]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600,
                            env={**os.environ, "MACOSX_DEPLOYMENT_TARGET": MACOS})
    if result.returncode == 0:
        packages = [line for line in result.stdout.splitlines() if line and not line.startswith(("#", " "))]
        return True, f"{len(packages)} packages"
    missing = NO_WHEEL.search(result.stderr)
    if missing:
        return False, f"no wheel for {missing[1] or missing[2]}"
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()] or ["uv failed"]
    return False, lines[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.wheel_check", description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=REPO_ROOT / "requirements.txt")
    args = parser.parse_args(argv)
    pythons = [f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS]
    jobs = [(system, python) for system in PLATFORMS for python in pythons]
    with ThreadPoolExecutor(max_workers=3) as pool:  # uv waits on the index more than on the CPU
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
