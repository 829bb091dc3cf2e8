"""tools.links in a throw-away fork: README table, Colab cells, --check, and the Colab cell itself."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import REPO_ROOT
from tools.links import SETUP_CELL, LinksError, END_MARKER, START_MARKER, links_block, readme_repo, slug_from_remote

UPSTREAM_URL = "https://github.com/mnist-keras-tutorial/mnist-keras-tutorial"
README = "# A fork\n\nIntro text.\n\n<!-- links:start -->\nold links\n<!-- links:end -->\n\nMore text.\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, stdout=subprocess.PIPE, text=True).stdout


def write_notebook(path: Path, title: str, repo_url: str, branch: str = "main") -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nSome text · with non-ASCII."),
        nbformat.v4.new_code_cell(SETUP_CELL.format(repo_url=repo_url, branch=branch)),
        nbformat.v4.new_code_cell('print("REPO_URL = \\"keep me\\"")'),
    ]
    nbformat.write(notebook, path)


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A minimal copy of the series: tools/links.py and what it and the set-up cell import, README with markers,
    two notebooks, a fork remote."""
    repo = tmp_path / "fork"
    (repo / "helpers").mkdir(parents=True)
    for name in ("__init__.py", "kernels.py"):  # what the set-up cell imports
        shutil.copy(REPO_ROOT / "helpers" / name, repo / "helpers")
    (repo / "tools").mkdir()
    for name in ("__init__.py", "links.py", "execute_series.py"):
        shutil.copy(REPO_ROOT / "tools" / name, repo / "tools")
    (repo / "notebooks").mkdir()
    write_notebook(repo / "notebooks/01_first.ipynb", "Step 1 · First", UPSTREAM_URL)
    write_notebook(repo / "notebooks/02_second.ipynb", "Step 2 · Second", UPSTREAM_URL)
    write_notebook(repo / "notebooks/scratch.ipynb", "Not in the series", UPSTREAM_URL)
    (repo / "README.md").write_text(README)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", "git@github.com:someone/fork.git")
    return repo


