"""The class hub's pieces that need no running hub: nbgitpuller links and the Kubernetes config.

The hub itself (login, servers, nbgitpuller, notebooks, refusals, culling) is tested for real by
`make hub-load` (workshop/load_test.py); `.ci/run` runs it with 3 learners.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from helpers import REPO_ROOT
from helpers import notebook_paths
from tools.links import nbgitpuller_url

HUB_SETTINGS = json.loads((REPO_ROOT / "workshop" / "settings.json").read_text())
K8S_CONFIG = yaml.safe_load((REPO_ROOT / "workshop" / "kubernetes" / "config.yaml").read_text())
UPSTREAM = "https://github.com/mnist-keras-tutorial/mnist-keras-tutorial"

# The link nbgitpuller's own link generator (docs/_static/link_gen/link.js, generateRegularUrl)
# builds: the WHATWG URL API sets repo, urlpath, branch, then appends hub/user-redirect/git-pull.
LINK_GENERATOR_JS = """
const [hub, repo, urlpath, branch] = process.argv.slice(1);
const url = new URL(hub);
url.searchParams.set('repo', repo);
url.searchParams.set('urlpath', urlpath);
url.searchParams.set('branch', branch);
if (!url.pathname.endsWith('/')) { url.pathname += '/'; }
url.pathname += 'hub/user-redirect/git-pull';
console.log(url.toString());
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("hub, repo, branch, notebook", [
    ("https://hub.example.org", UPSTREAM, "main", "01_load_data.ipynb"),
    ("https://hub.example.org/", "https://github.com/someone/my-fork", "spring 2026", "05_train.ipynb"),
    ("https://uni.example.org/jupyter", "https://gitlab.example.org/a/b.c", "feature/x~1", "00_setup_check.ipynb"),
])
def test_link_is_the_one_nbgitpullers_link_generator_makes(hub, repo, branch, notebook):
    folder = repo.rstrip("/").split("/")[-1]
    expected = subprocess.run(["node", "-e", LINK_GENERATOR_JS, hub, repo,
                               f"lab/tree/{folder}/notebooks/{notebook}", branch],
                              stdout=subprocess.PIPE, text=True, check=True, timeout=60).stdout.strip()
    assert nbgitpuller_url(hub, repo, branch, notebook) == expected


def test_link_parses_as_nbgitpuller_reads_it():
    """nbgitpuller's UIHandler reads repo, branch and urlpath, and clones into the repo's last path part."""
    link = nbgitpuller_url("https://hub.example.org", UPSTREAM + "/", "main", "03_compile.ipynb")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.org", "/hub/user-redirect/git-pull")
    query = {key: values[0] for key, values in parse_qs(parts.query, strict_parsing=True).items()}
    assert query == {"repo": UPSTREAM + "/", "branch": "main",
                     "urlpath": "lab/tree/mnist-keras-tutorial/notebooks/03_compile.ipynb"}
    targetpath = query["repo"].rstrip("/").split("/")[-1]  # nbgitpuller.handlers.UIHandler's default
    assert query["urlpath"].startswith(f"lab/tree/{targetpath}/notebooks/")


def run_links(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "tools.links", *args], cwd=REPO_ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)


def test_cli_prints_one_link_per_notebook_and_changes_nothing():
    before = {path: path.read_bytes() for path in [REPO_ROOT / "README.md", *notebook_paths()]}
    result = run_links("--hub", "https://hub.example.org", "--repo", "someone/fork", "--branch", "dev")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [path.stem for path in notebook_paths()]
    for line, path in zip(lines, notebook_paths()):
        assert line.split(": ", 1)[1] == nbgitpuller_url(
            "https://hub.example.org", "https://github.com/someone/fork", "dev", path.name)
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.parametrize("hub", ["hub.example.org", "https://hub.example.org?x=1", "ftp://hub.example.org"])
def test_cli_rejects_a_hub_that_is_not_an_address_in_one_line(hub):
    result = run_links("--hub", hub, "--repo", "someone/fork")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--hub must be the hub's address" in result.stderr


