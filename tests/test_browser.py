"""Real-browser test: JupyterLab in headless Chromium opens a notebook of the series and runs it.

It checks what a learner sees: the notebook opens without asking for a kernel,
every cell runs, and no cell ends in an error.  A screenshot of the executed
notebook goes to ``outputs/browser/<notebook>.png``.

- ``BROWSER_TEST_NOTEBOOK``: the notebook in ``notebooks/`` to run (default
  ``02_network_architecture.ipynb``, which is short and does not train).
- ``BROWSER_TEST_TIMEOUT``: seconds allowed for running all cells (default 300).

A second test runs notebook 09 and draws on its drawing pad with Playwright's mouse, as a
learner would: a vertical bar must be read as a 1, a ring as a 0.

JupyterLab serves a temporary copy of ``notebooks/``, with its own config, data
and runtime folders, so it never changes the tracked notebooks and no user
setting leaks in.  The tests share that server but no state: every page opens its notebook in a
workspace of its own, reset on opening (JupyterLab restores a workspace's open notebooks and
their dialogs otherwise), and after each test its sessions, kernels, workspaces and scratch
notebooks are removed, so the tests pass in any order.  ``import helpers`` still works through the venv's editable install (pyproject.toml),
and the MNIST cache and ``outputs/`` are found through ``helpers.REPO_ROOT``.

How the test drives the page: the server runs with
``LabApp.expose_app_in_browser`` (as JupyterLab's own Galata tests do), so the
test runs the JupyterLab commands ``notebook:clear-all-cell-outputs`` and
``notebook:run-all-cells``, the same commands as Edit > Clear Outputs of All
Cells and Run > Run All Cells, without depending on menu labels, hover timing
or keyboard focus.  Errors are read from the notebook model behind the page:
JupyterLab 4 renders error outputs with ``data-mime-type=
"application/vnd.jupyter.stderr"``, exactly like stderr stream output
(warnings), so only the model's ``output_type == "error"`` tells them apart.
The failure message quotes the error text as rendered in the page.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO_ROOT, TF_CPP_MIN_LOG_LEVEL, outputs_dir, shown_path
from tools.ports import free_port

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -r tests/requirements.txt"
)

# Debian's chromium, found on PATH (Playwright drives it; it never downloads a browser of its own).
CHROMIUM = Path(shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,  # registered in tests/conftest.py; `-m "not browser"` leaves these tests out
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not on PATH: sudo apt-get install chromium"),
]

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
DEFAULT_NOTEBOOK = "02_network_architecture.ipynb"
DEFAULT_TIMEOUT_S = 300.0
SERVER_START_TIMEOUT_S = 60.0
KERNEL_START_TIMEOUT_S = 60.0
# A kernel-selection dialog shows up right after the notebook panel; watch at least this long.
KERNEL_DIALOG_WATCH_S = 3.0
POLL_INTERVAL_MS = 500
# Notebooks that a test writes into the server's folder start with this; they are removed after each test.
SCRATCH_PREFIX = "browser_test_"
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 16000  # Chromium's limit for one screenshot is 16384 pixels
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# JupyterLab settings for the throwaway server: no news or update toasts, no autosave
# (it serves a copy anyway), and every cell attached to the page so the screenshot
# shows the whole notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
# Environment variables that could point Jupyter at the user's own settings.
LEAKY_ENV = ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR",
             "JUPYTERLAB_DIR", "JUPYTER_TOKEN_FILE", "JUPYTER_ALLOW_INSECURE_WRITES")

# Everything the test reads from the page, in one round trip: open dialogs, the
# notebook's kernel, and per code cell its prompt, execution count and outputs.
NOTEBOOK_STATE_JS = """
(path) => {
  const dialogs = [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.trim());
  const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  if (!panel) return {found: false, dialogs};
  const kernel = panel.sessionContext.session ? panel.sessionContext.session.kernel : null;
  const indicator = panel.node.querySelector('.jp-Notebook-ExecutionIndicator');
  const cells = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const outputs = cell.model.outputs.toJSON();
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    const outputArea = cell.node.querySelector('.jp-OutputArea');
    cells.push({
      index,
      source: cell.model.sharedModel.getSource(),
      prompt: prompt ? prompt.textContent.trim() : '',
      executionCount: cell.model.executionCount,
      errors: outputs.filter(o => o.output_type === 'error').map(o => ({ename: o.ename, evalue: o.evalue})),
      renderedOutput: outputArea ? outputArea.innerText : '',
    });
  });
  return {
    found: true,
    dialogs,
    kernelName: kernel ? kernel.name : null,
    kernelStatus: kernel ? kernel.status : 'no kernel',
    indicatorStatus: indicator ? indicator.dataset.status : null,
    cells,
  };
}
"""

RUN_ALL_JS = """
async (path) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  app.shell.collapseLeft();
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  app.commands.execute('notebook:run-all-cells');  // not awaited: the test polls, with a timeout
}
"""

# Scrolls the notebook to its first cell (unselected) and returns the page height that shows every cell.
TOP_OF_NOTEBOOK_JS = """
(path) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  panel.content.activeCellIndex = 0;
  panel.content.deselectAll();
  scroller.scrollTop = 0;
  const cells = panel.content.widgets;
  const box = scroller.getBoundingClientRect();
  const contentHeight = cells.length ? cells[cells.length - 1].node.getBoundingClientRect().bottom - box.top : 0;
  return window.innerHeight - box.height + contentHeight + 40;
}
"""


@dataclass
class LabServer:
    """A running JupyterLab serving a temporary copy of ``notebooks/``."""

    url: str
    token: str
    root_dir: Path
    runtime_dir: Path
    log_path: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET", timeout: float = 5.0) -> bytes:
        """Call the server's REST API with the token."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def api_json(self, path: str, method: str = "GET") -> Any:
        """The server's JSON answer to ``path`` (None for an empty answer)."""
        body = self.api(path, method)
        return json.loads(body) if body.strip() else None

    def clean(self) -> None:
        """Remove what a test left: its sessions (and their kernels), kernels, workspaces and scratch files."""
        for session in self.api_json("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)
        for kernel in self.api_json("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=30)
        for workspace in self.api_json("/lab/api/workspaces")["workspaces"]["ids"]:
            self.api(f"/lab/api/workspaces/{urllib.parse.quote(workspace)}", method="DELETE")
        for path in self.root_dir.glob(f"{SCRATCH_PREFIX}*"):
            path.unlink()

    def log_tail(self, lines: int = 25) -> str:
        """The last lines of the server's log, for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class CellError:
    """A code cell whose output holds an error."""

    index: int
    execution_count: int | None
    first_line: str
    errors: list[dict[str, str]]
    rendered_output: str

    def describe(self) -> str:
        """The cell and its error as one readable block."""
        names = "; ".join(f"{e['ename']}: {e['evalue']}" for e in self.errors)
        rendered = "\n".join(self.rendered_output.strip().splitlines()[-12:])
        return (f"cell {self.index} [{self.execution_count}] `{self.first_line}` raised {names}\n"
                f"--- as shown in JupyterLab ---\n{rendered}")


@dataclass
class NotebookRun:
    """What the page showed once every cell had run."""

    notebook: str
    kernel_name: str
    execution_counts: list[int | None]
    errors: list[CellError]
    seconds: float


def positive_seconds(name: str, default: float) -> float:
    """The number of seconds in environment variable ``name``, or ``default``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        pytest.fail(f"{name}={value!r}: give a positive number of seconds, e.g. {name}={default:g}", pytrace=False)
    return seconds


def notebook_under_test() -> str:
    """The notebook named by ``BROWSER_TEST_NOTEBOOK`` (a file in ``notebooks/``), checked to exist."""
    name = os.environ.get("BROWSER_TEST_NOTEBOOK", "").strip() or DEFAULT_NOTEBOOK
    name = Path(name).name  # "notebooks/02_x.ipynb" and "02_x" work too
    if not name.endswith(".ipynb"):
        name += ".ipynb"
    if not (NOTEBOOKS_DIR / name).is_file():
        available = ", ".join(sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))) or "none"
        pytest.fail(f"BROWSER_TEST_NOTEBOOK={name!r} is not in notebooks/ (available: {available})", pytrace=False)
    return name


