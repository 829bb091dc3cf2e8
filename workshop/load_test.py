"""`make hub-load`: a class of simulated learners against the real hub, on this machine only.

Starts JupyterHub with workshop/jupyterhub_config.py on 127.0.0.1 (a throw-away state folder, a
random workshop password, system users named ``hubload-<learner>``), serves this repository's
committed HEAD with ``git daemon`` on 127.0.0.1, then N learners at once, as a browser would:
log in, open the nbgitpuller link of notebook 01 (which starts their server and pulls the
series), and execute the series' notebooks from 01 on (all of them, or up to ``--through NN``) through
their own server's kernels (Jupyter REST API and kernel websocket). One more learner logs in and stays idle: the idle culler must stop its server.
Then, as learner A: open learner B's server and files, list B's home from A's kernel, log in with a
wrong password, log in as the instructor, log in under a name not on the class list
(``WORKSHOP_CLASS_LIST``), open the admin page; each must be refused. A kernel that
allocates more than the learner memory limit must be killed where the limit is enforced.

Prints, per learner and overall: seconds to a running server, seconds for the pull and the
notebooks, failures, peak memory of the learner's processes (server + kernels, resident memory
sampled every 0.5 s); and per notebook, the learners' times and peak memory while it ran. Exits 1 on any failure. Everything is bounded in time; all traffic stays on
127.0.0.1; the hub, git daemon, users and homes it made are removed at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.websocket import websocket_connect

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(HERE))
from helpers import notebook_paths  # noqa: E402
from tools.links import nbgitpuller_url  # noqa: E402
from tools.ports import free_port  # noqa: E402
from learner_spawner import CGROUP_FOLDER, cgroup_root  # noqa: E402

USER_PREFIX = "hubload-"
SERIES = "mnist-keras-tutorial"  # the served repository's name, so the folder nbgitpuller makes
SERIES_NOTEBOOKS = [path.name for path in notebook_paths() if not path.name.startswith("00_")]  # 00 checks set-up
CULL_IDLE_SECONDS = 90
CELL_TIMEOUT_S = 900
OVER_LIMIT_CODE = "import numpy as np\nblock = np.ones(3 * 2**30, dtype=np.uint8)  # 3 GiB\nprint('allocated', block.nbytes)"



@dataclass
class Learner:
    name: str
    server_s: float | None = None
    pull_s: float | None = None
    notebooks_s: float | None = None
    failures: list[str] = field(default_factory=list)
    peak_mib: float = 0.0
    step: str = "logging in"
    notebook: str | None = None  # the notebook executing now
    notebook_s: dict[str, float] = field(default_factory=dict)
    notebook_peak_mib: dict[str, float] = field(default_factory=dict)


class Browser:
    """One learner's browser: a path-aware cookie jar, redirects followed hop by hop."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[tuple[str, str], str] = {}  # (name, path) -> value
        self.http = AsyncHTTPClient(force_instance=True, max_clients=4)

    def cookie_header(self, path: str) -> str:
        chosen: dict[str, tuple[int, str]] = {}
        for (name, cpath), value in self.cookies.items():
            if path.startswith(cpath.rstrip("/") + "/") or path == cpath.rstrip("/") or cpath == "/":
                if name not in chosen or len(cpath) > chosen[name][0]:
                    chosen[name] = (len(cpath), value)
        return "; ".join(f"{name}={value}" for name, (_, value) in chosen.items())

    def xsrf(self, path: str) -> str:
        header = dict(pair.split("=", 1) for pair in self.cookie_header(path).split("; ") if "=" in pair)
        return header.get("_xsrf", "")

    def _store(self, response: HTTPResponse) -> None:
        for line in response.headers.get_list("Set-Cookie"):
            parts = [p.strip() for p in line.split(";")]
            name, _, value = parts[0].partition("=")
            attrs = {k.lower(): v for k, _, v in (p.partition("=") for p in parts[1:])}
            key = (name, attrs.get("path", "/") or "/")
            if attrs.get("max-age") == "0" or "1970" in attrs.get("expires", "") or not value.strip('"'):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = value

    async def fetch(self, url: str, method: str = "GET", body: str | bytes | None = None,
                    headers: dict | None = None, follow: bool = True, timeout: float = 600) -> HTTPResponse:
        url = urljoin(self.base, url)
        for _ in range(20):
            path = urlsplit(url).path
            request_headers = {"Cookie": self.cookie_header(path), "X-XSRFToken": self.xsrf(path), **(headers or {})}
            response = await self.http.fetch(HTTPRequest(
                url, method=method, body=body, headers=request_headers, follow_redirects=False,
                request_timeout=timeout, connect_timeout=30), raise_error=False)
            self._store(response)
            if follow and response.code in (301, 302, 303, 307) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                if response.code != 307:
                    method, body = "GET", None
                continue
            response.effective_url = url
            return response
        raise RuntimeError(f"too many redirects from {url}")

    async def login(self, name: str, password: str) -> HTTPResponse:
        await self.fetch("/hub/login")
        form = urlencode({"username": name, "password": password, "_xsrf": self.xsrf("/hub/login")})
        return await self.fetch("/hub/login", "POST", form, follow=False,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})

    def logged_in(self) -> bool:
        return any(name == "jupyterhub-hub-login" for name, _ in self.cookies)