def test_kubernetes_config_has_the_local_hubs_memory_limit_culling_and_series_folder():
    limit = HUB_SETTINGS["learner_memory_limit"]
    assert K8S_CONFIG["singleuser"]["memory"]["limit"] == limit
    assert K8S_CONFIG["singleuser"]["memory"]["guarantee"] == limit
    local_cull = HUB_SETTINGS["cull_idle_seconds"]
    assert K8S_CONFIG["cull"] == {"enabled": True, "users": False, "timeout": local_cull, "every": 300}
    default_repo = HUB_SETTINGS["default_repo_url"]
    env = K8S_CONFIG["singleuser"]["extraEnv"]
    assert env["PYTHONPATH"] == "/home/jovyan/" + default_repo.rstrip("/").split("/")[-1]
    assert K8S_CONFIG["hub"]["config"]["KubeSpawner"]["working_dir"] == "/home/jovyan"  # where nbgitpuller clones
    assert env["MNIST_OFFLINE"] == "1" and env["MNIST_DATA_DIR"].startswith("/srv/")
    assert K8S_CONFIG["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    assert "SharedPasswordAuthenticator" not in K8S_CONFIG["hub"]["config"]  # no password in the file


def test_nbgitpuller_is_in_the_series_environment():
    """The repo2docker image (and so Binder) must serve nbgitpuller links: it installs requirements.txt."""
    pins = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    assert any(re.fullmatch(r"nbgitpuller==[\d.]+", line) for line in pins)


def test_the_image_runs_the_server_and_kernels_in_one_environment():
    """So nbgitpuller, installed with requirements.txt, is a server extension of the hub image too."""
    from test_binder import REPO2DOCKER, generated_dockerfile

    if REPO2DOCKER is None:
        pytest.skip("repo2docker is not installed (pip install -r tests/requirements.txt)")
    assert "ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}" in generated_dockerfile(REPO_ROOT)


# --- the figures of `make hub-load` that the README and the guide quote -------------------------
MEASURED = REPO_ROOT / "workshop" / "measurements"
GUIDE = (REPO_ROOT / "notebooks" / "INSTRUCTOR_GUIDE.md").read_text()
README = (REPO_ROOT / "README.md").read_text()


def hub_load_figures(text: str) -> dict:
    """The overall figures a `make hub-load` run printed."""
    def numbers(pattern: str) -> list[float]:
        return [float(x) for x in re.search(pattern, text).groups()]

    learners, failures = numbers(r"overall: (\d+) learners, (\d+) failures")
    return {
        "learners": int(learners), "failures": int(failures),
        "server": numbers(r"time to a running server \(s\): median ([\d.]+), max ([\d.]+)"),
        "span": re.search(r"time for notebooks (\d\d-\d\d) \(s\)", text)[1],
        "notebooks": numbers(r"time for notebooks \d\d-\d\d \(s\): median ([\d.]+), max ([\d.]+)"),
        "per_notebook": re.findall(r"^(\d\d_\w+)\.ipynb +([\d.]+) +([\d.]+) +(\d+) +(\d+)$", text, re.M),
        "peak_mib": numbers(r"peak memory per learner \(MiB\): median ([\d.]+), max ([\d.]+)"),
        "together_gib": numbers(r"peak memory of all learners together: ([\d.]+) GiB")[0],
        "passed": "hub-load: passed (0 failures; every intrusion refused)" in text,
    }


MEASUREMENTS = {path.name: hub_load_figures(path.read_text()) for path in sorted(MEASURED.glob("hub-load-*.txt"))}


def test_the_stored_runs_passed_with_8_learners_and_more():
    assert all(run["passed"] and run["failures"] == 0 for run in MEASUREMENTS.values())
    assert {run["learners"] for run in MEASUREMENTS.values()} >= {8} and len(MEASUREMENTS) >= 2
    assert any(run["span"] == "01-11" and run["learners"] >= 8 for run in MEASUREMENTS.values()), \
        "the whole series, for 8 learners or more"


@pytest.mark.parametrize("name", sorted(MEASUREMENTS))
def test_the_guides_table_row_is_what_make_hub_load_printed(name):
    run = MEASUREMENTS[name]
    span = run["span"].replace("-", " to ")
    row = (f"| {run['learners']} | {span} | {run['failures']} | {run['server'][0]} s, {run['server'][1]} s "
           f"| {run['notebooks'][0]} s, {run['notebooks'][1]} s "
           f"| {run['peak_mib'][0]:.0f} MiB, {run['peak_mib'][1]:.0f} MiB | {run['together_gib']} GiB |")
    assert row in GUIDE


def test_the_prose_figures_are_those_of_the_stored_runs():
    runs = sorted(MEASUREMENTS.values(), key=lambda run: run["learners"])
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    largest = runs[-1]
    assert whole["span"] == "01-11" and largest["learners"] == 16
    peak_gib = max(run["peak_mib"][1] for run in runs) / 1024
    for text in (GUIDE, README):
        assert f"about {peak_gib:.1f} GiB" in text
    assert (f"{whole['learners']} learners running the whole series together: 0 failures, a running server in "
            f"{whole['server'][0]:.0f} s and notebooks 01-11 in {whole['notebooks'][0]:.0f} s (medians), "
            f"{whole['together_gib']} GiB together") in README
    assert (f"{largest['learners']} learners, the most it holds: 0 failures, "
            f"{largest['server'][0]:.0f} s and {largest['notebooks'][0]:.0f} s, "
            f"{largest['together_gib']} GiB together") in README
    assert f"{largest['learners']} learners working at the same moment peaked at {largest['together_gib']} GiB" in GUIDE


def test_the_guides_per_notebook_table_is_the_whole_series_run():
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    assert [name for name, *_ in whole["per_notebook"]] == [path.stem for path in notebook_paths()[1:]]
    for name, median_s, max_s, median_mib, max_mib in whole["per_notebook"]:
        assert f"| {name} | {median_s} s, {max_s} s | {median_mib} MiB, {max_mib} MiB |" in GUIDE


def test_the_sizing_table_follows_from_the_whole_series_run():
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    core_seconds = round(2 * whole["notebooks"][0] / whole["learners"])  # 2 cores kept busy by every learner
    assert f"= {core_seconds} core-seconds" in GUIDE and f"{whole['together_gib']} GiB together" in GUIDE
    rows = re.findall(r"^\| (\d+) \| (\d+) GiB \| (\d+) \| (\d+) s \|$", GUIDE, re.M)
    assert [int(row[0]) for row in rows] == [10, 25, 50]
    for learners, memory, cores, seconds in (map(int, row) for row in rows):
        assert memory == 2 * learners + 4, "2 GiB per learner plus 4 GiB"
        assert cores * 2 >= learners, "one core per two learners or more"
        assert seconds == round(core_seconds * learners / cores)