def start_lab(base: Path) -> LabServer:
    """Start JupyterLab on a free port of 127.0.0.1 with a random token; wait until it answers."""
    root_dir = base / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    config_dir, data_dir, runtime_dir = base / "config", base / "data", base / "runtime"
    for folder in (config_dir, data_dir, runtime_dir, base / "ipython"):
        folder.mkdir()
    # Read by jupyterlab_server as defaults for every plugin's settings.
    (config_dir / "labconfig").mkdir()
    (config_dir / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=1))

    token = secrets.token_hex(24)
    env = {key: value for key, value in os.environ.items() if key not in LEAKY_ENV}
    env.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_DATA_DIR=str(data_dir),
        JUPYTER_RUNTIME_DIR=str(runtime_dir),
        IPYTHONDIR=str(base / "ipython"),  # no IPython startup files of the user in the kernel
        JUPYTER_TOKEN=token,  # IdentityProvider.token's source; unlike an argument, not visible in `ps`
        TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", TF_CPP_MIN_LOG_LEVEL),
    )
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # fail rather than move to another port
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.open_browser=False",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    log_path = base / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, runtime_dir, log_path, process)

    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            stop_lab(server)
            pytest.fail(f"JupyterLab exited with code {process.returncode} on start-up:\n{server.log_tail()}")
        try:
            json.loads(server.api("/api/status", timeout=2))
            return server
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            stop_lab(server)
            pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S:g} s:\n{server.log_tail()}")
        time.sleep(0.25)


