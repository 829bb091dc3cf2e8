"""The book: the series as a static HTML site, built by Sphinx with myst-nb (``make book``, ``python -m tools.book``).

``python -m tools.book`` builds ``outputs/book/`` from the stored notebooks (never executed), the README (the
first page) and the instructor guide, with ``book/conf.py``; it fetches nothing from the network. This module is
also the Sphinx extension that ``book/conf.py`` loads; it adds what a static page needs:

- every page gets the series' pages in its sidebar (the README stays free of Sphinx markup: the list of pages
  is added to it while building) and launch buttons to Binder, Colab and the class's JupyterHub, made by
  ``tools.links`` from the repository and branch that the README's links point at (``tools.links.readme_repo``);
  the hub is ``BOOK_HUB`` (``make book BOOK_HUB=https://your-hub``); without it the JupyterHub button opens the
  instructor guide's section on running the series on a hub (the project has no hub of its own);
- what cannot run in a static page says so where it would be: notebook 09's drawing pad shows the stored
  example 7 and the network's answer to it, its upload button says where it works (``STAND_INS``);
- ``index.html`` leads to the README's page.
"""
from __future__ import annotations

import html
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from helpers import NOTEBOOK_PATTERN, REPO_ROOT, notebook_paths
from tools.links import launch_links, readme_repo

TITLE = "MNIST with Keras"
BOOK_DIR = REPO_ROOT / "book"
OUTPUT_DIR = REPO_ROOT / "outputs" / "book"
# The pages, in the order of the sidebar; Sphinx reads no other file of the repository.
NOTEBOOK_SOURCES = f"notebooks/{NOTEBOOK_PATTERN}"
GUIDES = ["notebooks/INSTRUCTOR_GUIDE", "notebooks/HELPER_BRIEFING", "data/README"]
SOURCES = ["README.md", NOTEBOOK_SOURCES, *(f"{page}.md" for page in GUIDES)]
# Where the JupyterHub button leads when BOOK_HUB is not given: how an instructor gives a class its hub links.
HUB_GUIDE = ("notebooks/INSTRUCTOR_GUIDE", "running-it-on-a-jupyterhub")
LAUNCH_LABELS = {"Binder": "launch-binder", "Colab": "launch-colab", "JupyterHub": "launch-jupyterhub"}
LAUNCH_ICONS = {"Binder": "_static/images/logo_binder.svg", "Colab": "_static/images/logo_colab.png",
                "JupyterHub": "_static/images/logo_jupyterhub.svg"}

PAD_NOTEBOOK = "09_ask_the_network.ipynb"
# The stored outputs of notebook 09 that stand for its widgets in the static page.
PAD_REPR = re.compile(r"<helpers\.drawing\.DrawingPad object at 0x[0-9a-f]+>")
UPLOAD_REPR = re.compile(r"VBox\(children=\(FileUpload\(")
EXAMPLE_ANSWER_CELL = "no drawing on the pad: the example 7"  # the stream output of the cell after the pad
EXAMPLE_ANSWER_TEXT = re.compile(r"prepared\s+answer (\d) with (\d+%)")
# A figure's caption, the Markdown cell after the code cell that drew it (tests/test_notebooks.py holds the form).
CAPTION = re.compile(r"Figure\.\s+(.+)", re.S)


class BookError(Exception):
    """A page the book cannot make as it should; the message says which and why."""


def hub_url() -> str | None:
    """The class's hub that the JupyterHub buttons open (``BOOK_HUB``), or None."""
    return os.environ.get("BOOK_HUB") or None


