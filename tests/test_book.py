"""The book (``make book``, ``tools/book.py``) in headless Chromium, and axe-core over it and over JupyterLab.

The module builds the book once into a temporary folder, the way ``make book`` does (``python -m tools.book``),
without the network where it can say so (as root, inside ``unshare -n``: a build that fetched anything would
fail), serves it on 127.0.0.1 and opens every page in Chromium, which is allowed no request outside the book:

- every page opens, with the series' navigation, search and the three launch buttons; no internal link leads
  to a missing page or anchor and no image is missing (the same checker finds a planted broken link, a missing
  anchor and a missing image, so it can fail);
- the launch buttons are ``tools.links``'s URLs for the repository and branch of the README's links: Binder
  and Colab exactly the README's, JupyterHub exactly what ``python -m tools.links --hub`` prints;
- notebook 09's drawing pad shows the stored example drawing and its answer, not an object repr;
- axe-core (the copy that ``axe-playwright-python`` ships) finds no serious or critical violation on any page;
- JupyterLab with notebook 09 open and its drawing pad and upload button running: axe-core's violations are
  split into the project's own (in the notebook's rendered Markdown and outputs, the pad) and JupyterLab's own,
  printed with counts; the project's own have none serious or critical; the pad's Clear button and the upload
  button are reached and named as a screen reader reads them.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO_ROOT, notebook_paths

from test_browser import (  # noqa: E402, F401  (tests/ is on sys.path: pytest's rootdir-relative import)
    CHROMIUM, SERVER_START_TIMEOUT_S, VIEWPORT, LabServer, browser, lab_server, open_notebook,
)

pytestmark = [
    pytest.mark.browser,  # Chromium; `-m "not browser"` leaves these tests out
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not on PATH: sudo apt-get install chromium"),
]
pytest.importorskip("sphinx", reason="the book's packages are missing: make book (book/requirements.txt)")
pytest.importorskip("myst_nb", reason="the book's packages are missing: make book (book/requirements.txt)")
axe_package = pytest.importorskip("axe_playwright_python",
                                  reason="axe-playwright-python is missing: pip install -r tests/requirements.txt")

from tools import book as book_tool  # noqa: E402
from tools import links  # noqa: E402

BUILD_TIMEOUT_S = 300
AXE_SCRIPT = (Path(axe_package.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
AXE_OPTIONS = {"resultTypes": ["violations"]}
BLOCKING = ("critical", "serious")  # axe-core's impacts that fail the tests; moderate and minor are listed
AXE_PAGES_AT_ONCE = 4  # pages axe-core checks side by side (each page is a renderer process of its own)
# Highlighted code is three quarters of a notebook page's elements and of axe-core's time (its contrast check),
# in the same theme's colours on every page: checked whole on the page with the most code, left out on the others.
CODE = ".cell_input .highlight"
WHOLE_PAGE = "notebooks/08_under_the_hood.html"
PAD_NOTEBOOK = book_tool.PAD_NOTEBOOK
# The cells of notebook 09 whose widgets the JupyterLab check runs (the pad; the upload button).
WIDGET_CELLS = ("pad = DrawingPad()", "widgets.FileUpload(")
# Where in JupyterLab's page the project's own content is: the notebook's rendered Markdown and outputs.
PROJECT_CONTENT = ".jp-MarkdownOutput, .jp-OutputArea-output, .mnist-pad"
# What JupyterLab's renderers do to any notebook's outputs, which no notebook can change: its image renderer
# gives a stored PNG (a Matplotlib figure) no alternative text. Counted as JupyterLab's own.
LAB_RENDERERS = {"image-alt": ".jp-RenderedImage"}

PAGE_FACTS_JS = """() => ({
  title: document.title,
  h1: [...document.querySelectorAll('main h1, article h1')].map(h => h.textContent.trim()),
  ids: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name')),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),  // resolved: absolute URLs
  images: [...document.querySelectorAll('img')].filter(i => i.src.startsWith(location.origin) || i.src.startsWith('data:'))
    .map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0,
                alt: i.getAttribute('alt')})),
  launch: [...document.querySelectorAll('.dropdown-launch-buttons a')].map(a => [a.textContent.trim(),
                                                                                  a.getAttribute('href')]),
  navigation: [...document.querySelectorAll('.bd-sidebar-primary nav a[href]')].map(a => a.href),
  search: !!document.querySelector('.search-button, form[action$="search.html"]'),
})"""


# --- the site ----------------------------------------------------------------------------------------------
def build_book(output: Path) -> tuple[str, bool]:
    """``python -m tools.book output``, without the network when this machine can say so; (its output, offline)."""
    command = [sys.executable, "-m", "tools.book", str(output)]
    offline = bool(shutil.which("unshare")) and os.geteuid() == 0 and \
        subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    if offline:
        command = ["unshare", "-n", *command]
    env = {key: value for key, value in os.environ.items() if key != "BOOK_HUB"}  # the book as published without a hub
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, f"the book did not build ({' '.join(command)}):\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip(), offline


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (as GitHub Pages would serve it); yields its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a page left before its last request was answered: nothing to report

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Crawl:
    """What the browser found on the pages of a site."""

    facts: dict[str, dict] = field(default_factory=dict)  # page (relative to the site) -> PAGE_FACTS_JS
    problems: list[str] = field(default_factory=list)


def site_pages(folder: Path) -> list[str]:
    """The HTML pages of a built site, relative to it (the theme's template fragments in _static are not pages)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("**/*.html")
                  if not p.relative_to(folder).as_posix().startswith("_static/"))