def stop_lab(server: LabServer) -> None:
    """Shut the server down with its kernels; kill whatever is left of it."""
    if server.process.poll() is None:
        try:
            server.api("/api/shutdown", method="POST", timeout=10)  # also shuts down the kernels
        except (OSError, urllib.error.URLError):
            pass
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.process.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
    # Kernels run in sessions of their own; ours are the processes whose connection
    # file lies in this server's private runtime folder.
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command_line = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(server.runtime_dir) in command_line:
            try:
                os.kill(int(proc.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab for this module's tests, always shut down afterwards."""
    server = start_lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        stop_lab(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, lab_server: LabServer) -> Iterator[Any]:
    """A fresh browser context (no cookies, no storage) and a page in it; the server is cleaned afterwards."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
        lab_server.clean()


def notebook_state(page: Any, notebook: str) -> dict[str, Any]:
    """The page's dialogs, kernel and code cells right now (see ``NOTEBOOK_STATE_JS``)."""
    return page.evaluate(NOTEBOOK_STATE_JS, notebook)


def fail_on_dialog(state: dict[str, Any], notebook: str, when: str) -> None:
    """Raise if a dialog blocks the notebook; name a kernel-selection dialog as such."""
    for text in state["dialogs"]:
        one_line = " | ".join(line for line in text.splitlines() if line.strip())
        if "kernel" in text.lower():
            raise AssertionError(f"{notebook}: a kernel dialog appeared {when}: {one_line}")
        raise AssertionError(f"{notebook}: a dialog blocked the notebook {when}: {one_line}")


def notebook_url(server: LabServer, notebook: str, workspace: str | None = None) -> str:
    """The URL that opens ``notebook``: in ``workspace``, reset on opening, or (None) in the default workspace."""
    where = f"/lab/workspaces/{workspace}" if workspace else "/lab"
    reset = "reset&" if workspace else ""
    return f"{server.url}{where}/tree/{urllib.parse.quote(notebook)}?{reset}token={server.token}"


def open_notebook(page: Any, server: LabServer, notebook: str) -> dict[str, Any]:
    """Open ``notebook`` in a new, empty workspace; return the state once its kernel is idle, failing on any dialog.

    A workspace of its own means no notebook or dialog of an earlier page is restored beside it.
    """
    workspace = f"browser-test-{secrets.token_hex(6)}"
    page.goto(notebook_url(server, notebook, workspace), timeout=SERVER_START_TIMEOUT_S * 1000)
    return wait_for_kernel(page, server, notebook)


def wait_for_kernel(page: Any, server: LabServer, notebook: str) -> dict[str, Any]:
    """Wait until ``notebook`` is open in the page and its kernel idle; return the state, failing on any dialog."""
    page.wait_for_function(
        "(path) => window.jupyterapp && [...window.jupyterapp.shell.widgets('main')]"
        ".some(w => w.context && w.context.path === path)",
        arg=notebook, timeout=SERVER_START_TIMEOUT_S * 1000, polling=POLL_INTERVAL_MS,
    )
    opened = time.monotonic()
    while True:
        state = notebook_state(page, notebook)
        fail_on_dialog(state, notebook, "on opening (the notebook should start its kernel by itself)")
        waited = time.monotonic() - opened
        if state["kernelStatus"] == "idle" and waited >= KERNEL_DIALOG_WATCH_S:
            return state
        if waited > KERNEL_START_TIMEOUT_S:
            raise AssertionError(f"{notebook}: the kernel did not start within {KERNEL_START_TIMEOUT_S:g} s "
                                 f"(status: {state['kernelStatus']}):\n{server.log_tail()}")
        page.wait_for_timeout(POLL_INTERVAL_MS)


def run_all_cells(page: Any, server: LabServer, notebook: str, timeout_s: float) -> NotebookRun:
    """Open ``notebook``, clear its outputs, run all cells and wait until the kernel has finished."""
    started = time.monotonic()
    opened = open_notebook(page, server, notebook)
    return run_opened_notebook(page, server, notebook, timeout_s, opened, started)


def run_opened_notebook(page: Any, server: LabServer, notebook: str, timeout_s: float,
                        opened: dict[str, Any], started: float,
                        check: Callable[[], None] | None = None) -> NotebookRun:
    """Clear the outputs of the open ``notebook``, run all its cells and wait until the kernel has finished.

    ``check``, if given, is called at every poll and may raise to stop waiting.
    """
    page.evaluate(RUN_ALL_JS, notebook)
    deadline = time.monotonic() + timeout_s
    while True:
        page.wait_for_timeout(POLL_INTERVAL_MS)
        if check is not None:
            check()
        state = notebook_state(page, notebook)
        fail_on_dialog(state, notebook, "while the cells ran")
        if state["kernelStatus"] in ("dead", "unknown", "no kernel"):
            raise AssertionError(f"{notebook}: the kernel stopped (status: {state['kernelStatus']}):\n"
                                 f"{server.log_tail()}")
        # Blank cells are never sent to the kernel; after an error the rest are not run.
        runnable = [cell for cell in state["cells"] if cell["source"].strip()]
        running = [cell for cell in runnable if cell["prompt"] == "[*]:"]
        all_ran = all(cell["executionCount"] is not None for cell in runnable)
        errored = any(cell["errors"] for cell in state["cells"])
        idle = state["kernelStatus"] == "idle" and state["indicatorStatus"] in (None, "idle")
        if idle and not running and (all_ran or errored):
            break
        if time.monotonic() > deadline:
            waiting = [f"cell {cell['index']} {cell['prompt']}" for cell in runnable
                       if cell["executionCount"] is None]
            raise AssertionError(
                f"{notebook}: not finished after {timeout_s:g} s (BROWSER_TEST_TIMEOUT); kernel "
                f"{state['kernelStatus']}, still waiting for: {', '.join(waiting) or 'the kernel to be idle'}")
    errors = [
        CellError(cell["index"], cell["executionCount"], cell["source"].strip().splitlines()[0],
                  cell["errors"], cell["renderedOutput"])
        for cell in state["cells"] if cell["errors"]
    ]
    return NotebookRun(
        notebook=notebook,
        kernel_name=opened["kernelName"],
        execution_counts=[cell["executionCount"] for cell in runnable],
        errors=errors,
        seconds=time.monotonic() - started,
    )


def save_screenshot(page: Any, notebook: str, path: Path) -> Path:
    """A screenshot of the whole notebook (up to Chromium's height limit) at ``path``."""
    height = page.evaluate(TOP_OF_NOTEBOOK_JS, notebook)
    page.set_viewport_size({"width": VIEWPORT["width"],
                            "height": max(VIEWPORT["height"], min(int(height) + 20, MAX_SCREENSHOT_HEIGHT))})
    page.wait_for_timeout(500)  # let JupyterLab lay the panel out again
    page.evaluate(TOP_OF_NOTEBOOK_JS, notebook)  # back to the top after the resize
    page.wait_for_timeout(200)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


def assert_no_cell_errors(run: NotebookRun) -> None:
    """Fail with every erroring cell's error text."""
    if run.errors:
        details = "\n\n".join(error.describe() for error in run.errors)
        raise AssertionError(f"{run.notebook}: {len(run.errors)} cell(s) ended in an error:\n{details}")


def kernelspec_name(path: Path) -> str:
    """The kernel a notebook file asks for."""
    return json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]


def write_notebook(path: Path, sources: list[str], kernel: str = "python3", language: str = "python") -> Path:
    """A small notebook of code cells for the tests that prove this test can fail."""
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources],
        metadata={"kernelspec": {"name": kernel, "display_name": kernel, "language": language}},
    )
    nbformat.write(notebook, path)
    return path


