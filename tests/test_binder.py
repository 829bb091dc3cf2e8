"""Binder: the Dockerfile repo2docker generates (no Docker needed) and the postBuild script."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT

REPO2DOCKER = shutil.which("repo2docker", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
pytestmark = pytest.mark.skipif(
    REPO2DOCKER is None, reason="repo2docker is not installed (pip install -r tests/requirements.txt)"
)


def generated_dockerfile(repo: Path) -> str:
    """The Dockerfile that `repo2docker --no-build --debug` prints for ``repo``."""
    result = subprocess.run(
        [REPO2DOCKER, "--no-build", "--debug", "."],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _unescape(text: str) -> str:
    """repo2docker names copied build files with '-xx' hex escapes ('-2e' is '.')."""
    return re.sub(r"-([0-9a-f]{2})", lambda match: chr(int(match[1], 16)), text)


def _pip_requirements(path: Path) -> set[str]:
    """Requirement lines of a pip requirements file, following ``-r`` as pip does (relative to the file)."""
    found = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if match := re.fullmatch(r"(?:-r|--requirement)[ =]?\s*(\S+)", line):
            found |= _pip_requirements(path.parent / match[1])
        elif line:
            found.add(line)
    return found


def binder_problems(dockerfile: str, repo: Path) -> list[str]:
    """What the image would lack: Graphviz, the pinned requirements, Python 3.11, postBuild."""
    problems = []
    apt_installs = re.findall(r"apt-get install --yes --no-install-recommends ([^&\n]*)", dockerfile)
    if not any("graphviz" in packages.split() for packages in apt_installs):
        problems.append("apt does not install graphviz")

    if not re.search(r"environment\.py-3\.11[-.]", _unescape(dockerfile)):
        problems.append("the conda environment is not Python 3.11")

    pinned = _pip_requirements(repo / "requirements.txt")
    pip_runs = [
        (match.start(), match[1])
        for match in re.finditer(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install .*-r "([^"]+)"', dockerfile, re.M)
    ]
    installed = set().union(*(_pip_requirements(repo / path) for _, path in pip_runs))
    if not pip_runs or not pinned <= installed:
        problems.append(f"pip does not install every pin of requirements.txt (missing: {sorted(pinned - installed)})")
    whole_repo = re.search(r"^COPY --chown=\S+ src/ \$\{REPO_DIR\}/$", dockerfile, re.M)
    for start, path in pip_runs:
        refers_outside = re.search(r"^\s*(-r|--requirement)", (repo / path).read_text(), re.M)
        if refers_outside and (whole_repo is None or start < whole_repo.start()):
            problems.append(f"pip reads {path} before the whole repository is copied: its -r file is missing")

    if not re.search(r"^RUN \./(binder/)?postBuild$", dockerfile, re.M):
        problems.append("postBuild is not run")
    return problems


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return generated_dockerfile(REPO_ROOT)


def test_binder_image_has_graphviz_the_pins_python_311_and_postbuild(dockerfile):
    assert binder_problems(dockerfile, REPO_ROOT) == []


def test_binder_requirements_reference_the_top_level_file_instead_of_copying_it():
    lines = [line.strip() for line in (REPO_ROOT / "binder/requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")] == ["-r ../requirements.txt"]


@pytest.mark.parametrize(
    "mutation, problem",
    [
        (lambda binder: (binder / "apt.txt").write_text("# nothing\n"), "graphviz"),
        (lambda binder: (binder / "runtime.txt").unlink(), "Python 3.11"),
        (lambda binder: (binder / "requirements.txt").write_text("numpy==2.4.6\n"), "every pin"),
        (lambda binder: (binder / "postBuild").unlink(), "postBuild"),
    ],
    ids=["no-apt", "no-runtime", "partial-requirements", "no-postBuild"],
)
def test_the_check_notices_a_missing_piece(tmp_path, mutation, problem):
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "binder", repo / "binder")
    shutil.copy(REPO_ROOT / "requirements.txt", repo)
    mutation(repo / "binder")
    problems = binder_problems(generated_dockerfile(repo), repo)
    assert len(problems) == 1 and problem in problems[0], problems


def test_postbuild_makes_helpers_importable_and_survives_no_data(tmp_path):
    """Run postBuild with a throw-away Python first on PATH, MNIST offline, with an empty data folder."""
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)  # with pip: postBuild installs helpers
    python = env_dir / "bin" / "python"
    site_packages = Path(subprocess.check_output(
        [python, "-c", "import site; print(site.getsitepackages()[0])"], text=True).strip())
    # numpy for helpers.data, from the project's venv (a plain path entry: its .pth files are not read)
    numpy_home = Path(__import__("numpy").__file__).parent.parent
    (site_packages / "project_packages.pth").write_text(f"{numpy_home}\n")
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "MNIST_OFFLINE": "1", "MNIST_DATA_DIR": str(tmp_path / "no-data")}
    env.pop("PYTHONPATH", None)

    result = subprocess.run([REPO_ROOT / "binder" / "postBuild"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)

    assert result.returncode == 0, result.stdout
    assert "MNIST not pre-fetched" in result.stdout
    assert "mnist-keras-tutorial" in subprocess.run([python, "-m", "pip", "list", "--editable"], env=env,
                                                    stdout=subprocess.PIPE, text=True).stdout
    where = subprocess.run([python, "-c", "import helpers; print(helpers.REPO_ROOT)"],
                           cwd=REPO_ROOT / "notebooks", env=env, stdout=subprocess.PIPE, text=True)
    assert where.stdout.strip() == str(REPO_ROOT)
    # The memory settings, where JupyterLab and jupyter_server read them for this Python.
    for source, installed in [("lab_overrides.json", "share/jupyter/lab/settings/overrides.d"),
                              ("jupyter_server_config.json", "etc/jupyter/jupyter_server_config.d")]:
        target = env_dir / installed / "mnist-keras-tutorial.json"
        assert target.read_bytes() == (REPO_ROOT / "binder" / source).read_bytes(), result.stdout


def test_memory_settings_name_real_jupyterlab_and_jupyter_server_settings():
    """Every setting in binder/lab_overrides.json is in the installed JupyterLab's schemas, with the right type,
    and binder/jupyter_server_config.json configures the kernel manager of the installed jupyter_server."""
    import json

    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from jupyterlab._version import __version__  # noqa: F401  (JupyterLab is installed)
    from traitlets.config import Config

    schemas = Path(sys.prefix, "share/jupyter/lab/schemas")
    types = {"boolean": bool, "integer": int, "number": (int, float), "string": str}
    for plugin, settings in json.loads((REPO_ROOT / "binder/lab_overrides.json").read_text()).items():
        package, name = plugin.rsplit(":", 1)
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in settings.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
            assert isinstance(value, types[schema["properties"][key]["type"]]), f"{plugin} {key}: wrong type"

    config = json.loads((REPO_ROOT / "binder/jupyter_server_config.json").read_text())
    manager = MappingKernelManager(config=Config(config))
    for key, value in config["MappingKernelManager"].items():
        assert key in manager.trait_names() and getattr(manager, key) == value


def test_the_check_notices_pip_running_before_the_repository_is_there(dockerfile):
    pip_line = re.search(r"^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install .*$", dockerfile, re.M)[0]
    too_early = dockerfile.replace(pip_line + "\n", "").replace("# Copy stuff.", pip_line + "\n# Copy stuff.")
    assert too_early != dockerfile
    assert binder_problems(too_early, REPO_ROOT) == [
        "pip reads binder/requirements.txt before the whole repository is copied: its -r file is missing"
    ]
