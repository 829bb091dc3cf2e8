"""What learners run works on Windows and macOS too: no Unix-only module in the learner path, and the setup check,
the kernel stopper and the experiments' bookkeeping manage without Unix-only calls (they say "not measured")."""
from __future__ import annotations

import ast
import builtins
import json
import os
import sys

import pytest

from helpers import REPO_ROOT, notebook_paths

UNIX_ONLY = {"pwd", "grp", "fcntl", "resource", "termios", "tty", "pty", "posix", "crypt", "spwd", "syslog"}
LEARNER_CODE = sorted((REPO_ROOT / "helpers").rglob("*.py"))


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", LEARNER_CODE, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_unix_only_module_in_the_helpers(path) -> None:
    assert not imported_modules(path.read_text(encoding="utf-8")) & UNIX_ONLY


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_no_unix_only_module_in_the_notebooks(path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    assert not imported_modules(code) & UNIX_ONLY


def test_the_learner_path_without_unix_only_calls(monkeypatch, tmp_path) -> None:
    """As on Windows: no os.getloadavg, no os.sysconf, no /proc (imported first: their dependencies, such as
    psutil, bring their own Windows code there)."""
    from helpers import check, experiments, kernels

    monkeypatch.delattr(os, "getloadavg", raising=False)
    monkeypatch.delattr(os, "sysconf", raising=False)
    real_open = builtins.open

    def no_proc(file, *args, **kwargs):
        if str(file).startswith("/proc"):
            raise FileNotFoundError(2, "No such file or directory", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_proc)
    monkeypatch.setattr(kernels, "Path", lambda *parts: tmp_path if parts == ("/proc",) else kernels.Path(*parts))
    monkeypatch.setitem(sys.modules, "psutil", None)  # and no psutil either: the check still does not fail
    memory = check.check_memory()
    assert memory.ok and memory.skipped and "not measured" in memory.detail
    checklist = check.format_checklist([memory, check.check_disk()])
    assert checklist.splitlines()[0].startswith("– Memory") and "fix:" not in checklist
    assert experiments.load_average() is None
    assert kernels.anonymous_memory("0123") == 0


def test_memory_comes_from_psutil_where_it_is_installed(monkeypatch) -> None:
    """psutil answers on Windows, macOS and Linux alike (IPython requires it there)."""
    import types

    from helpers import check

    fake = types.SimpleNamespace(virtual_memory=lambda: types.SimpleNamespace(available=3 * 1024**3))
    monkeypatch.setitem(sys.modules, "psutil", fake)
    assert check.available_memory() == 3 * 1024**3
    assert check.check_memory().detail == "3.0 GiB available (needs 2.0 GiB)"