def test_notebook_runs_in_jupyterlab(lab_server: LabServer, page: Any) -> None:
    """The chosen notebook opens with its kernel, runs every cell in order and shows no error."""
    notebook = notebook_under_test()
    timeout_s = positive_seconds("BROWSER_TEST_TIMEOUT", DEFAULT_TIMEOUT_S)
    run = run_all_cells(page, lab_server, notebook, timeout_s)
    screenshot = save_screenshot(page, notebook, outputs_dir() / "browser" / f"{Path(notebook).stem}.png")
    print(f"\n{notebook}: {len(run.execution_counts)} code cells ran in {run.seconds:.1f} s "
          f"(kernel {run.kernel_name}); screenshot {shown_path(screenshot)}")

    assert_no_cell_errors(run)
    assert run.kernel_name == kernelspec_name(NOTEBOOKS_DIR / notebook)
    # A fresh kernel numbers the cells 1, 2, 3...: every cell ran once, in order, in this session.
    assert run.execution_counts == list(range(1, len(run.execution_counts) + 1))


def test_a_failing_cell_fails_the_test(lab_server: LabServer, page: Any, tmp_path: Path) -> None:
    """A cell that raises stops the run, and the failure message names the error."""
    notebook = f"{SCRATCH_PREFIX}failing_cell.ipynb"
    write_notebook(lab_server.root_dir / notebook, [
        'print("the first cell runs")',
        'raise ValueError("deliberate failure for the browser test")',
        'print("never reached")',
    ])
    run = run_all_cells(page, lab_server, notebook, timeout_s=60)
    save_screenshot(page, notebook, tmp_path / "failing_cell.png")

    assert [error.index for error in run.errors] == [1]
    assert run.execution_counts == [1, 2, None]
    with pytest.raises(AssertionError, match="ValueError: deliberate failure for the browser test") as failure:
        assert_no_cell_errors(run)
    assert "Traceback" in str(failure.value)  # the traceback as rendered in the page