def run_links(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m tools.links` in ``repo``: it imports that repository's helpers and tools, not the project's."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "tools.links", *args], cwd=repo, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def replace_in(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def snapshot(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in [*repo.glob("README.md"), *(repo / "notebooks").glob("*")]}


def colab_cell_source(path: Path) -> str:
    return next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def test_links_point_to_the_fork_and_check_fails_before_and_passes_after(fork):
    before = snapshot(fork)
    stale = run_links(fork, "--check")
    assert stale.returncode == 1 and "README.md" in stale.stderr and "01_first.ipynb" in stale.stderr
    assert snapshot(fork) == before  # --check writes nothing

    result = run_links(fork)
    assert result.returncode == 0, result.stderr

    readme = (fork / "README.md").read_text()
    assert readme.startswith("# A fork\n\nIntro text.\n\n<!-- links:start -->\n")
    assert readme.endswith("\n<!-- links:end -->\n\nMore text.\n")
    assert "old links" not in readme and "mnist-keras-tutorial" not in readme
    assert "(https://mybinder.org/v2/gh/someone/fork/main?urlpath=lab/tree/notebooks)" in readme
    rows = [line for line in readme.splitlines() if line.startswith("| [")]
    assert len(rows) == 2  # scratch.ipynb is not a numbered notebook
    for row, name, title in zip(rows, ["01_first.ipynb", "02_second.ipynb"], ["Step 1 · First", "Step 2 · Second"]):
        assert row.startswith(f"| [{title}](notebooks/{name}) |")
        assert f"(https://mybinder.org/v2/gh/someone/fork/main?urlpath=lab/tree/notebooks/{name})" in row
        assert f"(https://colab.research.google.com/github/someone/fork/blob/main/notebooks/{name})" in row

    navigation = {
        "01_first.ipynb": "[Contents](../README.md#the-notebooks) · [Step 2 · Second →](02_second.ipynb)",
        "02_second.ipynb": "[← Step 1 · First](01_first.ipynb) · [Contents](../README.md#the-notebooks)",
    }
    for name in ("01_first.ipynb", "02_second.ipynb"):
        # The same cells but for the REPO_URL line of the set-up cell, stored collapsed, between two navigation cells.
        original = nbformat.reads(before[f"notebooks/{name}"].decode(), as_version=4)
        updated = nbformat.read(fork / "notebooks" / name, as_version=4)
        top, *cells, bottom = updated.cells
        assert top.source == bottom.source == navigation[name]
        assert top.metadata.tags == bottom.metadata.tags == ["navigation"]
        assert [c.source for c in cells[2:]] == [c.source for c in original.cells[2:]]
        assert cells[0].source == original.cells[0].source
        assert cells[1].source == original.cells[1].source.replace(UPSTREAM_URL, "https://github.com/someone/fork")
        assert cells[1].metadata == {"cellView": "form", "jupyter": {"source_hidden": True}}
    assert (fork / "notebooks/scratch.ipynb").read_bytes() == before["notebooks/scratch.ipynb"]

    after = snapshot(fork)
    up_to_date = run_links(fork, "--check")
    assert up_to_date.returncode == 0, up_to_date.stderr
    mtimes = {p: p.stat().st_mtime_ns for p in (fork / "notebooks").glob("*.ipynb")}
    assert run_links(fork).returncode == 0
    assert snapshot(fork) == after
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes  # nothing rewritten: the Makefile re-runs nothing


def test_repo_and_branch_options_override_the_remote(fork):
    result = run_links(fork, "--repo", "teacher/mnist-workshop", "--branch", "autumn-2026")
    assert result.returncode == 0, result.stderr
    readme = (fork / "README.md").read_text()
    assert "https://mybinder.org/v2/gh/teacher/mnist-workshop/autumn-2026?urlpath=lab/tree/notebooks/02_second.ipynb" in readme
    assert "https://colab.research.google.com/github/teacher/mnist-workshop/blob/autumn-2026/notebooks/02_second.ipynb" in readme
    source = colab_cell_source(fork / "notebooks/02_second.ipynb")
    assert 'REPO_URL = "https://github.com/teacher/mnist-workshop"\n' in source and 'REPO_BRANCH = "autumn-2026"\n' in source
    assert run_links(fork, "--check").returncode == 1  # the remote says someone/fork


def test_no_remote_and_no_repo_is_one_clear_error(fork):
    git(fork, "remote", "remove", "origin")
    before = snapshot(fork)
    result = run_links(fork)
    assert result.returncode == 1
    assert result.stderr == "error: no git remote 'origin': pass --repo OWNER/NAME\n"
    assert snapshot(fork) == before


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda repo: (repo / "README.md").write_text("# No markers\n"), "README.md needs one line '<!-- links:start -->'"),
        (lambda repo: (repo / "README.md").unlink(), "README.md not found"),
        (lambda repo: replace_in(repo / "notebooks/02_second.ipynb", "REPO_URL = ", "URL = "),
         "notebooks/02_second.ipynb: the first code cell must be the set-up cell"),
    ],
    ids=["no-markers", "no-readme", "no-setup-cell"],
)
def test_files_it_cannot_update_are_one_clear_error_and_nothing_is_written(fork, change, message):
    change(fork)
    before = snapshot(fork)
    result = run_links(fork)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(fork) == before


@pytest.mark.parametrize("url", [
    "git@github.com:someone/fork.git", "git@github.com:someone/fork",
    "https://github.com/someone/fork.git", "https://github.com/someone/fork/",
    "https://user@github.com/someone/fork.git", "ssh://git@github.com/someone/fork.git\n",
])
def test_github_remote_forms(url):
    assert slug_from_remote(url) == "someone/fork"


@pytest.mark.parametrize("url", ["https://gitlab.com/someone/fork.git", "git@github.com:someone", "/srv/git/fork"])
def test_non_github_remotes_are_refused(url):
    with pytest.raises(LinksError, match="is not a GitHub repository: pass --repo OWNER/NAME"):
        slug_from_remote(url)


def run_colab_cell(cwd: Path, repo_url: str, in_colab: bool, content_dir: Path) -> subprocess.CompletedProcess:
    """Run the Colab cell in a fresh Python; ``in_colab`` fakes Colab's module, /content is ``content_dir``."""
    cell = SETUP_CELL.format(repo_url=repo_url, branch="main").replace('"/content/"', repr(f"{content_dir}/"))
    program = "\n".join([
        "import sys, types, os",
        "sys.modules['google.colab'] = types.ModuleType('google.colab')" if in_colab else "",
        "before = (os.getcwd(), list(sys.path))",
        cell,
        "import json",
        "print(json.dumps({'changed': before != (os.getcwd(), sys.path), 'cwd': os.getcwd()}))",
        "import helpers; print(helpers.REPO_ROOT)" if in_colab else "",
    ])
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-I", "-c", program], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def test_colab_cell_does_nothing_outside_colab(tmp_path):
    result = run_colab_cell(tmp_path, "file:///nonexistent/fork", in_colab=False, content_dir=tmp_path / "content")
    assert result.returncode == 0, result.stderr
    assert result.stdout == '{"changed": false, "cwd": "%s"}\n' % tmp_path and result.stderr == ""
    assert not (tmp_path / "content").exists()


def test_set_up_cell_finds_the_series_folder_in_any_jupyter(tmp_path):
    # A copy of the series with no install at all (no editable install, no PYTHONPATH): a kernel starts in notebooks/.
    series = tmp_path / "series"
    shutil.copytree(REPO_ROOT / "helpers", series / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (series / "notebooks").mkdir()
    cell = SETUP_CELL.format(repo_url="file:///nonexistent/fork", branch="main")
    # the cell run twice, as a learner re-runs it: the folder is added once
    program = f"{cell}\n{cell}\nimport helpers\nprint(helpers.REPO_ROOT)\nprint(sys.path.count(str(helpers.REPO_ROOT)))"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MNIST_OUTPUTS_DIR")}
    result = subprocess.run([sys.executable, "-I", "-c", program], cwd=series / "notebooks", env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [str(series), "1"]


def test_colab_cell_clones_the_repository_and_makes_helpers_importable(fork, tmp_path):
    git(fork, "add", "-A")
    for message in ("first", "second"):  # two commits, so that a shallow clone is visible
        git(fork, "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
            "commit", "-q", "--allow-empty", "-m", message)
    content = tmp_path / "content"
    content.mkdir()
    for attempt in range(2):  # the second run finds the clone and does not clone again
        result = run_colab_cell(tmp_path, f"file://{fork}", in_colab=True, content_dir=content)
        assert result.returncode == 0, result.stderr
        clone = content / "fork"
        assert result.stdout.splitlines() == [
            '{"changed": true, "cwd": "%s"}' % (clone / "notebooks"), str(clone)
        ]
    assert git(clone, "rev-parse", "HEAD") == git(fork, "rev-parse", "HEAD")
    assert git(clone, "rev-list", "--count", "HEAD").strip() == "1"  # depth 1


def test_the_projects_own_readme_and_notebooks_are_up_to_date():
    """The committed README block and Colab cells are what `python -m tools.links` generates."""
    import json
    import re

    first = json.loads((REPO_ROOT / "notebooks/01_load_data.ipynb").read_text(encoding="utf-8"))
    colab = next("".join(c["source"]) for c in first["cells"] if c["cell_type"] == "code")
    slug = re.search(r'REPO_URL = "https://github.com/([^"]+)"', colab).group(1)
    result = subprocess.run([sys.executable, "-m", "tools.links", "--check", "--repo", slug],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout


def test_the_book_reads_the_repository_and_branch_of_the_readmes_links() -> None:
    """tools/book.py makes its launch buttons for the repository and branch that the README's links point at."""
    readme = f"# A fork\n\n{START_MARKER}\n{links_block('someone/my-fork', 'spring 2026', {})}\n{END_MARKER}\n"
    assert readme_repo(readme) == ("someone/my-fork", "spring 2026")
    with pytest.raises(LinksError, match="no Binder link"):
        readme_repo(f"# A fork\n\n{START_MARKER}\n{END_MARKER}\n")
