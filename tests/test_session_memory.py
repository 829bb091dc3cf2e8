"""A learner's whole session in JupyterLab within Binder's 2 GiB (issue 9).

Like a learner, headless Chromium opens the first notebook of the series, runs all its
cells, follows its "Next" link, runs all cells, and so on to the last notebook, leaving
every tab open.  JupyterLab and its kernels run inside a memory cgroup limited to 2 GiB
(cgroup v1 ``memory.limit_in_bytes`` or v2 ``memory.max``, made as root), as on Binder,
where the kernel's out-of-memory killer ends the process that pushes the group past its
limit and JupyterLab shows the kernel "restarting".  The browser is not in the group: it
runs on the learner's machine.

The test fails when a kernel died or restarted (seen by the cgroup's OOM-kill count, the
server's log, the kernels' process ids and the page's kernel status), when a cell ended in
an error, or when the server and its kernels together held more than the limit: the sum of
their proportional set sizes (PSS, shared libraries such as TensorFlow's counted once), the
check that also applies where no cgroup can be made.

It prints, and writes to ``outputs/browser/session_memory.txt``, the peak per notebook and
for the whole session: the cgroup's own peak (``memory.max_usage_in_bytes``, or
``memory.peak``; it includes reclaimable file cache), the sampled peak of the summed PSS,
the kernels alive, and each notebook's kernel peak (``VmHWM``).

- ``SESSION_MEMORY_LIMIT_MIB``: the limit in MiB (default 2048); ``0`` measures without a limit.
- ``BROWSER_TEST_TIMEOUT``: seconds allowed per notebook (default 300).
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO_ROOT, outputs_dir, shown_path
from helpers import NOTEBOOK_PATTERN

# Skips this module cleanly, as test_browser does, when Playwright is missing.
from test_browser import (  # noqa: E402  (tests/ is on sys.path: pytest's rootdir-relative import)
    CHROMIUM, CHROMIUM_FLAGS, DEFAULT_TIMEOUT_S, SERVER_START_TIMEOUT_S, VIEWPORT, LabServer,
    assert_no_cell_errors, open_notebook, positive_seconds, run_opened_notebook, start_lab, stop_lab,
    sync_api, wait_for_kernel,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.session,  # not in `make test`: `make test-session` (CI runs it with its second Python)
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not on PATH: sudo apt-get install chromium"),
]

MIB = 1024 * 1024
DEFAULT_LIMIT_MIB = 2048  # Binder's (and many hubs') memory limit per learner
SAMPLE_INTERVAL_S = 0.25
KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")
# What jupyter_client's restarter logs when a kernel process died and it starts a new one.
RESTART_LOG = re.compile(r"KernelRestarter|restarting kernel|kernel .* died", re.IGNORECASE)
RESTART_STATUSES = {"autorestarting", "restarting"}

# Watches every notebook panel's kernel status (attaching to new panels), returns all changes so far.
KERNEL_EVENTS_JS = """
() => {
  const events = window.__sessionKernelEvents = window.__sessionKernelEvents || [];
  for (const panel of window.jupyterapp.shell.widgets('main')) {
    if (!panel.sessionContext || panel.__sessionWatched) continue;
    panel.__sessionWatched = true;
    const path = panel.context.path;
    panel.sessionContext.statusChanged.connect((_, status) => events.push({path, status}));
  }
  return events.slice();
}
"""

# The "Next →" links in the last cell of an open notebook (the generated navigation cell).
NEXT_LINKS_JS = """
(path) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const cells = panel.content.widgets;
  const last = cells[cells.length - 1];
  return {panelId: panel.id, links: [...last.node.querySelectorAll('a')]
    .filter(a => a.textContent.trim().endsWith('→'))
    .map(a => ({text: a.textContent.trim(), href: a.getAttribute('href')}))};
}
"""


# What each open notebook's toolbar shows about its kernel at the end (for the report).
TAB_KERNELS_JS = """
() => [...window.jupyterapp.shell.widgets('main')].filter(w => w.sessionContext).map(w => ({
  path: w.context.path, kernel: w.sessionContext.kernelDisplayName,
  status: w.sessionContext.session && w.sessionContext.session.kernel
    ? w.sessionContext.session.kernel.status : 'no kernel'}))
