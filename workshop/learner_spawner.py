"""One Jupyter server per learner, as that learner's own system user, in a memory-limited cgroup.

JupyterHub's LocalProcessSpawner runs a server as the system user named like the hub user.
``LearnerSpawner`` instead runs it as ``<prefix><hub name>`` (``jupyter-ada`` for ``ada``), which
it creates on first start with a private home (mode 0700): no learner can read another's files,
and no hub name can ever map onto an existing account such as ``root``.

``Spawner.mem_limit`` is enforced by the kernel where the hub can create memory cgroups (as root on
cgroup v1, or on cgroup v2 with the memory controller at the root): the server and every kernel it
starts share one cgroup whose limit is ``mem_limit``; past it the kernel's OOM killer ends the
biggest process (a notebook kernel, which JupyterLab then restarts). Elsewhere the hub logs one line
saying the limit is not enforced.  Each learner's processes also share one CPU cgroup (cgroup v1's cpu
controller, or v2's): when the cores are busy, every learner gets an equal share of them.
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


def cgroup_root(controller: str = "memory") -> tuple[Path, str] | None:
    """The folder under which learners' cgroups for ``controller`` ("memory" or "cpu") go, and the cgroup version; or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:  # cgroup v1: "4:memory:/path/of/this/process", "3:cpu,cpuacct:/path"
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            for mount in mounts:
                fields = mount.split()
                fstype = fields[fields.index("-") + 1]
                if fstype == "cgroup" and controller in fields[-1].split(","):
                    root = Path(fields[4]) / path.lstrip("/") / CGROUP_FOLDER
                    return root, "v1"
    for mount in mounts:  # cgroup v2: learners' cgroups at the top, where the controllers are
        fields = mount.split()
        if fields[fields.index("-") + 1] == "cgroup2":
            top = Path(fields[4])
            controllers = top / "cgroup.controllers"
            if controllers.exists() and controller in controllers.read_text().split():
                return top / CGROUP_FOLDER, "v2"
    return None


def learner_cgroup(controller: str, name: str) -> Path:
    """Create (or reuse) the learner's cgroup ``name`` for ``controller``; return its folder. Raises OSError."""
    found = cgroup_root(controller)
    if found is None:
        raise OSError(f"no {controller} cgroup controller on this machine")
    root, version = found
    root.mkdir(exist_ok=True)
    if version == "v2":
        (root / "cgroup.subtree_control").write_text(f"+{controller}")
    group = root / name
    group.mkdir(exist_ok=True)
    return group


def memory_cgroup(name: str, limit_bytes: int) -> Path:
    """The learner's cgroup with a memory limit; return its folder. Raises OSError."""
    group = learner_cgroup("memory", name)
    v1 = (group / "memory.limit_in_bytes").exists()
    (group / ("memory.limit_in_bytes" if v1 else "memory.max")).write_text(str(limit_bytes))
    if not v1 and (group / "memory.swap.max").exists():
        (group / "memory.swap.max").write_text("0")  # the limit holds with swap too
    return group


def cpu_cgroup(name: str) -> Path:
    """The learner's cgroup for CPU time, with the default weight: when the cores are busy, every learner
    gets an equal share of them, however many kernels each runs. Raises OSError."""
    return learner_cgroup("cpu", name)


class LearnerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that runs each learner as ``<system_user_prefix><name>`` with a private home."""

    system_user_prefix = Unicode("jupyter-", config=True, help="System user name = this + hub user name.")
    _cgroups: list[Path] = []

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

    def _cpu_cgroup(self) -> Path | None:
        try:
            return cpu_cgroup(self.system_user)
        except OSError as err:
            self.log.warning("No CPU share for %s (%s): one learner's kernels may slow the others", self.user.name, err)
            return None

    def make_preexec_fn(self, name):
        """Join the learner's memory and CPU cgroups (as root, before exec), then become the learner."""
        become_learner = set_user_setuid(self.system_user)
        procs = [group / "cgroup.procs" for group in self._cgroups]

        def preexec():
            for path in dict.fromkeys(procs):  # on cgroup v2 both are one group
                path.write_text(str(os.getpid()))
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
        self._cgroups = [group for group in (self._memory_cgroup(), self._cpu_cgroup()) if group is not None]
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        for group in dict.fromkeys(self._cgroups):
            try:
                group.rmdir()  # only succeeds once every process of the learner has ended
            except OSError:
                pass