def events(body: bytes) -> list[dict]:
    """The JSON payloads of a text/event-stream body."""
    return [json.loads(line[5:]) for line in body.decode().splitlines() if line.startswith("data:")]


async def start_server(browser: Browser, name: str, next_url: str) -> HTTPResponse:
    """Open ``next_url`` (a link to the learner's server); start the server when the hub offers to."""
    response = await browser.fetch(next_url)
    if "/hub/user/" in response.effective_url or "/hub/spawn" in response.effective_url:
        start = re.search(r'id="start"[^>]*href="([^"]+)"', response.body.decode(), re.S)
        if response.code == 424 and start:  # "server not running": follow the Launch button
            response = await browser.fetch(unescape(start[1]))
        if "/hub/spawn-pending/" in response.effective_url:
            progress = await browser.fetch(f"/hub/api/users/{name}/server/progress", timeout=600)
            if not any(event.get("ready") for event in events(progress.body)):
                raise RuntimeError(f"server did not start: {events(progress.body)[-1:]} ")
            response = await browser.fetch(next_url)
    return response


class Kernel:
    """A kernel's websocket, as JupyterLab holds one per open notebook."""

    def __init__(self, connection):
        self.connection = connection
        self.session = uuid.uuid4().hex

    @classmethod
    async def connect(cls, browser: Browser, user_url: str, kernel_id: str) -> "Kernel":
        url = user_url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        headers = {"Cookie": browser.cookie_header(urlsplit(user_url).path)}
        # The handshake waits for a fresh kernel to answer: give a busy machine time (tornado's default is 20 s).
        request = HTTPRequest(url, headers=headers, connect_timeout=60, request_timeout=CELL_TIMEOUT_S)
        return cls(await websocket_connect(request))

    async def run(self, code: str, timeout: float, expressions: dict | None = None) -> dict:
        """Execute ``code``; return {status, output, error, died, expressions}.

        ``expressions`` ({name: Python expression}) come back in the reply itself, on the shell
        channel, which unlike printed output cannot be missed by a websocket that joined late.
        """
        msg_id = uuid.uuid4().hex
        await self.connection.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "learner", "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": expressions or {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        result = {"status": None, "output": "", "error": "", "died": False, "expressions": {}}
        deadline = time.monotonic() + timeout
        while result["status"] is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result["error"] = f"no reply within {timeout:.0f} s"
                break
            try:
                message = await asyncio.wait_for(self.connection.read_message(), remaining)
            except asyncio.TimeoutError:
                continue
            if message is None:  # the server closed the websocket: the kernel is gone
                result["died"] = True
                break
            if isinstance(message, bytes):
                continue
            msg = json.loads(message)
            kind = msg.get("msg_type") or msg["header"]["msg_type"]
            content = msg.get("content", {})
            if kind == "status" and content.get("execution_state") in ("restarting", "dead"):
                result["died"] = True
                break
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                result["output"] += content.get("text", "")
            elif kind == "error":
                result["error"] = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "execute_reply":
                result["status"] = content.get("status")
                result["expressions"] = {name: value.get("data", {}).get("text/plain", value.get("evalue"))
                                         for name, value in content.get("user_expressions", {}).items()}
        return result

    def close(self) -> None:
        self.connection.close()


async def open_notebook(browser: Browser, user_url: str, path: str) -> tuple[dict, Kernel]:
    """Start a kernel session for ``path`` and connect to it; raises RuntimeError."""
    response = await browser.fetch(user_url + "api/sessions", "POST", json.dumps(
        {"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}}),
        headers={"Content-Type": "application/json"})
    if response.code != 201:
        raise RuntimeError(f"{path}: could not start a kernel (HTTP {response.code})")
    session = json.loads(response.body)
    return session, await Kernel.connect(browser, user_url, session["kernel"]["id"])


async def execute_notebook(browser: Browser, user_url: str, path: str) -> list[str]:
    """Run every code cell of one notebook in a fresh kernel, as JupyterLab does; return failures."""
    session, kernel = await open_notebook(browser, user_url, path)
    failures = []
    try:
        contents = await browser.fetch(user_url + f"api/contents/{path}?content=1&type=notebook")
        cells = [c for c in json.loads(contents.body)["content"]["cells"] if c["cell_type"] == "code"]
        for index, cell in enumerate(cells):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            result = await kernel.run(source, CELL_TIMEOUT_S)
            if result["status"] != "ok":
                why = result["error"] or ("the kernel died" if result["died"] else f"status {result['status']}")
                failures.append(f"{path} code cell {index + 1}: {why}")
                break
    finally:
        kernel.close()
        await browser.fetch(user_url + f"api/sessions/{session['id']}", "DELETE")
    return failures


async def learner_session(hub: str, learner: Learner, password: str, repo_url: str, notebooks: list[str]) -> None:
    """Log in, open notebook 01's nbgitpuller link, then execute ``notebooks`` in order."""
    browser = Browser(hub)
    start = time.monotonic()
    login = await browser.login(learner.name, password)
    if not browser.logged_in():
        learner.failures.append(f"login refused (HTTP {login.code})")
        return
    learner.step = "starting the server through the nbgitpuller link"
    link = nbgitpuller_url(hub, repo_url, "main", notebooks[0])
    page = await start_server(browser, learner.name, link)
    learner.server_s = time.monotonic() - start
    if page.code != 200 or "git-pull" not in page.effective_url:
        learner.failures.append(f"the nbgitpuller link ended at {page.effective_url} (HTTP {page.code})")
        return
    # What nbgitpuller's page script does: stream the pull, then go to the notebook.
    html = page.body.decode()
    data = {key: unquote(unescape(value)) for key, value in re.findall(r'data-([a-z]+)="([^"]*)"', html)}
    learner.step = "pulling the series"
    pull_start = time.monotonic()
    query = urlencode({"_xsrf": data["xsrf"], "repo": data["repo"], "targetpath": data["targetpath"],
                       "branch": data["branch"]})
    user_url = page.effective_url.split("git-pull")[0]
    pulled = await browser.fetch(user_url + f"git-pull/api?{query}")
    phases = [event.get("phase") for event in events(pulled.body)]
    learner.pull_s = time.monotonic() - pull_start
    if pulled.code != 200 or phases[-1:] != ["finished"]:
        learner.failures.append(f"nbgitpuller: HTTP {pulled.code}, phases {phases[-3:]}")
        return
    lab = await browser.fetch(user_url + data["path"])
    if lab.code != 200:
        learner.failures.append(f"JupyterLab at {data['path']}: HTTP {lab.code}")
        return
    notebooks_start = time.monotonic()
    for notebook in notebooks:
        learner.step = f"executing {notebook}"
        learner.notebook, notebook_start = notebook, time.monotonic()
        failures = await execute_notebook(browser, user_url, f"{SERIES}/notebooks/{notebook}")
        learner.notebook_s[notebook] = time.monotonic() - notebook_start
        learner.notebook = None
        learner.failures += failures
        if failures:
            return
    learner.notebooks_s = time.monotonic() - notebooks_start


async def refused_checks(hub: str, a: str, b: str, password: str, admin_password: str, limit_enforced: bool) -> list[str]:
    """What learner A must not be able to do; returns the checks that were NOT refused."""
    problems = []
    owner = Browser(hub)  # B's server must be running (the culler may have stopped it): B opens it
    await owner.login(b, password)
    await start_server(owner, b, f"/hub/user-redirect/lab")
    browser = Browser(hub)
    await browser.login(a, password)
    user_a = f"{hub}/user/{a}/"
    for url in [f"/user/{b}/api/contents/{SERIES}/notebooks", f"/user/{b}/lab",
                f"/user/{b}/files/{SERIES}/README.md"]:
        response = await browser.fetch(url)
        if response.code != 403:
            problems.append(f"A opened B's {url}: HTTP {response.code} at {response.effective_url}")
    for url in [f"/hub/api/users/{b}", "/hub/api/users", "/hub/admin"]:
        response = await browser.fetch(url)
        if response.code not in (403, 404):
            problems.append(f"A opened {url}: HTTP {response.code}")
    # B's home from A's own kernel: the file system must refuse too.
    b_home = pwd.getpwnam(USER_PREFIX + b).pw_dir
    await browser.fetch(user_a + "lab")  # A's own server: this signs A in to it
    session, kernel = await open_notebook(browser, user_a, "probe.ipynb")
    probe = await kernel.run(f"import os\ntry:\n    seen = repr(os.listdir({b_home!r}))\n"
                             "except PermissionError as err:\n    seen = f'refused: {err}'", 120, {"seen": "seen"})
    if "refused: [Errno 13] Permission denied" not in str(probe["expressions"].get("seen")):
        problems.append(f"A's kernel listed B's home {b_home}: {probe}")
    # A's kernel shares A's CPU cgroup (an equal share of the cores when they are busy).
    code = ("paths = [line.split(':', 2)[2] for line in open('/proc/self/cgroup').read().splitlines()\n"
            "         if 'cpu' in line.split(':')[1].split(',') or line.startswith('0::')]")
    groups = await kernel.run(code, 60, {"paths": "' '.join(paths)"})
    paths = str(groups["expressions"].get("paths", "")).strip("'").split()
    if cgroup_root("cpu") is not None and not any(path.endswith(f"/{CGROUP_FOLDER}/{USER_PREFIX}{a}") for path in paths):
        problems.append(f"A's kernel is not in A's CPU cgroup: its CPU cgroups are {paths}")
    over = await kernel.run(OVER_LIMIT_CODE, 300)
    kernel.close()
    if limit_enforced and not over["died"]:
        problems.append(f"a 3 GiB allocation survived the learner memory limit: {over}")
    print(f"memory limit: a 3 GiB allocation in a learner's kernel {'was killed' if over['died'] else 'ran'}"
          f" ({'enforced by a memory cgroup' if limit_enforced else 'no memory cgroup here: not enforced'})")
    await browser.fetch(user_a + f"api/sessions/{session['id']}", "DELETE")
    # Wrong passwords, a learner's password for the instructor's name, a name not on the class list.
    for name, secret, what in [(a, password + "x", "a wrong password"),
                               ("instructor", password, "the workshop password as the instructor"),
                               ("stranger", password, "a name not on the class list")]:
        intruder = Browser(hub)
        response = await intruder.login(name, secret)
        if intruder.logged_in() or response.code != 403:
            problems.append(f"logging in with {what} was not refused (HTTP {response.code})")
    instructor = Browser(hub)
    await instructor.login("instructor", admin_password)
    admin = await instructor.fetch("/hub/admin")
    if admin.code != 200:
        problems.append(f"the instructor could not open the admin page (HTTP {admin.code})")
    return problems


async def wait_culled(hub: str, name: str, admin_password: str, timeout: float) -> float | None:
    """Seconds until the idle culler stopped ``name``'s server (asked as the instructor), or None."""
    browser = Browser(hub)
    await browser.login("instructor", admin_password)
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        response = await browser.fetch(f"/hub/api/users/{name}")
        if response.code == 200 and not json.loads(response.body).get("servers"):
            return time.monotonic() - start
        await asyncio.sleep(5)
    return None


def rss_mib_by_uid(uids: dict[int, str]) -> dict[str, float]:
    """Resident memory of all processes of each system user, in MiB."""
    totals = dict.fromkeys(uids.values(), 0.0)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M)[1])
        if uid in uids:
            rss = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
            totals[uids[uid]] += int(rss[1]) / 1024 if rss else 0
    return totals


async def sample_memory(learners: list[Learner], overall: dict, stop: asyncio.Event) -> None:
    by_name = {learner.name: learner for learner in learners}
    while not stop.is_set():
        uids = {}
        for learner in learners:
            try:
                uids[pwd.getpwnam(USER_PREFIX + learner.name).pw_uid] = learner.name
            except KeyError:
                pass
        totals = rss_mib_by_uid(uids)
        for name, mib in totals.items():
            learner = by_name[name]
            learner.peak_mib = max(learner.peak_mib, mib)
            if learner.notebook:
                learner.notebook_peak_mib[learner.notebook] = max(learner.notebook_peak_mib.get(learner.notebook, 0), mib)
        overall["together_mib"] = max(overall.get("together_mib", 0), sum(totals.values()))
        await asyncio.sleep(0.5)


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def remove_test_users() -> None:
    """End the processes of, and delete, every hubload- system user (ours, from this or an aborted run)."""
    for account in pwd.getpwall():
        if account.pw_name.startswith(USER_PREFIX):
            for pid in processes_of(account.pw_uid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            subprocess.run(["userdel", "--remove", account.pw_name], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
    for controller in ("memory", "cpu"):
        found = cgroup_root(controller)
        for group in found[0].glob(USER_PREFIX + "*") if found else []:
            try:
                group.rmdir()
            except OSError:
                pass


def serve_repository(tmp: Path) -> tuple[subprocess.Popen, str]:
    """This repository's HEAD as branch main of git://127.0.0.1:<port>/mnist-keras-tutorial."""
    bare = tmp / "git" / SERIES
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(REPO_ROOT), "push", "--quiet", str(bare), "HEAD:refs/heads/main"], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    if dirty:
        print("note: uncommitted changes are not served; the learners pull the last commit", flush=True)
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
                               f"--port={port}", f"--base-path={tmp / 'git'}", str(tmp / "git")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return daemon, f"git://127.0.0.1:{port}/{SERIES}"


def start_hub(tmp: Path, env: dict, log: Path, venv: Path) -> subprocess.Popen:
    return subprocess.Popen([str(venv / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                            cwd=tmp, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


async def wait_for_hub(hub: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    http = AsyncHTTPClient(force_instance=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited ({process.returncode}); see its last lines:\n"
                               + "\n".join(log.read_text().splitlines()[-15:]))
        try:
            response = await http.fetch(f"{hub}/hub/health", raise_error=False, request_timeout=5)
            if response.code == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(1)
    raise RuntimeError(f"the hub did not answer within {timeout:.0f} s; see {log}")


def check_refuses_to_start(venv: Path, env: dict, message: str) -> str | None:
    """The hub, started with ``env``, must stop at once saying ``message``: returns a problem, or None."""
    result = subprocess.run([str(venv / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if result.returncode == 0 or message not in result.stdout:
        return f"the hub did not refuse to start with {message!r}: {result.stdout[-300:]}"
    return None


def report(learners: list[Learner], overall: dict, notebooks: list[str]) -> None:
    def seconds(value):
        return f"{value:7.1f}" if value is not None else "      -"

    span = f"notebooks {notebooks[0][:2]}-{notebooks[-1][:2]}"
    print(f"\n{'learner':12} {'server s':>8} {'pull s':>7} {span + ' s':>18} {'failures':>8} {'peak MiB':>9}")
    for learner in learners:
        print(f"{learner.name:12} {seconds(learner.server_s):>8} {seconds(learner.pull_s):>7} "
              f"{seconds(learner.notebooks_s):>18} {len(learner.failures):>8} {learner.peak_mib:9.0f}")
        for failure in learner.failures:
            print(f"    failure: {failure}")
    done = [x for x in learners if x.notebooks_s is not None]

    def spread(values):
        values = [v for v in values if v is not None]
        return f"median {statistics.median(values):.1f}, max {max(values):.1f}" if values else "n/a"

    print(f"\noverall: {len(learners)} learners, {sum(len(x.failures) for x in learners)} failures, "
          f"wall time {overall['wall_s']:.0f} s")
    print(f"  time to a running server (s): {spread([x.server_s for x in learners])}")
    print(f"  time for {span} (s): {spread([x.notebooks_s for x in done])}")
    print(f"  peak memory per learner (MiB): {spread([x.peak_mib for x in learners])}"
          f" (limit {overall['limit']}, {overall['enforcement']})")
    print(f"  peak memory of all learners together: {overall.get('together_mib', 0) / 1024:.1f} GiB")
    print(f"\n{'notebook':32} {'time s: median':>14} {'max':>7} {'peak MiB: median':>17} {'max':>6}   (per learner)")
    for notebook in notebooks:
        times = [x.notebook_s[notebook] for x in learners if notebook in x.notebook_s]
        peaks = [x.notebook_peak_mib[notebook] for x in learners if notebook in x.notebook_peak_mib]
        if times:
            print(f"{notebook:32} {statistics.median(times):14.1f} {max(times):7.1f} "
                  f"{statistics.median(peaks) if peaks else 0:17.0f} {max(peaks, default=0):6.0f}")


async def main_async(args: argparse.Namespace) -> int:
    venv = Path(args.workshop_home) / "venv"
    notebooks = args.notebooks
    tmp = Path(tempfile.mkdtemp(prefix="hub-load-"))
    password = secrets.token_urlsafe(12)
    admin_password = secrets.token_hex(16)
    port = free_port()
    hub = f"http://127.0.0.1:{port}"
    log = tmp / "hub.log"
    daemon = process = None
    remove_test_users()
    learners = [Learner(f"learner{i}") for i in range(1, args.learners + 1)]
    idler = Learner("idler")
    overall = {"limit": "?", "enforcement": "?"}
    problems: list[str] = []
    class_list = tmp / "class-list.txt"
    try:
        daemon, repo_url = serve_repository(tmp)
        env = {**os.environ, "WORKSHOP_PASSWORD": password, "WORKSHOP_ADMIN_PASSWORD": admin_password,
               "WORKSHOP_HOME": args.workshop_home, "WORKSHOP_STATE_DIR": str(tmp / "state"),
               "WORKSHOP_IP": "127.0.0.1", "WORKSHOP_PORT": str(port),
               "WORKSHOP_HUB_API_PORT": str(free_port()), "WORKSHOP_PROXY_API_PORT": str(free_port()),
               "WORKSHOP_REPO_URL": repo_url, "WORKSHOP_SYSTEM_USER_PREFIX": USER_PREFIX,
               "WORKSHOP_CULL_IDLE_SECONDS": str(CULL_IDLE_SECONDS),
               "WORKSHOP_CLASS_LIST": str(class_list)}
        class_list.write_text("# the class\n" + "".join(f"{x.name}\n" for x in [*learners, idler]))
        if problem := check_refuses_to_start(venv, {k: v for k, v in env.items() if k != "WORKSHOP_PASSWORD"},
                                             "error: set WORKSHOP_PASSWORD"):
            problems.append(problem)
        bad_list = tmp / "bad-class-list.txt"
        bad_list.write_text("learner1\nMaria Lopez\n")
        if problem := check_refuses_to_start(venv, {**env, "WORKSHOP_CLASS_LIST": str(bad_list)},
                                             "Maria Lopez cannot be a user name"):
            problems.append(problem)
        process = start_hub(tmp, env, log, venv)
        await wait_for_hub(hub, process, log)
        print(f"hub on {hub} (log {log}); {args.learners} learners start now", flush=True)
        limit_enforced = cgroup_root("memory") is not None
        overall.update(limit=json.loads((HERE / "settings.json").read_text())["learner_memory_limit"],
                       enforcement="enforced by a memory cgroup" if limit_enforced else "not enforced here")

        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(learners, overall, stop))
        start = time.monotonic()

        async def idle_learner():
            browser = Browser(hub)
            await browser.login(idler.name, password)
            t0 = time.monotonic()
            await start_server(browser, idler.name, f"/hub/user-redirect/lab")
            idler.server_s = time.monotonic() - t0

        async def bounded(coroutine, learner):
            try:
                await asyncio.wait_for(coroutine, args.timeout_minutes * 60)
            except Exception as err:  # a timeout or a broken connection is that learner's failure
                learner.failures.append(f"{type(err).__name__} while {learner.step}: {err}")

        await asyncio.gather(bounded(idle_learner(), idler),
                             *(bounded(learner_session(hub, x, password, repo_url, notebooks), x) for x in learners))
        overall["wall_s"] = time.monotonic() - start
        stop.set()
        await sampler
        report(learners, overall, notebooks)
        try:
            problems += await refused_checks(hub, learners[0].name, learners[1].name, password,
                                             admin_password, limit_enforced)
        except Exception as err:  # a check that cannot run is a failed check
            problems.append(f"the refusal checks could not run: {type(err).__name__}: {err}")
        culled = await wait_culled(hub, idler.name, admin_password, CULL_IDLE_SECONDS * 3 + 60)
        print(f"idle culler: the idle learner's server was "
              + (f"stopped ({CULL_IDLE_SECONDS} s idle timeout)" if culled is not None else "NOT stopped"))
        if culled is None:
            problems.append("the idle culler did not stop an idle server")
        problems += [f"idler: {failure}" for failure in idler.failures]
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the hub stops every learner's server on its way out
            try:
                process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if daemon is not None:
            daemon.terminate()
            daemon.wait(30)
        remove_test_users()
    for problem in problems:
        print(f"REFUSAL/CHECK FAILED: {problem}")
    failures = sum(len(x.failures) for x in learners) + len(problems)
    if failures or "wall_s" not in overall:
        print(f"hub-load: FAILED ({failures} failures); hub log: {log}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("hub-load: passed (0 failures; every intrusion refused)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="N simulated learners against a real local JupyterHub.")
    parser.add_argument("--learners", type=int, default=8, help="how many learners at once (default 8)")
    parser.add_argument("--workshop-home", default=os.environ.get("WORKSHOP_HOME", "/opt/mnist-keras-workshop"))
    parser.add_argument("--timeout-minutes", type=float, default=60, help="each learner's time limit")
    parser.add_argument("--through", default=SERIES_NOTEBOOKS[-1][:2], metavar="NN",
                        help="execute notebooks 01 to NN (default: the whole series, %(default)s)")
    args = parser.parse_args()
    last = [name for name in SERIES_NOTEBOOKS if name[:2] == args.through.zfill(2)]
    if not last:
        parser.error(f"--through {args.through}: no notebook notebooks/{args.through.zfill(2)}_*.ipynb "
                     f"(the series has {SERIES_NOTEBOOKS[0][:2]} to {SERIES_NOTEBOOKS[-1][:2]})")
    args.notebooks = SERIES_NOTEBOOKS[:SERIES_NOTEBOOKS.index(last[0]) + 1]
    if args.learners < 2:
        parser.error("--learners must be 2 or more (learner A tries to get into learner B's server)")
    if os.geteuid() != 0:
        print("error: run as root (sudo make hub-load): the hub creates a system user per learner", file=sys.stderr)
        return 1
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
