"""Free memory for the notebook you are in: stop the idle kernels of the series' other notebooks.

Every notebook you open in JupyterLab gets its own kernel (a Python process), and each keeps
TensorFlow and its arrays in memory until it is shut down, even after its last cell and even
when you have moved on to the next notebook.  On Binder, or a JupyterHub, all of them share
one memory limit (2 GB on Binder): go through the series by the "Next" links with every tab
left open and, without this, a later notebook's kernel is killed for lack of memory.

``stop_other_kernels()``, called by the set-up cell at the top of every notebook, asks the
Jupyter server this kernel belongs to (its REST API, with the server's own token) for its
sessions, and shuts down the kernels of the other notebooks of the series (same folder,
``NN_name.ipynb``) that are idle, that is, not running a cell.  It prints one line naming
them.  Their tabs stay open and show "No Kernel"; their variables are gone.  To go back to one,
click "No Kernel" at its top right, select the Python 3 kernel, and run it from the top.

It does nothing, and prints nothing, when there is nothing to stop or when this kernel does
not belong to a Jupyter server the function can reach: on Colab, under nbval or
``python -m tools.execute_series`` (their kernels are not in any server's sessions), in a plain
``python``.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from helpers import NOTEBOOK_PATTERN

REQUEST_TIMEOUT_S = 30  # shutting a kernel down waits for it to exit
_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "*", "localhost"}


def own_connection_file() -> Path | None:
    """The connection file of the kernel running this code; None outside a Jupyter kernel."""
    if "ipykernel" not in sys.modules:  # not imported: not a kernel (and not worth importing)
        return None
    try:
        from ipykernel.connect import get_connection_file

        return Path(get_connection_file())
    except Exception:  # no kernel app running in this process
        return None


def kernel_id(connection_file: Path) -> str | None:
    """``kernel-<id>.json`` -> ``<id>``, the kernel's id in the Jupyter server's REST API."""
    name = connection_file.name
    return name[len("kernel-"):-len(".json")] if name.startswith("kernel-") and name.endswith(".json") else None


def running_servers(runtime_dir: Path) -> list[dict]:
    """The Jupyter servers that wrote their ``jpserver-<pid>.json`` into ``runtime_dir`` and still run."""
    servers = []
    for info_file in sorted(runtime_dir.glob("jpserver-*.json")):
        try:
            info = json.loads(info_file.read_text())
            os.kill(int(info["pid"]), 0)
        except PermissionError:  # alive, another user's
            pass
        except (OSError, ValueError, KeyError, TypeError):
            continue
        servers.append(info)
    return servers


def server_url(info: dict) -> str:
    """The server's base URL as seen from a process on the same machine."""
    host = str(info.get("hostname", ""))
    if host in _WILDCARD_HOSTS:
        host = "127.0.0.1"
    scheme = "https" if info.get("secure") else "http"
    return f"{scheme}://{host}:{info['port']}{info.get('base_url') or '/'}"


def _request(url: str, token: str, method: str = "GET") -> bytes:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
        return response.read()


def find_own_server(kernel: str, runtime_dir: Path) -> tuple[str, str, list[dict]] | None:
    """(base URL, token, sessions) of the server whose sessions include ``kernel``; None if there is none.

    The token is the server's own (in its ``jpserver-<pid>.json``) or, on a JupyterHub, the
    server's hub token (``JUPYTERHUB_API_TOKEN``, which may use its own server's API).
    """
    for info in running_servers(runtime_dir):
        if info.get("sock"):  # a server on a Unix socket: not reachable by URL
            continue
        url = server_url(info)
        for token in dict.fromkeys(t for t in (info.get("token"), os.environ.get("JUPYTERHUB_API_TOKEN")) if t):
            try:
                sessions = json.loads(_request(f"{url}api/sessions", token))
            except (OSError, ValueError):  # refused, unreachable, not JSON
                continue
            if any((s.get("kernel") or {}).get("id") == kernel for s in sessions):
                return url, token, sessions
    return None


def anonymous_memory(kernel: str) -> int:
    """Bytes of private (anonymous) memory of the process of ``kernel`` on this machine; 0 if not found."""
    needle = f"kernel-{kernel}.json".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle not in (proc / "cmdline").read_bytes():
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return 0


def idle_series_sessions(sessions: list[dict], kernel: str) -> list[dict]:
    """The sessions of the series' other notebooks (in this kernel's notebook's folder) whose kernel is idle."""
    own = next((s for s in sessions if (s.get("kernel") or {}).get("id") == kernel), None)
    if own is None:
        return []
    folder = PurePosixPath(own["path"]).parent
    return [
        s for s in sessions
        if s is not own and s.get("kernel")
        and s["kernel"].get("execution_state") == "idle"
        and PurePosixPath(s["path"]).parent == folder
        and fnmatch(PurePosixPath(s["path"]).name, NOTEBOOK_PATTERN)
    ]


def stop_other_kernels() -> list[str]:
    """Shut down the idle kernels of the series' other notebooks in this Jupyter server; say so in one line.

    Returns the notebooks whose kernels were stopped (none outside a Jupyter server).
    """
    if "google.colab" in sys.modules:  # one notebook per Colab runtime: nothing to stop
        return []
    connection_file = own_connection_file()
    kernel = kernel_id(connection_file) if connection_file else None
    found = find_own_server(kernel, connection_file.parent) if kernel else None
    if found is None:
        return []
    url, token, sessions = found
    stopped, freed = [], 0
    for session in sorted(idle_series_sessions(sessions, kernel), key=lambda s: s["path"]):
        memory = anonymous_memory(session["kernel"]["id"])
        try:  # what JupyterLab's "Shut Down Kernel" does: the tab stays open, without a kernel
            _request(f"{url}api/sessions/{session['id']}", token, method="DELETE")
        except (OSError, urllib.error.HTTPError):
            continue
        stopped.append(PurePosixPath(session["path"]).name)
        freed += memory
    if stopped:
        names = ", ".join(Path(name).stem for name in stopped)
        size = f"{freed / 1e9:.1f} GB" if freed >= 1e8 else f"{freed / 1e6:.0f} MB"
        amount = f" ({size} freed)" if freed else ""
        print(f"Memory: stopped the idle kernels of {names}{amount} so that this notebook has room. "
              'To go back to one, click "No Kernel" at its top right, select Python 3, and run it from the top.',
              flush=True)
    return stopped