def test_a_kernel_dialog_fails_the_test(lab_server: LabServer, page: Any) -> None:
    """A notebook asking for a kernel that does not exist is caught by its kernel-selection dialog."""
    notebook = f"{SCRATCH_PREFIX}unknown_kernel.ipynb"
    # An unknown name alone is not enough: JupyterLab then picks the one kernel of the same language.
    write_notebook(lab_server.root_dir / notebook, ['print("unreachable")'],
                   kernel="no-such-kernel", language="no-such-language")
    with pytest.raises(AssertionError, match="kernel dialog appeared on opening"):
        open_notebook(page, lab_server, notebook)


def saved_workspace_opens(server: LabServer, notebook: str, workspace: str = "default",
                          timeout_s: float = 30.0) -> None:
    """Wait until the server has saved ``workspace`` with ``notebook`` open in it."""
    deadline = time.monotonic() + timeout_s
    while notebook not in server.api(f"/lab/api/workspaces/{workspace}").decode():
        if time.monotonic() > deadline:
            raise AssertionError(f"JupyterLab did not save workspace {workspace!r} with {notebook} open "
                                 f"within {timeout_s:g} s")
        time.sleep(0.25)


def test_a_page_restores_nothing_from_an_earlier_page(lab_server: LabServer, browser: Any, page: Any) -> None:
    """A notebook left open, with its kernel dialog, in a saved workspace does not reach the next page."""
    leftover = f"{SCRATCH_PREFIX}left_open.ipynb"
    write_notebook(lab_server.root_dir / leftover, ['print("unreachable")'],
                   kernel="no-such-kernel", language="no-such-language")
    earlier = browser.new_context(viewport=VIEWPORT)
    try:
        earlier_page = earlier.new_page()
        earlier_page.goto(notebook_url(lab_server, leftover), timeout=SERVER_START_TIMEOUT_S * 1000)
        earlier_page.wait_for_selector(".jp-Dialog", timeout=SERVER_START_TIMEOUT_S * 1000)
        saved_workspace_opens(lab_server, leftover)  # the state that a plain /lab/tree/ URL would restore
    finally:
        earlier.close()

    state = open_notebook(page, lab_server, DEFAULT_NOTEBOOK)
    open_documents = page.evaluate(
        "() => [...window.jupyterapp.shell.widgets('main')].filter(w => w.context).map(w => w.context.path)")
    assert open_documents == [DEFAULT_NOTEBOOK]
    assert state["dialogs"] == []