def crawl(context: Any, base: str, pages: list[str]) -> Crawl:
    """Open ``pages`` and every internal page they link to; report pages that do not open, links to a missing
    page, file or anchor, and images that did not load."""
    found = Crawl()
    page = context.new_page()
    queue, seen, targets = list(pages), set(pages), []
    while queue:
        name = queue.pop(0)
        fetched = context.request.get(base + name)
        redirect = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', fetched.text()) if fetched.ok else None
        if redirect:  # the index: it leads to the first page (test_the_index_leads_to_the_first_page)
            target = urllib.parse.urljoin(name, redirect[1])
            found.facts[name] = {"redirect": target}
            if target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        response = page.goto(base + name, wait_until="load")
        if response is None or response.status != 200:
            found.problems.append(f"{name}: does not open (HTTP {response.status if response else 'no answer'})")
            continue
        facts = page.evaluate(PAGE_FACTS_JS)
        found.facts[name] = facts
        found.problems += [f"{name}: image {image['src']!r} is missing" for image in facts["images"] if not image["ok"]]
        found.problems += [f"{name}: image {image['src']!r} is described by its file name" for image in facts["images"]
                           if image["alt"] and image["alt"].endswith(image["src"].rsplit("/", 1)[-1])]
        for href in facts["links"]:
            if not href.startswith(base):
                continue
            target, _, anchor = href[len(base):].partition("#")
            target = urllib.parse.unquote(target) or "index.html"
            targets.append((name, target, anchor))
            if target.endswith(".html") and target not in seen:
                seen.add(target)
                queue.append(target)
    for source, target, anchor in targets:
        if target.endswith(".html"):
            if target in found.facts and anchor and "ids" in found.facts[target] and urllib.parse.unquote(anchor) not in found.facts[target]["ids"]:
                found.problems.append(f"{source}: link to {target}#{anchor}: no such anchor")
        elif context.request.get(base + target).status != 200:
            found.problems.append(f"{source}: link to {target}: no such file")
    page.close()
    return found


