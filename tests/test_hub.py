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