DRAWING_NOTEBOOK = "09_ask_the_network.ipynb"
ANSWER_TIMEOUT_S = 60.0  # from the last stroke to a settled answer on the pad (the kernel prepares and predicts)


def draw_on_pad(page: Any, points: list[tuple[float, float]]) -> None:
    """One stroke with the mouse through ``points``, given in the pad's canvas pixels (0 to its width)."""
    canvas = page.locator(".mnist-pad-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / float(canvas.get_attribute("width"))
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0] * scale, y0 + points[0][1] * scale)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x * scale, y0 + y * scale, steps=2)
    page.mouse.up()


def settled_answer(page: Any, timeout_s: float = ANSWER_TIMEOUT_S) -> str:
    """The digit the pad shows once the kernel has answered every update of the strokes.

    While you draw, the pad sends the strokes several times a second, so an answer about a half-drawn
    stroke can show for a moment; settled means the kernel is idle and the answer and the 28x28 image
    have not changed for a second.
    """
    deadline = time.monotonic() + timeout_s
    last, same_since = None, time.monotonic()
    while True:
        page.wait_for_timeout(250)
        kernel = notebook_state(page, DRAWING_NOTEBOOK)["kernelStatus"]
        shown = page.evaluate("""() => {
          const pad = document.querySelector('.mnist-pad');
          return [pad.querySelector('.mnist-pad-prediction').dataset.digit,
                  pad.querySelector('.mnist-pad-seen').toDataURL()];
        }""")
        if shown != last or kernel != "idle":
            last, same_since = shown, time.monotonic()
        elif time.monotonic() - same_since >= 1.0:
            return shown[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"the pad's answer did not settle within {timeout_s:g} s (kernel {kernel})")


def test_drawing_on_the_pad_shows_the_networks_answer(lab_server: LabServer, page: Any) -> None:
    """Notebook 09 runs; a bar drawn with the mouse is read as 1, then (after Clear) a ring as 0."""
    timeout_s = positive_seconds("BROWSER_TEST_TIMEOUT", DEFAULT_TIMEOUT_S)
    started = time.monotonic()
    run = run_all_cells(page, lab_server, DRAWING_NOTEBOOK, timeout_s)
    assert_no_cell_errors(run)
    assert page.locator(".mnist-pad-canvas").count() == 1, "the drawing pad did not render"
    assert page.locator(".mnist-pad-prediction").text_content() == "Draw a digit"

    drawn = time.monotonic()
    draw_on_pad(page, [(140, 40 + 10 * i) for i in range(21)])  # a vertical bar, 200 px tall
    bar = settled_answer(page)
    shot = outputs_dir() / "browser" / "09_drawing_pad_bar.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".mnist-pad").screenshot(path=str(shot))
    assert bar == "1", f"the bar was read as {bar!r}: {page.locator('.mnist-pad-prediction').text_content()}"

    page.locator(".mnist-pad-clear").click()
    assert settled_answer(page) == "", "Clear did not clear the answer"
    ring = [(140 + 70 * math.sin(a), 140 - 90 * math.cos(a)) for a in (2 * math.pi * i / 48 for i in range(49))]
    draw_on_pad(page, ring)
    zero = settled_answer(page)
    page.locator(".mnist-pad").screenshot(path=str(outputs_dir() / "browser" / "09_drawing_pad_ring.png"))
    assert zero == "0", f"the ring was read as {zero!r}: {page.locator('.mnist-pad-prediction').text_content()}"
    print(f"\n{DRAWING_NOTEBOOK}: ran in {run.seconds:.1f} s; drawing a bar and a ring and reading both "
          f"took {time.monotonic() - drawn:.1f} s; whole test {time.monotonic() - started:.1f} s; "
          f"screenshots in {shown_path(shot.parent)}")