def offline_context(browser: Any, base: str) -> Any:
    """A browser context that may load nothing but the site (MathJax's CDN, for one, is refused)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    return context


def axe_violations(context: Any, urls: list[str], whole: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """axe-core's violations on each page, ``AXE_PAGES_AT_ONCE`` pages at a time; the highlighted code is left
    out but on the pages in ``whole``."""
    results = {}
    for start in range(0, len(urls), AXE_PAGES_AT_ONCE):
        opened = []
        for url in urls[start:start + AXE_PAGES_AT_ONCE]:
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.evaluate(AXE_SCRIPT)
            where = {"exclude": [] if url.endswith(whole) else [[CODE]]}
            page.evaluate("([where, options]) => { window.__axeRun = axe.run(where, options); }", [where, AXE_OPTIONS])
            opened.append((url, page))
        for url, page in opened:
            results[url] = page.evaluate("() => window.__axeRun")["violations"]
            page.close()
    return results


def describe(violation: dict, nodes: list[dict] | None = None) -> str:
    nodes = violation["nodes"] if nodes is None else nodes
    where = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
    return f"{violation['impact']} {violation['id']} ({violation['help']}) x{len(nodes)}: {where}"


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("book") / "book"
    started = time.monotonic()
    said, offline = build_book(output)
    print(f"\n{said}\nthe build took {time.monotonic() - started:.1f} s"
          f"{' inside unshare -n (no network)' if offline else ''}")
    return output


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    with serve(built_book) as base:
        yield base


@pytest.fixture(scope="module")
def crawled(built_book: Path, site: str, browser: Any) -> Crawl:
    context = offline_context(browser, site)
    try:
        return crawl(context, site, site_pages(built_book))
    finally:
        context.close()


def content_pages(crawled: Crawl) -> list[str]:
    """The book's pages proper: every page but the index's redirect."""
    return [name for name in crawled.facts if name != "index.html"]


# --- the tests ---------------------------------------------------------------------------------------------
def test_every_page_opens_with_no_broken_link_or_missing_image(built_book: Path, crawled: Crawl) -> None:
    expected = {"README.html", "search.html", "notebooks/INSTRUCTOR_GUIDE.html",
                *(f"notebooks/{path.stem}.html" for path in notebook_paths())}
    assert expected <= set(site_pages(built_book)), f"pages missing from the book: {expected - set(site_pages(built_book))}"
    assert not crawled.problems, "\n".join(crawled.problems)
    untitled = [name for name in content_pages(crawled)
                if name not in ("search.html", "genindex.html") and not crawled.facts[name]["h1"]]
    assert not untitled, f"pages without a heading: {untitled}"


def test_the_index_leads_to_the_first_page(site: str, browser: Any) -> None:
    context = offline_context(browser, site)
    page = context.new_page()
    page.goto(site)
    page.wait_for_url(f"{site}README.html", timeout=10_000)
    assert page.locator("h1").first.text_content().startswith("MNIST with Keras")
    context.close()


def test_every_page_has_the_navigation_search_and_launch_buttons(crawled: Crawl, site: str) -> None:
    notebooks = [f"{site}notebooks/{path.stem}.html" for path in notebook_paths()]
    for name in content_pages(crawled):
        facts = crawled.facts[name]
        missing = [url for url in notebooks + [f"{site}notebooks/INSTRUCTOR_GUIDE.html"]
                   if url not in facts["navigation"] and url != site + name]  # the page itself is "#"
        assert not missing, f"{name}: the sidebar lacks {missing}"
        assert facts["search"], f"{name}: no search"
        assert [text for text, _ in facts["launch"]] == ["Binder", "Colab", "JupyterHub"], \
            f"{name}: launch buttons {facts['launch']}"


def test_launch_buttons_point_where_the_readmes_links_do(crawled: Crawl, site: str) -> None:
    """Built without BOOK_HUB (as published): Binder and Colab are the README's links; JupyterHub, which needs a
    class's hub, opens the guide's section on hubs (a page of the book: the crawl checks that its anchor exists)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    slug, branch = links.readme_repo(readme)
    guide = f"{site}{book_tool.HUB_GUIDE[0]}.html#{book_tool.HUB_GUIDE[1]}"
    for name in content_pages(crawled):
        stem = Path(name).stem
        notebook = f"{stem}.ipynb" if name.startswith("notebooks/") and stem[:2].isdigit() else None
        buttons = dict(crawled.facts[name]["launch"])
        buttons["JupyterHub"] = urllib.parse.urljoin(site + name, buttons["JupyterHub"])
        assert buttons == {**links.launch_links(slug, branch, None, notebook), "JupyterHub": guide}, f"{name}: {buttons}"
        assert f"]({buttons['Binder']})" in readme, f"{name}: its Binder button is not a link of the README"
        assert f"]({buttons['Colab']})" in readme, f"{name}: its Colab button is not a link of the README"


