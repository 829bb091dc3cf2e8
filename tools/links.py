"""Binder and Colab links for every notebook, pointing at this repository or at your fork.

``python -m tools.links`` reads the GitHub repository from ``git remote get-url origin``
(``--repo OWNER/NAME`` overrides it, ``--branch`` defaults to ``main``) and rewrites:

- in ``README.md``, the block between the lines ``<!-- links:start -->`` and
  ``<!-- links:end -->``: a Binder badge for the series and a table with a Binder and a
  Colab link for every notebook;
- in every notebook, the first code cell (the set-up cell, ``SETUP_CELL``: on Colab it clones
  this repository and branch; elsewhere it puts the series' folder (the notebooks' parent) on the
  import path, so `import helpers` works in any Jupyter without an install; in JupyterLab it stops the idle kernels of the series' other
  notebooks to free memory (``helpers.kernels``); everywhere it keeps TensorFlow's start-up log
  out of the cells),
  stored collapsed (Colab's ``cellView: form``, JupyterLab's ``source_hidden``);
- in every notebook, the navigation cells at the top and bottom (``Previous · Contents · Next``,
  tagged ``navigation``), from the notebooks' order and titles.

``--check`` changes nothing and exits 1 if any of that is out of date.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from helpers import NOTEBOOK_PATTERN, REPO_ROOT, notebook_paths

START_MARKER = "<!-- links:start -->"
END_MARKER = "<!-- links:end -->"
DEFAULT_BRANCH = "main"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"

# The first code cell of every notebook, stored collapsed: on Colab it clones the series; elsewhere it puts the
# series' folder on the import path; everywhere it stops the idle kernels of the series' other notebooks (in
# JupyterLab) and keeps TensorFlow's start-up log out of the cells.
SETUP_CELL = '''\
#@title Set-up: run this cell first (on Colab it also fetches the series)
import os, subprocess, sys
REPO_URL = "{repo_url}"
REPO_BRANCH = "{branch}"
if "google.colab" in sys.modules:
    repo = "/content/" + REPO_URL.rstrip("/").split("/")[-1]
    if not os.path.isdir(repo):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", REPO_BRANCH, REPO_URL, repo], check=True)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    os.chdir(os.path.join(repo, "notebooks"))
elif os.path.isdir(os.path.join("..", "helpers")) and os.path.abspath("..") not in sys.path:
    sys.path.insert(0, os.path.abspath(".."))  # the series' folder: `import helpers` works in any Jupyter
from helpers import import_tensorflow_quietly
from helpers.kernels import stop_other_kernels
stop_other_kernels()  # in JupyterLab, frees memory: stops the idle kernels of the series' other notebooks, and says so
import_tensorflow_quietly()  # TensorFlow's C++ start-up lines go to outputs/tensorflow.log, not into the cells'''
SETUP_CELL_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}
NAVIGATION_TAG = "navigation"
CONTENTS_LINK = "../README.md#the-notebooks"

_SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")
# https://github.com/O/N(.git), ssh://git@github.com/O/N.git, git://github.com/O/N, git@github.com:O/N.git
_GITHUB_REMOTE = re.compile(
    r"(?:(?:https?|ssh|git)://(?:[^@/]+@)?github\.com(?::\d+)?/|[^@/:]+@github\.com:)"
    r"(?P<slug>[^/]+/[^/]+?)(?:\.git)?/?"
)


class LinksError(Exception):
    """Bad input or a file that cannot be updated; the message is one actionable line."""


def slug_from_remote(url: str) -> str:
    """``OWNER/NAME`` from a GitHub remote URL (https or ssh form)."""
    match = _GITHUB_REMOTE.fullmatch(url.strip())
    if not match or not _SLUG.fullmatch(match["slug"]):
        raise LinksError(f"git remote 'origin' ({url.strip()}) is not a GitHub repository: pass --repo OWNER/NAME")
    return match["slug"]


def origin_slug(repo_root: Path = REPO_ROOT) -> str:
    """``OWNER/NAME`` of the repository's ``origin`` remote."""
    try:
        result = subprocess.run(
            ["git", "-C", str(repo_root), "remote", "get-url", "origin"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
    except FileNotFoundError:  # no git at all: same advice as no remote
        result = None
    if result is None or result.returncode != 0 or not result.stdout.strip():
        raise LinksError("no git remote 'origin': pass --repo OWNER/NAME")
    return slug_from_remote(result.stdout)


def binder_url(slug: str, branch: str, path: str = "notebooks") -> str:
    """mybinder.org link that opens ``path`` (a notebook or a folder) in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{slug}/{quote(branch, safe='')}?urlpath=lab/tree/{quote(path)}"


def colab_url(slug: str, branch: str, notebook: str) -> str:
    """Colab link that opens ``notebooks/<notebook>`` from GitHub."""
    return f"https://colab.research.google.com/github/{slug}/blob/{quote(branch)}/notebooks/{quote(notebook)}"


def _title(notebook: dict, fallback: str) -> str:
    """The first Markdown heading of the notebook, else ``fallback``."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip().replace("|", "\\|") or fallback
    return fallback


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def links_block(slug: str, branch: str, notebooks: dict[str, dict]) -> str:
    """The README block (without its marker lines): a Binder badge, then one table row per notebook."""
    lines = [
        "<!-- Written by `python -m tools.links`: edit that, not this block. -->",
        f"[![Binder]({BINDER_BADGE})]({binder_url(slug, branch)}) the whole series in JupyterLab on Binder",
        "",
        "| Notebook | Binder | Colab |",
        "| --- | --- | --- |",
    ]
    for name, notebook in notebooks.items():
        lines.append(
            f"| [{_title(notebook, name)}](notebooks/{quote(name)}) "
            f"| [![Open in Binder]({BINDER_BADGE})]({binder_url(slug, branch, 'notebooks/' + name)}) "
            f"| [![Open in Colab]({COLAB_BADGE})]({colab_url(slug, branch, name)}) |"
        )
    return "\n".join(lines)


def updated_readme(text: str, block: str) -> str:
    """``text`` with the lines between the two marker lines replaced by ``block``."""
    lines = text.splitlines(keepends=True)
    stripped = [line.strip() for line in lines]
    if stripped.count(START_MARKER) != 1 or stripped.count(END_MARKER) != 1 \
            or stripped.index(START_MARKER) > stripped.index(END_MARKER):
        raise LinksError(
            f"README.md needs one line '{START_MARKER}' followed by one line '{END_MARKER}' where the links go"
        )
    start, end = stripped.index(START_MARKER), stripped.index(END_MARKER)
    return "".join(lines[: start + 1]) + block + "\n" + "".join(lines[end:])


def navigation(names: list[str], titles: dict[str, str], index: int) -> str:
    """The ``Previous · Contents · Next`` line of notebook ``names[index]``."""
    parts = []
    if index > 0:
        parts.append(f"[← {titles[names[index - 1]]}]({quote(names[index - 1])})")
    parts.append(f"[Contents]({CONTENTS_LINK})")
    if index + 1 < len(names):
        parts.append(f"[{titles[names[index + 1]]} →]({quote(names[index + 1])})")
    return " · ".join(parts)


def _navigation_cell(text: str) -> dict:
    return {"cell_type": "markdown", "id": None, "metadata": {"tags": [NAVIGATION_TAG]}, "source": text}


def updated_notebook(text: str, name: str, repo_url: str, branch: str, nav: str | None = None) -> str:
    """The notebook ``text`` with its set-up cell and (when ``nav`` is given) its navigation cells rewritten.

    Written back canonically (``tools.execute_series.notebook_text``), so nothing else changes.
    """
    from tools.execute_series import notebook_text

    notebook = json.loads(text)
    cells = notebook.get("cells", [])
    cell = next((c for c in cells if c.get("cell_type") == "code"), None)
    if cell is None or "REPO_URL = " not in _source(cell):
        raise LinksError(
            f"notebooks/{name}: the first code cell must be the set-up cell (paste tools.links.SETUP_CELL)"
        )
    source = SETUP_CELL.format(repo_url=repo_url, branch=branch)
    cell["source"] = source.splitlines(keepends=True)
    cell["metadata"] = {**{k: v for k, v in cell.get("metadata", {}).items() if k not in SETUP_CELL_METADATA},
                        **SETUP_CELL_METADATA}
    if nav is not None:
        kept = [c for c in cells if NAVIGATION_TAG not in c.get("metadata", {}).get("tags", [])]
        top, bottom = _navigation_cell(nav), _navigation_cell(nav)
        for new, twin in ((top, "nav-top"), (bottom, "nav-bottom")):
            new["id"] = twin
            new["source"] = nav
        notebook["cells"] = [top, *kept, bottom]
    return notebook_text(notebook)


def planned_changes(slug: str, branch: str, repo_root: Path = REPO_ROOT) -> dict[Path, tuple[str, str]]:
    """Every file the links touch, as ``{path: (current text, up-to-date text)}``."""
    paths = notebook_paths(repo_root)
    if not paths:
        raise LinksError(f"no notebooks matching notebooks/{NOTEBOOK_PATTERN} in {repo_root}")
    readme = repo_root / "README.md"
    if not readme.is_file():
        raise LinksError(
            f"README.md not found in {repo_root}: the links go between '{START_MARKER}' and '{END_MARKER}' in it"
        )
    repo_url = f"https://github.com/{slug}"
    changes = {}
    notebooks = {}
    texts = {}
    for path in paths:
        texts[path] = path.read_text(encoding="utf-8")
        try:
            notebooks[path.name] = json.loads(texts[path])
        except json.JSONDecodeError as err:
            raise LinksError(f"notebooks/{path.name} is not valid JSON ({err})") from None
    names = [path.name for path in paths]
    titles = {name: _title(notebooks[name], name) for name in names}
    for index, path in enumerate(paths):
        nav = navigation(names, titles, index)
        changes[path] = (texts[path], updated_notebook(texts[path], path.name, repo_url, branch, nav))
    text = readme.read_text(encoding="utf-8")
    changes[readme] = (text, updated_readme(text, links_block(slug, branch, notebooks)))
    return changes


def nbgitpuller_url(hub: str, repo_url: str, branch: str, notebook: str) -> str:
    """nbgitpuller link that pulls ``repo_url`` into the learner's home on ``hub`` and opens ``notebooks/<notebook>``.

    The same link as nbgitpuller's own link generator makes: ``<hub>/hub/user-redirect/git-pull``
    with ``repo``, ``urlpath`` and ``branch``. nbgitpuller clones into a folder named like the last
    part of ``repo_url``, so ``urlpath`` opens the notebook inside that folder, in JupyterLab.
    """
    folder = repo_url.rstrip("/").split("/")[-1]
    query = urlencode({"repo": repo_url, "urlpath": f"lab/tree/{folder}/notebooks/{notebook}", "branch": branch})
    query = query.replace("~", "%7E")  # as a browser's URLSearchParams writes it
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def readme_repo(text: str) -> tuple[str, str]:
    """``(OWNER/NAME, branch)`` that the README's links block points at (read from its Binder badge's link).

    The book (``tools/book.py``) makes its launch buttons from these, with the functions above, so that they
    point where the README's links do, in a fork too, once ``python -m tools.links`` has rewritten them.
    """
    match = re.search(r"\]\(https://mybinder\.org/v2/gh/(?P<slug>[^/\s]+/[^/\s]+)/(?P<branch>[^?\s]+)\?", text)
    if not match:
        raise LinksError(f"README.md has no Binder link between '{START_MARKER}' and '{END_MARKER}': "
                         "run `python -m tools.links`")
    return match["slug"], unquote(match["branch"])


def launch_links(slug: str, branch: str, hub: str | None, notebook: str | None = None) -> dict[str, str]:
    """The book's launch buttons: Binder, Colab and the class's JupyterHub (its nbgitpuller link; none without
    ``hub``), for one notebook.

    Without ``notebook`` (a page that is not a notebook), Binder opens the whole series, as the README's badge
    does, and Colab and the hub open the first notebook.
    """
    first = notebook or notebook_paths()[0].name
    links = {"Binder": binder_url(slug, branch, f"notebooks/{notebook}" if notebook else "notebooks"),
             "Colab": colab_url(slug, branch, first)}
    if hub:
        links["JupyterHub"] = nbgitpuller_url(hub, f"https://github.com/{slug}", branch, first)
    return links


def print_hub_links(hub: str, slug: str | None, branch: str) -> int:
    """``--hub URL``: one nbgitpuller link per notebook of the series, for the given hub."""
    try:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", hub):
            raise LinksError(f"--hub must be the hub's address, like https://hub.example.org, got {hub!r}")
        if slug is not None and not _SLUG.fullmatch(slug):
            raise LinksError(f"--repo must look like OWNER/NAME (a GitHub repository), got {slug!r}")
        repo_url = f"https://github.com/{slug or origin_slug()}"
        paths = notebook_paths()
        if not paths:
            raise LinksError(f"no notebooks matching notebooks/{NOTEBOOK_PATTERN} in {REPO_ROOT}")
    except LinksError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"{path.stem}: {nbgitpuller_url(hub, repo_url, branch, path.name)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.links [--repo OWNER/NAME] [--branch B] [--check | --hub URL]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.links",
        description="Rewrite the Binder/Colab links in README.md and the notebooks' Colab cells.",
    )
    parser.add_argument("--repo", metavar="OWNER/NAME", help="GitHub repository (default: from git remote 'origin')")
    parser.add_argument("--branch", default=DEFAULT_BRANCH, help=f"branch the links open (default: {DEFAULT_BRANCH})")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    parser.add_argument("--hub", metavar="URL", help="change nothing; print an nbgitpuller link per notebook for this JupyterHub")
    args = parser.parse_args(argv)
    if args.hub is not None:
        return print_hub_links(args.hub, args.repo, args.branch)
    try:
        if args.repo is not None and not _SLUG.fullmatch(args.repo):
            raise LinksError(f"--repo must look like OWNER/NAME (a GitHub repository), got {args.repo!r}")
        if not re.fullmatch(r"[^\s\"\\?#~^:]+", args.branch):
            raise LinksError(f"--branch {args.branch!r} is not a usable branch name")
        slug = args.repo or origin_slug()
        changes = planned_changes(slug, args.branch)
    except (LinksError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    stale = [path for path, (old, new) in changes.items() if old != new]
    names = ", ".join(str(path.relative_to(REPO_ROOT)) for path in stale)
    if args.check:
        if stale:
            print(f"out of date for {slug}@{args.branch}: {names}; run `python -m tools.links`", file=sys.stderr)
            return 1
        print(f"links up to date for {slug}@{args.branch}")
        return 0
    for path in stale:  # only changed files: the Makefile re-runs notebooks whose file changed
        path.write_text(changes[path][1], encoding="utf-8")
    print(f"updated for {slug}@{args.branch}: {names}" if stale else f"links up to date for {slug}@{args.branch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