def book_links(notebook: str | None = None, hub_guide: str = "") -> dict[str, str]:
    """The launch buttons of a page: ``{"Binder": url, "Colab": url, "JupyterHub": url}`` (see tools.links);
    without a hub, the JupyterHub button is ``hub_guide``, the address of the guide's section on hubs."""
    slug, branch = readme_repo((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    hub = hub_url()
    return launch_links(slug, branch, hub, notebook) if hub else {**launch_links(slug, branch, None, notebook),
                                                                  "JupyterHub": hub_guide}


# --- the Sphinx extension ---------------------------------------------------------------------------------
def _add_page_list(app: Any, docname: str, source: list[str]) -> None:
    """``source-read``: the README (the first page) gets a hidden list of every page, which makes the sidebar."""
    if docname != app.config.root_doc:
        return
    notebooks = [f"notebooks/{path.stem}" for path in notebook_paths()]
    source[0] += "\n\n" + "\n\n".join(
        f"```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + "\n".join(pages) + "\n```"
        for caption, pages in (("The notebooks", notebooks), ("For instructors and helpers", GUIDES))
    ) + "\n"


def _stored_outputs(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [output for cell in cells for output in cell.get("outputs", [])]


def _text(output: dict) -> str:
    text = output.get("text", output.get("data", {}).get("text/plain", ""))
    return "".join(text) if isinstance(text, list) else text


def example_answer(notebook: Path) -> tuple[str, str]:
    """(the PNG, base64, of the example 7 as the network sees it with its probabilities; the answer in words)."""
    outputs = _stored_outputs(notebook)
    for index, output in enumerate(outputs):
        if output.get("output_type") == "stream" and _text(output).startswith(EXAMPLE_ANSWER_CELL):
            image = next((o["data"]["image/png"] for o in outputs[index + 1:index + 2]
                          if "image/png" in o.get("data", {})), None)
            break
    else:
        image = None
    answer = next((m for o in outputs if (m := EXAMPLE_ANSWER_TEXT.search(_text(o)))), None)
    if image is None or answer is None:
        raise BookError(f"notebooks/{notebook.name}: no stored example answer (the output '{EXAMPLE_ANSWER_CELL}' "
                        "followed by its picture, and 'prepared answer D with N%') to show for the drawing pad")
    return "".join(image).replace("\n", ""), f"it reads {answer[1]} with {answer[2]}"


def pad_stand_in(notebook: Path) -> str:
    """The HTML that replaces the drawing pad's object repr in the static page."""
    image, answer = example_answer(notebook)
    return (
        '<div class="mnist-static" role="note">\n'
        "<p><strong>The drawing pad needs a running notebook.</strong> This page is static: open the notebook with a "
        "launch button at the top of the page (Binder, Colab or your class's JupyterHub) to draw your own digit. "
        f"Here instead is the stored example drawing, the example 7, as the network sees it, and its answer: "
        f"{html.escape(answer)}.</p>\n"
        f'<img src="data:image/png;base64,{image}" alt="The example 7 prepared as MNIST\'s digits are (28 by 28 '
        f'pixels), beside the network\'s ten probabilities: {html.escape(answer)}.">\n</div>'
    )


UPLOAD_STAND_IN = (
    '<div class="mnist-static" role="note"><p><strong>The upload button needs a running notebook.</strong> '
    "This page is static: open the notebook with a launch button at the top of the page to upload a photo of "
    "your own digit. Below, the same path runs on the stored example scan.</p></div>"
)


def github_url(path: str) -> str:
    """The GitHub page of a file or folder of the repository (``path`` relative to its root), on the README's branch."""
    slug, branch = readme_repo((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    kind = "tree" if (REPO_ROOT / path).is_dir() else "blob"
    return f"https://github.com/{slug}/{kind}/{quote(branch)}/{quote(path)}"


def _link_repository_files(app: Any, doctree: Any) -> None:
    """Links to the repository's files and folders that are not pages (``../binder/postBuild``, ``../workshop``)
    open them on GitHub, as the README's links do there."""
    from docutils import nodes
    from sphinx import addnodes

    here = (REPO_ROOT / app.env.docname).parent
    for node in list(doctree.findall(lambda n: isinstance(n, (addnodes.pending_xref, addnodes.download_reference)))):
        if isinstance(node, addnodes.pending_xref) and node.get("refdomain") not in (None, "myst"):
            continue
        target = str(node.get("reftarget", "")).split("#")[0]
        if not target or "://" in target:
            continue
        path = (here / target).resolve()
        if not path.exists() or not path.is_relative_to(REPO_ROOT):
            continue
        relative = path.relative_to(REPO_ROOT).as_posix()
        if relative in app.env.found_docs or path.with_suffix("").relative_to(REPO_ROOT).as_posix() in app.env.found_docs:
            continue  # a page of the book: Sphinx links it
        link = nodes.reference("", "", *node.children, refuri=github_url(relative), internal=False)
        node.replace_self(link)


def _describe_figures(app: Any, doctree: Any) -> None:
    """A figure that a code cell drew (a stored PNG) has no words of its own: its alternative text is the caption
    that follows its cell in the notebook (a Markdown cell tagged ``caption``: "*Figure.* ...")."""
    from docutils import nodes

    cells = doctree.findall(lambda node: isinstance(node, nodes.container) and "cell" in node.get("classes", []))
    for cell in list(cells):
        images = list(cell.findall(nodes.image))
        if not images:
            continue
        following = cell.parent[cell.parent.index(cell) + 1] if cell.parent.index(cell) + 1 < len(cell.parent) else None
        caption = CAPTION.match(following.astext()) if isinstance(following, nodes.paragraph) else None
        if caption is None:
            raise BookError(f"{app.env.docname}: a figure with no caption after its cell (a Markdown cell tagged "
                            "'caption' that starts with *Figure.*): its text is the figure's alternative text")
        for number, image in enumerate(images, 1):
            image["alt"] = caption[1] + (f" (picture {number} of {len(images)})" if len(images) > 1 else "")


def _replace_widgets(app: Any, doctree: Any) -> None:
    """``doctree-read``: notebook 09's widget outputs (stored as their text reprs) become static stand-ins."""
    from docutils import nodes

    _link_repository_files(app, doctree)
    _describe_figures(app, doctree)
    if app.env.docname != f"notebooks/{Path(PAD_NOTEBOOK).stem}":
        return
    notebook = REPO_ROOT / "notebooks" / PAD_NOTEBOOK
    replaced = {"pad": 0, "upload": 0}
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext().strip()
        if PAD_REPR.fullmatch(text):
            block.replace_self(nodes.raw("", pad_stand_in(notebook), format="html"))
            replaced["pad"] += 1
        elif UPLOAD_REPR.match(text) and "output" in block.get("classes", []):
            block.replace_self(nodes.raw("", UPLOAD_STAND_IN, format="html"))
            replaced["upload"] += 1
    if replaced["pad"] != 1:
        raise BookError(f"notebooks/{PAD_NOTEBOOK}: expected one stored drawing pad output, found {replaced['pad']}")


def _add_launch_buttons(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``html-page-context``: the launch buttons (a dropdown in the page's header), from ``tools.links``."""
    if "header_buttons" not in context:
        return
    notebook = f"{Path(pagename).name}.ipynb" if pagename.startswith("notebooks/") and \
        (REPO_ROOT / f"{pagename}.ipynb").is_file() else None
    hub_guide = f"{'' if pagename == HUB_GUIDE[0] else context['pathto'](HUB_GUIDE[0])}#{HUB_GUIDE[1]}"
    buttons = [
        {"type": "link", "text": name, "icon": LAUNCH_ICONS[name], "url": url, "label": LAUNCH_LABELS[name],
         "tooltip": "Your class's JupyterHub: how an instructor makes its links" if url == hub_guide
         else f"Open {'this notebook' if notebook else 'the series'} on {name}"}
        for name, url in book_links(notebook, hub_guide).items()
    ]
    context["header_buttons"].insert(0, {"type": "group", "tooltip": "Launch: run the notebooks",
                                         "icon": "fas fa-rocket", "buttons": buttons, "label": "launch-buttons"})


# Keras's model.summary() colours its HTML output (through rich) in shades too light to read on a light page
# (contrast 1.7 to 3.6): shown in darker shades of the same hues (5.4 to 6.3, above WCAG's 4.5).
READABLE_COLOURS = {"#0087ff": "#005fb8", "#00af00": "#007a00", "#00d7ff": "#006b80"}
STYLE = """.mnist-static { border-left: 4px solid #1f5fa8; padding: 0.5em 1em; margin: 0.5em 0 1em; background: #f3f6fa; }
.mnist-static img { max-width: 100%; }
""" + "".join(f'.cell_output span[style*="color: {light}"] {{ color: {dark} !important; }}\n'
              for light, dark in READABLE_COLOURS.items())


def _write_extras(app: Any, exception: Exception | None) -> None:
    """``build-finished``: ``index.html`` leads to the first page; the stand-ins' style."""
    if exception is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    first = f"{app.config.root_doc}.html"
    (out / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>\n'
        f'<meta http-equiv="refresh" content="0; url={first}"><link rel="canonical" href="{first}"></head>\n'
        f'<body><main><p><a href="{first}">{TITLE}: the series as a book</a></p></main></body></html>\n',
        encoding="utf-8")
    (out / "_static" / "mnist-book.css").write_text(STYLE, encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages serves _static/ as it is


def setup(app: Any) -> dict:
    app.connect("source-read", _add_page_list)
    app.connect("doctree-read", _replace_widgets, priority=400)  # before Sphinx collects the download links
    app.connect("html-page-context", _add_launch_buttons, priority=502)
    app.connect("build-finished", _write_extras)
    app.add_css_file("mnist-book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- the build --------------------------------------------------------------------------------------------
def build(output: Path = OUTPUT_DIR, quiet: bool = True) -> int:
    """Build the book into ``output`` (every page written again); returns Sphinx's exit status."""
    from sphinx.cmd.build import build_main

    args = ["-b", "html", "-E", "-c", str(BOOK_DIR), "-d", str(output.parent / ".book-doctrees"),
            "--fail-on-warning", "--keep-going", str(REPO_ROOT), str(output)]
    return build_main(["-q", *args] if quiet else args)


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.book [OUTPUT_DIR]``: build the book and say where it is and how long it took."""
    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0]).resolve() if argv else OUTPUT_DIR
    start = time.perf_counter()
    status = build(output)
    if status == 0:
        pages = sum(1 for page in output.glob("**/*.html") if not page.relative_to(output).parts[0] == "_static")
        print(f"The book: {output / 'index.html'} ({pages} pages, built in {time.perf_counter() - start:.1f} s; "
              f"launch buttons to Binder, Colab and {hub_url() or 'no hub (make book BOOK_HUB=https://your-hub)'})")
    return status


if __name__ == "__main__":
    sys.exit(main())
