"""One Jupyter server per learner, as that learner's own system user, in a memory-limited cgroup.

JupyterHub's LocalProcessSpawner runs a server as the system user named like the hub user.
``LearnerSpawner`` instead runs it as ``<prefix><hub name>`` (``jupyter-ada`` for ``ada``), which
it creates on first start with a private home (mode 0700): no learner can read another's files,
and no hub name can ever map onto an existing account such as ``root``.

``Spawner.mem_limit`` is enforced by the kernel where the hub can create memory cgroups (as root on
cgroup v1, or on cgroup v2 with the memory controller at the root): the server and every kernel it
starts share one cgroup whose limit is ``mem_limit``; past it the kernel's OOM killer ends the
biggest process (a notebook kernel, which JupyterLab then restarts). Elsewhere the hub logs one line
saying the limit is not enforced.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

LEARNER_OOM_SCORE_ADJ = 500  # learners' processes are the first the kernel ends when memory runs out
CGROUP_FOLDER = "mnist-workshop"  # the learners' cgroups go in <hub's memory cgroup>/mnist-workshop/<user>


def _memory_cgroup_root() -> tuple[Path, str] | None:
    """The folder under which learners' memory cgroups go and the cgroup version, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:  # cgroup v1: "4:memory:/path/of/this/process"
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            for mount in mounts:
                fields = mount.split()
                fstype = fields[fields.index("-") + 1]
                if fstype == "cgroup" and "memory" in fields[-1].split(","):
                    root = Path(fields[4]) / path.lstrip("/") / CGROUP_FOLDER
                    return root, "v1"
    for mount in mounts:  # cgroup v2: learners' cgroups at the top, where the memory controller is
        fields = mount.split()
        if fields[fields.index("-") + 1] == "cgroup2":
            top = Path(fields[4])
            controllers = top / "cgroup.controllers"
            if controllers.exists() and "memory" in controllers.read_text().split():
                return top / CGROUP_FOLDER, "v2"
    return None


def memory_cgroup(name: str, limit_bytes: int) -> Path:
    """Create (or reuse) the cgroup ``name`` with a memory limit; return its folder. Raises OSError."""
    found = _memory_cgroup_root()
    if found is None:
        raise OSError("no memory cgroup controller on this machine")
    root, version = found
    root.mkdir(exist_ok=True)
    if version == "v2":
        (root / "cgroup.subtree_control").write_text("+memory")
    group = root / name
    group.mkdir(exist_ok=True)
    limit_file = "memory.limit_in_bytes" if version == "v1" else "memory.max"
    (group / limit_file).write_text(str(limit_bytes))
    if version == "v2" and (group / "memory.swap.max").exists():
        (group / "memory.swap.max").write_text("0")  # the limit holds with swap too
    return group


class LearnerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that runs each learner as ``<system_user_prefix><name>`` with a private home."""

    system_user_prefix = Unicode("jupyter-", config=True, help="System user name = this + hub user name.")
    _cgroup: Path | None = None

    @property
    def system_user(self) -> str:
        return self.system_user_prefix + self.user.name

    def _ensure_system_user(self) -> pwd.struct_passwd:
        """Create the learner's system user and private home on first start."""
        try:
            account = pwd.getpwnam(self.system_user)
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            subprocess.run([useradd, "--create-home", "--user-group", "--shell", "/bin/bash",
                            "--comment", f"JupyterHub learner {self.user.name}", self.system_user],
                           check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            self.log.info("Created system user %s for learner %s", self.system_user, self.user.name)
            account = pwd.getpwnam(self.system_user)
        home = Path(account.pw_dir)
        home.mkdir(mode=0o700, exist_ok=True)
        os.chown(home, account.pw_uid, account.pw_gid)
        home.chmod(0o700)  # private, whatever the system's default home mode
        return account

    def _memory_cgroup(self) -> Path | None:
        if not self.mem_limit:
            return None
        try:
            group = memory_cgroup(self.system_user, int(self.mem_limit))
        except OSError as err:
            self.log.warning("Learner memory limit NOT enforced for %s (%s): measure, or use Kubernetes",
                             self.user.name, err)
            return None
        return group

    def make_preexec_fn(self, name):
        """Join the learner's memory cgroup (as root, before exec), then become the learner."""
        become_learner = set_user_setuid(self.system_user)
        procs = self._cgroup / "cgroup.procs" if self._cgroup else None

        def preexec():
            if procs is not None:
                procs.write_text(str(os.getpid()))
            # Should the whole machine run out of memory, a learner's kernel goes first, not the hub.
            Path("/proc/self/oom_score_adj").write_text(str(LEARNER_OOM_SCORE_ADJ))
            become_learner()

        return preexec

    def user_env(self, env: dict) -> dict:
        account = pwd.getpwnam(self.system_user)
        env.update(USER=self.system_user, HOME=account.pw_dir, SHELL=account.pw_shell)
        return env

    async def start(self):
        self._ensure_system_user()
        self._cgroup = self._memory_cgroup()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup is not None:
            try:
                self._cgroup.rmdir()  # only succeeds once every process of the learner has ended
            except OSError:
                pass