def test_with_a_hub_the_buttons_are_the_links_tools_links_prints(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture) -> None:
    hub = "https://hub.example.org"
    monkeypatch.setenv("BOOK_HUB", hub)
    slug, branch = links.readme_repo((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert links.main(["--hub", hub, "--repo", slug, "--branch", branch]) == 0
    printed = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    for path in notebook_paths():
        assert book_tool.book_links(path.name)["JupyterHub"] == printed[path.stem]
    assert book_tool.book_links()["JupyterHub"] == printed[notebook_paths()[0].stem]


def test_the_drawing_pad_shows_the_stored_example_and_its_answer(built_book: Path, crawled: Crawl) -> None:
    text = (built_book / "notebooks" / f"{Path(PAD_NOTEBOOK).stem}.html").read_text(encoding="utf-8")
    assert "DrawingPad object at" not in text and "VBox(children=" not in text
    stand_in = re.search(r'<div class="mnist-static" role="note">\s*<p>(.*?)</p>\s*<img src="data:image/png;base64,'
                         r'[A-Za-z0-9+/=]{1000,}" alt="([^"]+)">', text, re.S)
    assert stand_in, "no stand-in with the stored example drawing where the pad would be"
    assert "needs a running notebook" in stand_in[1] and re.search(r"it reads \d with \d+%", stand_in[2])
    assert "The upload button needs a running notebook" in text


def test_the_checker_finds_a_broken_link_a_missing_anchor_and_a_missing_image(tmp_path: Path, browser: Any) -> None:
    (tmp_path / "a.html").write_text('<html lang="en"><body><h1 id="top">A</h1><a href="b.html#nowhere">b</a>'
                                     '<a href="gone.html">gone</a><a href="b.html">fine</a><a href="#top">top</a>'
                                     '<a href="files/none.txt">file</a><img src="none.png" alt="none"></body></html>')
    (tmp_path / "b.html").write_text('<html lang="en"><body><h1 id="here">B</h1></body></html>')
    with serve(tmp_path) as base:
        context = offline_context(browser, base)
        found = crawl(context, base, ["a.html"])
        context.close()
    assert sorted(found.problems) == [
        "a.html: image 'none.png' is missing", "a.html: link to b.html#nowhere: no such anchor",
        "a.html: link to files/none.txt: no such file", "gone.html: does not open (HTTP 404)"]


def test_no_serious_or_critical_accessibility_violation_in_the_book(crawled: Crawl, site: str, browser: Any) -> None:
    context = offline_context(browser, site)
    try:
        assert WHOLE_PAGE in crawled.facts
        results = axe_violations(context, [site + name for name in content_pages(crawled)], whole=(WHOLE_PAGE,))
    finally:
        context.close()
    impacts = Counter(v["impact"] for violations in results.values() for v in violations for _ in v["nodes"])
    rules = Counter(f"{v['impact']} {v['id']}" for violations in results.values() for v in violations)
    print(f"\naxe-core {axe_package_version()} on {len(results)} book pages: "
          f"{dict(impacts) or 'no violation'} (elements, by impact); rules: {dict(rules)}")
    blocking = [f"{url[len(site):]}: {describe(v)}" for url, violations in results.items()
                for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)


def test_the_accessibility_checker_can_fail(tmp_path: Path, browser: Any) -> None:
    (tmp_path / "bad.html").write_text('<html lang="en"><body><main><h1>Bad</h1><img src="x.png">'
                                       '<button></button></main></body></html>')
    with serve(tmp_path) as base:
        context = offline_context(browser, base)
        results = axe_violations(context, [base + "bad.html"])
        context.close()
    found = {v["id"]: v["impact"] for v in results[base + "bad.html"]}
    assert found.get("image-alt") == "critical" and found.get("button-name") == "critical", found


def axe_package_version() -> str:
    match = re.search(r"axe v([\d.]+)", AXE_SCRIPT[:200])
    return match[1] if match else "?"


# --- JupyterLab with notebook 09 open ------------------------------------------------------------------------
RUN_CELLS_JS = """
async ([path, markers]) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  for (const marker of markers) {
    const index = panel.content.widgets.findIndex(c => c.model.sharedModel.getSource().includes(marker));
    if (index < 0) throw new Error(`no cell with ${marker}`);
    panel.content.activeCellIndex = index;
    await app.commands.execute('notebook:run-cell');
  }
}
"""
# For each node axe-core names: is it inside the project's content (the notebook's Markdown, outputs, the pad)?
OWNER_JS = """([targets, selector, renderer]) => targets.map(target => {
  let node = document;
  for (const part of target) { node = (node.shadowRoot || node).querySelector(part); if (!node) return false; }
  return !!node.closest(selector) && !(renderer && node.closest(renderer));
})"""


def test_jupyterlab_with_the_drawing_pad_open(lab_server: LabServer, browser: Any) -> None:
    """Notebook 09 in JupyterLab, its pad and upload button running: the project's own content has no serious
    or critical violation (JupyterLab's own are listed); the pad can be used without a mouse."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        open_notebook(page, lab_server, PAD_NOTEBOOK)
        page.evaluate(RUN_CELLS_JS, [PAD_NOTEBOOK, list(WIDGET_CELLS)])
        page.locator(".mnist-pad").wait_for(timeout=SERVER_START_TIMEOUT_S * 1000)
        page.locator(".widget-upload").wait_for(timeout=SERVER_START_TIMEOUT_S * 1000)

        # Without a mouse: the upload button and the pad's Clear are buttons with names, reached with Tab.
        clear = page.get_by_role("button", name="Clear the drawing")
        upload = page.get_by_role("button", name=re.compile("Upload a digit"))
        assert clear.count() == 1 and upload.count() == 1
        assert page.get_by_role("img", name=re.compile("drawing area")).count() == 1
        assert page.get_by_role("img", name=re.compile("what the network sees")).count() == 1
        assert page.get_by_role("status").filter(has_text="Draw a digit").count() == 1
        for _ in range(3):  # JupyterLab may move the focus to the notebook once the cells have run: try again
            clear.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            if clear.evaluate("button => document.activeElement === button"):
                break
            page.wait_for_timeout(1000)
        else:
            raise AssertionError("Clear is not reached with Tab")
        page.keyboard.press("Enter")

        page.evaluate(AXE_SCRIPT)
        violations = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)["violations"]
        owners = [page.evaluate(OWNER_JS, [[node["target"] for node in v["nodes"]], PROJECT_CONTENT,
                                           LAB_RENDERERS.get(v["id"])]) for v in violations]
    finally:
        context.close()
    own, lab = [], []
    for violation, inside in zip(violations, owners):
        mine = [node for node, is_mine in zip(violation["nodes"], inside) if is_mine]
        theirs = [node for node, is_mine in zip(violation["nodes"], inside) if not is_mine]
        if mine:
            own.append((violation, mine))
        if theirs:
            lab.append((violation, theirs))
    print(f"\naxe-core in JupyterLab with {PAD_NOTEBOOK} open, its pad and upload button running: "
          f"the project's own {count_by_impact(own)}, JupyterLab's own {count_by_impact(lab)}")
    for title, found in (("the project's own", own), ("JupyterLab's own", lab)):
        for violation, nodes in found:
            print(f"  {title}: {describe(violation, nodes)}")
    blocking = [describe(v, nodes) for v, nodes in own if v["impact"] in BLOCKING]
    assert not blocking, "serious or critical violations in the project's own content:\n" + "\n".join(blocking)


def count_by_impact(found: list[tuple[dict, list[dict]]]) -> dict[str, int]:
    counts = Counter()
    for violation, nodes in found:
        counts[violation["impact"]] += len(nodes)
    return dict(counts)


def test_the_search_finds_the_notebook_that_teaches_a_word(site: str, browser: Any) -> None:
    context = offline_context(browser, site)
    try:
        page = context.new_page()
        page.goto(f"{site}search.html?q=GradientTape")
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=15_000)
        found = [urllib.parse.urlsplit(href).path for href in results.evaluate_all("links => links.map(a => a.href)")]
    finally:
        context.close()
    assert "/notebooks/08_under_the_hood.html" in found, found