"""


def series() -> list[str]:
    """The numbered notebooks of the series, in order."""
    return sorted(path.name for path in (REPO_ROOT / "notebooks").glob(NOTEBOOK_PATTERN))


def mib(n_bytes: float | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / MIB:,.0f} MiB"


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def read_keyed(path: Path) -> dict[str, int]:
    """A cgroup file of ``key value`` lines (memory.stat, memory.oom_control, memory.events)."""
    try:
        pairs = (line.split() for line in path.read_text().splitlines())
        return {pair[0]: int(pair[1]) for pair in pairs if len(pair) == 2 and pair[1].isdigit()}
    except OSError:
        return {}


class MemoryCgroup:
    """A memory cgroup (v1 or v2) below this process's own, with a limit; removed by ``remove``."""

    def __init__(self, path: Path, version: int):
        self.path = path
        self.version = version

    @classmethod
    def create(cls, limit_bytes: int | None) -> tuple[MemoryCgroup | None, str]:
        """The new group, or None and the reason why none could be made here."""
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        v1 = [line.split(":", 2)[2] for line in lines if line.split(":")[1:2] == ["memory"]]
        name = f"mnist-session-{os.getpid()}"
        try:
            if v1 and Path("/sys/fs/cgroup/memory").is_dir():
                parent = Path("/sys/fs/cgroup/memory") / v1[0].lstrip("/")
                group = cls(parent / name, 1)
                group.path.mkdir()
                if limit_bytes:
                    (group.path / "memory.limit_in_bytes").write_text(str(limit_bytes))
                    if (group.path / "memory.memsw.limit_in_bytes").exists():  # no way round it through swap
                        (group.path / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
                try:  # charge the server's memory to the group when it moves in
                    (group.path / "memory.move_charge_at_immigrate").write_text("3")
                except OSError:
                    pass
                return group, f"cgroup v1 {group.path}"
            v2 = [line[3:] for line in lines if line.startswith("0::")]
            parent = Path("/sys/fs/cgroup") / (v2[0].lstrip("/") if v2 else "")
            if "memory" not in (parent / "cgroup.controllers").read_text().split():
                return None, f"no memory controller in {parent}"
            if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                (parent / "cgroup.subtree_control").write_text("+memory")
            group = cls(parent / name, 2)
            group.path.mkdir()
            if limit_bytes:
                (group.path / "memory.max").write_text(str(limit_bytes))
                if (group.path / "memory.swap.max").exists():
                    (group.path / "memory.swap.max").write_text("0")
            return group, f"cgroup v2 {group.path}"
        except OSError as err:
            return None, f"cannot make a memory cgroup here ({err})"

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def usage(self) -> int | None:
        return read_int(self.path / ("memory.usage_in_bytes" if self.version == 1 else "memory.current"))

    def take_peak(self) -> int | None:
        """The group's peak usage since the last call (v1 resets it; v2's memory.peak is the whole life)."""
        if self.version == 1:
            peak = read_int(self.path / "memory.max_usage_in_bytes")
            try:
                (self.path / "memory.max_usage_in_bytes").write_text("0")
            except OSError:
                pass
            return peak
        return read_int(self.path / "memory.peak")

    def oom_kills(self) -> int:
        if self.version == 1:
            return read_keyed(self.path / "memory.oom_control").get("oom_kill", 0)
        return read_keyed(self.path / "memory.events").get("oom_kill", 0)

    def remove(self) -> None:
        for _ in range(40):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # processes still leaving
                time.sleep(0.25)


def process_memory(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS (status) and Pss (smaps_rollup) of a process, in bytes; {} once it is gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                values[line.split(":")[0]] = int(line.split()[1]) * 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                values["Pss"] = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return {}
    return values


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            ppid = int(text[text.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def kernel_id_of(pid: int) -> str | None:
    try:
        match = KERNEL_FILE.search(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
    except OSError:
        return None
    return match.group(1) if match else None


@dataclass
class Segment:
    """The memory figures while one notebook was the one being run."""

    notebook: str
    peak_pss: int = 0
    peak_usage: int = 0
    cgroup_peak: int | None = None
    kernels_alive: int = 0
    cells: int = 0
    seconds: float = 0.0


@dataclass
class KernelRecord:
    pids: set[int] = field(default_factory=set)
    hwm: int = 0


class MemoryWatch(threading.Thread):
    """Samples the server's and its kernels' memory every SAMPLE_INTERVAL_S, per notebook."""

    def __init__(self, server_pid: int, cgroup: MemoryCgroup | None):
        super().__init__(daemon=True)
        self.server_pid, self.cgroup = server_pid, cgroup
        self.lock = threading.Lock()
        self.segments: list[Segment] = []
        self.kernels: dict[str, KernelRecord] = {}
        self.stopped = threading.Event()

    def begin(self, notebook: str) -> Segment:
        """Start the figures of ``notebook`` (closing those of the one before)."""
        with self.lock:
            self._close_segment()
            self.segments.append(Segment(notebook))
            return self.segments[-1]

    def _close_segment(self) -> None:
        if self.segments and self.cgroup is not None:
            self.segments[-1].cgroup_peak = self.cgroup.take_peak()
        elif self.cgroup is not None:
            self.cgroup.take_peak()  # the server's start-up is not a notebook's

    def finish(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        with self.lock:
            self._close_segment()

    def sample(self) -> None:
        pids = set(self.cgroup.pids() if self.cgroup is not None else []) | set(descendants(self.server_pid))
        total_pss, alive = 0, 0
        for pid in pids:
            memory = process_memory(pid)
            total_pss += memory.get("Pss", 0)
            kernel = kernel_id_of(pid)
            if kernel and memory:
                alive += 1
                record = self.kernels.setdefault(kernel, KernelRecord())
                record.pids.add(pid)
                record.hwm = max(record.hwm, memory.get("VmHWM", 0))
        usage = self.cgroup.usage() if self.cgroup is not None else None
        with self.lock:
            if self.segments:
                segment = self.segments[-1]
                segment.peak_pss = max(segment.peak_pss, total_pss)
                segment.peak_usage = max(segment.peak_usage, usage or 0)
                segment.kernels_alive = alive

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_INTERVAL_S):
            self.sample()


def kernel_ids_by_notebook(server: LabServer) -> dict[str, str]:
    """Notebook path -> id of its kernel, for the server's current sessions."""
    sessions = json.loads(server.api("/api/sessions"))
    return {session["path"]: session["kernel"]["id"] for session in sessions if session.get("kernel")}


def follow_next_link(page: Any, notebook: str, expected: str) -> None:
    """Click the "Next →" link in the last cell of ``notebook``, as a learner does; check where it leads."""
    found = page.evaluate(NEXT_LINKS_JS, notebook)
    hrefs = [link["href"] for link in found["links"]]
    assert len(hrefs) == 1 and urllib.parse.unquote(hrefs[0]).split("?")[0].endswith(expected), (
        f"{notebook}: its last cell should hold one 'Next →' link to {expected}, found {found['links']}")
    last_cell = page.locator(f'[id="{found["panelId"]}"] .jp-Notebook .jp-Cell').last
    last_cell.locator("a", has_text="→").click(timeout=SERVER_START_TIMEOUT_S * 1000)


def limit_from_environment() -> int | None:
    value = os.environ.get("SESSION_MEMORY_LIMIT_MIB", "").strip() or str(DEFAULT_LIMIT_MIB)
    if not value.isdigit():
        pytest.fail(f"SESSION_MEMORY_LIMIT_MIB={value!r}: give a whole number of MiB, e.g. 2048 (0: no limit)",
                    pytrace=False)
    return int(value) * MIB or None


def report(watch: MemoryWatch, ids: dict[str, str], limit: int | None, where: str, tabs: list[dict]) -> str:
    """The figures as a table, one line per notebook and one for the whole session; then the tabs' kernels."""
    lines = [f"Memory of JupyterLab and its kernels, limit {mib(limit) if limit else 'none'} ({where})",
             f"{'notebook':32} {'cells':>5} {'s':>5} {'kernels':>7} {'kernel VmHWM':>12} "
             f"{'sum of PSS':>11} {'cgroup peak':>11}"]
    for segment in watch.segments:
        record = watch.kernels.get(ids.get(segment.notebook, ""))
        lines.append(f"{segment.notebook:32} {segment.cells:5} {segment.seconds:5.0f} {segment.kernels_alive:7} "
                     f"{mib(record.hwm if record else None):>12} {mib(segment.peak_pss):>11} "
                     f"{mib(segment.cgroup_peak):>11}")
    peaks = [s.cgroup_peak for s in watch.segments if s.cgroup_peak is not None]
    lines.append(f"{'whole session':32} {sum(s.cells for s in watch.segments):5} "
                 f"{sum(s.seconds for s in watch.segments):5.0f} {'':7} "
                 f"{mib(max((k.hwm for k in watch.kernels.values()), default=0)):>12} "
                 f"{mib(max((s.peak_pss for s in watch.segments), default=0)):>11} "
                 f"{mib(max(peaks) if peaks else None):>11}")
    if tabs:
        lines.append("At the end, the open tabs' kernels: " + "; ".join(
            f"{tab['path']} {tab['kernel']} ({tab['status']})" for tab in tabs))
    return "\n".join(lines)


def test_a_learner_session_fits_in_the_memory_limit(tmp_path_factory: pytest.TempPathFactory,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """00 to the last notebook by the "Next" links, Run All in each, tabs left open: no kernel lost."""
    notebooks = series()
    limit = limit_from_environment()
    timeout_s = positive_seconds("BROWSER_TEST_TIMEOUT", DEFAULT_TIMEOUT_S)
    report_path = outputs_dir() / "browser" / "session_memory.txt"
    base = tmp_path_factory.mktemp("session")
    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(base / "outputs"))  # a fresh series: 05 must train for 06

    cgroup, where = MemoryCgroup.create(limit)
    server = start_lab(base)
    watch = None
    problems: list[str] = []
    ids: dict[str, str] = {}
    tabs: list[dict] = []
    try:
        # The JupyterLab settings `make setup` installs (as binder/postBuild does on Binder).
        tracker = json.loads(server.api("/lab/api/settings/@jupyterlab/notebook-extension:tracker"))
        if tracker["schema"]["properties"]["kernelShutdown"]["default"] is not True:
            problems.append("JupyterLab does not shut kernels down with their tab: run `make setup`")
        if cgroup is not None:
            cgroup.add(server.process.pid)  # its kernels, started later, are born in the group
        watch = MemoryWatch(server.process.pid, cgroup)
        watch.start()

        def check_no_kernel_lost() -> None:
            kills = cgroup.oom_kills() if cgroup is not None else 0
            restarted = [RESTART_LOG.search(line).group(0) for line in
                         server.log_path.read_text(errors="replace").splitlines() if RESTART_LOG.search(line)]
            statuses = [f"{e['path']} {e['status']}" for e in page.evaluate(KERNEL_EVENTS_JS)
                        if e["status"] in RESTART_STATUSES]
            if kills or restarted or statuses:
                raise AssertionError(f"a kernel was lost: {kills} OOM kill(s) in the cgroup; server log: "
                                     f"{restarted[:3]}; page: {statuses[:3]}\n{server.log_tail()}")

        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                  args=CHROMIUM_FLAGS)
            try:
                page = chromium.new_context(viewport=VIEWPORT).new_page()
                for index, notebook in enumerate(notebooks):
                    segment = watch.begin(notebook)
                    started = time.monotonic()
                    if index == 0:
                        opened = open_notebook(page, server, notebook)
                    else:
                        follow_next_link(page, notebooks[index - 1], notebook)
                        opened = wait_for_kernel(page, server, notebook)
                    page.evaluate(KERNEL_EVENTS_JS)  # watch this panel's kernel from now on
                    run = run_opened_notebook(page, server, notebook, timeout_s, opened, started,
                                              check=check_no_kernel_lost)
                    segment.cells, segment.seconds = len(run.execution_counts), run.seconds
                    ids.update(kernel_ids_by_notebook(server))
                    watch.sample()
                    assert_no_cell_errors(run)
                    check_no_kernel_lost()
                tabs = page.evaluate(TAB_KERNELS_JS)
            finally:
                chromium.close()
    finally:
        if watch is not None:
            watch.finish()
        stop_lab(server)
        if cgroup is not None:
            cgroup.remove()
        if watch is not None:
            table = report(watch, ids, limit, where, tabs)
            report_path.parent.mkdir(parents=True, exist_ok=True)
            report_path.write_text(table + "\n")
            print(f"\n{table}\n(written to {shown_path(report_path)})")

    assert not problems, problems
    restarted = sorted(kernel for kernel, record in watch.kernels.items() if len(record.pids) > 1)
    assert not restarted, f"kernel(s) {restarted} ran as more than one process: restarted"
    peak_pss = max(segment.peak_pss for segment in watch.segments)
    if limit:
        assert peak_pss <= limit, (f"the server and its kernels held {mib(peak_pss)} together (sum of PSS), "
                                   f"over the {mib(limit)} limit")
