"""helpers.kernels: the set-up cell stops the idle kernels of the series' other notebooks, in a real Jupyter server.

A real jupyter_server runs on 127.0.0.1 with its own runtime folder; sessions are created
through its REST API as JupyterLab creates them, and ``stop_other_kernels()`` runs inside
one of those kernels, reached through its connection file.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from helpers.kernels import idle_series_sessions, kernel_id, server_url
from tools.ports import free_port

STOP = "from helpers.kernels import stop_other_kernels\nprint(stop_other_kernels())"


@dataclass
class Server:
    url: str
    token: str
    runtime_dir: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET", body: dict | None = None) -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def start_session(self, path: str) -> dict:
        return self.api("api/sessions", "POST", {"path": path, "type": "notebook", "name": "",
                                                 "kernel": {"name": "python3"}})

    def paths(self) -> set[str]:
        return {session["path"] for session in self.api("api/sessions")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("server")
    runtime_dir, root = base / "runtime", base / "root"
    runtime_dir.mkdir()
    (root / "other").mkdir(parents=True)
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime_dir), JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_DATA_DIR=str(base / "data"), IPYTHONDIR=str(base / "ipython"), JUPYTER_TOKEN=token)
    command = [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    log = open(base / "server.log", "wb")
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", token, runtime_dir, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            server.api("api/status")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("jupyter_server did not start:\n" + (base / "server.log").read_text()[-2000:])
            time.sleep(0.25)
    try:
        yield server
    finally:
        try:
            server.api("api/shutdown", "POST")
            process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
        log.close()


def client_for(server: Server, kernel: str):
    """A blocking client of a running kernel, through its connection file in the server's runtime folder."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(server.runtime_dir / f"kernel-{kernel}.json"))
    client.load_connection_file()
    client.start_channels(hb=False)  # no heartbeat: on a loaded machine a late beat reads as a dead kernel
    client.wait_for_ready(timeout=60)
    return client


def run_in_kernel(client, code: str) -> str:
    """Execute ``code`` and return what it printed (fails on an error)."""
    printed = []

    def keep(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(code, output_hook=keep, timeout=120)
    assert reply["content"]["status"] == "ok", "".join(printed)
    return "".join(printed)


def test_stops_only_the_idle_kernels_of_the_series_other_notebooks(server: Server) -> None:
    sessions = {path: server.start_session(path) for path in [
        "nb/00_first.ipynb", "nb/01_second.ipynb", "nb/02_busy.ipynb", "nb/03_own.ipynb",
        "nb/scratch.ipynb", "other/04_elsewhere.ipynb"]}
    # Connected and asked for its info, as JupyterLab does, a kernel reports "idle" to the server.
    clients = {path: client_for(server, session["kernel"]["id"]) for path, session in sessions.items()}
    busy, own = clients["nb/02_busy.ipynb"], clients["nb/03_own.ipynb"]
    # Not waited for: this kernel stays busy until the test interrupts it (a fixed time could run out on a slow,
    # loaded machine, and the kernel would then be idle, and rightly stopped).
    busy.execute("import time; time.sleep(600)")
    deadline = time.monotonic() + 30
    while any(s["kernel"]["execution_state"] != "busy" for s in server.api("api/sessions")
              if s["path"] == "nb/02_busy.ipynb"):
        assert time.monotonic() < deadline, "the kernel never became busy"
        time.sleep(0.2)
    try:
        printed = run_in_kernel(own, STOP)
        assert re.fullmatch(r'Memory: stopped the idle kernels of 00_first, 01_second \(\d+(\.\d GB| MB) freed\) so that '
                            r'this notebook has room\. To go back to one, click "No Kernel" at its top right, '
                            r'select Python 3, and run it from the top\.', printed.splitlines()[0]), printed
        assert printed.splitlines()[1] == "['00_first.ipynb', '01_second.ipynb']"
        assert server.paths() == {"nb/02_busy.ipynb", "nb/03_own.ipynb", "nb/scratch.ipynb",
                                  "other/04_elsewhere.ipynb"}
        assert {k["id"] for k in server.api("api/kernels")} == {
            s["kernel"]["id"] for p, s in sessions.items() if p not in ("nb/00_first.ipynb", "nb/01_second.ipynb")}
        # Run again: nothing left to stop, nothing printed (the busy one is still busy).
        assert run_in_kernel(own, STOP) == "[]\n"
    finally:
        server.api(f"api/kernels/{sessions['nb/02_busy.ipynb']['kernel']['id']}/interrupt", "POST")
        for client in clients.values():
            client.stop_channels()
        for session in server.api("api/sessions"):
            server.api(f"api/sessions/{session['id']}", "DELETE")


def test_a_kernel_outside_the_servers_sessions_does_nothing(server: Server, tmp_path: Path) -> None:
    """As under nbval or tools.execute_series: a kernel of its own, its connection file beside a live server's."""
    from jupyter_client import KernelManager

    server.start_session("nb/00_first.ipynb")
    manager = KernelManager(kernel_name="python3",
                            connection_file=str(server.runtime_dir / "kernel-00000000-0000-0000-0000-000000000000.json"))
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        assert run_in_kernel(client, STOP) == "[]\n"
        assert server.paths() == {"nb/00_first.ipynb"}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        for session in server.api("api/sessions"):
            server.api(f"api/sessions/{session['id']}", "DELETE")


def test_outside_a_kernel_it_does_nothing() -> None:
    result = subprocess.run([sys.executable, "-c", STOP], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_kernel_id_and_server_url() -> None:
    assert kernel_id(Path("/run/kernel-0a1b2c3d-0000-4000-8000-000000000000.json")) == \
        "0a1b2c3d-0000-4000-8000-000000000000"
    assert kernel_id(Path("/run/jpserver-12.json")) is None
    assert server_url({"hostname": "0.0.0.0", "port": 8888, "base_url": "/user/ada/"}) == \
        "http://127.0.0.1:8888/user/ada/"
    assert server_url({"hostname": "10.0.0.5", "port": 9000, "base_url": "/", "secure": True}) == \
        "https://10.0.0.5:9000/"


def test_idle_series_sessions_are_those_beside_this_notebook() -> None:
    def session(path: str, kernel: str, state: str = "idle") -> dict:
        return {"id": path, "path": path, "kernel": {"id": kernel, "execution_state": state}}

    sessions = [session("notebooks/05_train.ipynb", "own"), session("notebooks/04_preprocess.ipynb", "a"),
                session("notebooks/03_compile.ipynb", "b", "busy"), session("notebooks/my_notes.ipynb", "c"),
                session("copy/01_load_data.ipynb", "d"), session("notebooks/06_evaluate.ipynb", "e", "starting")]
    assert [s["path"] for s in idle_series_sessions(sessions, "own")] == ["notebooks/04_preprocess.ipynb"]
    assert idle_series_sessions(sessions, "not-in-any-session") == []
