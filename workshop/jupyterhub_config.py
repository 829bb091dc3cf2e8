"""JupyterHub for a class working through the series: `sudo WORKSHOP_PASSWORD=... make hub`.

Every setting an instructor may change is an environment variable, read here once:

  WORKSHOP_PASSWORD        the workshop password learners type (required, 8+ characters; no default)
  WORKSHOP_ADMIN_PASSWORD  the instructor's password (32+ characters; without it nobody is admin)
  WORKSHOP_INSTRUCTOR      the instructor's user name, the only admin (default: instructor)
  WORKSHOP_IP, WORKSHOP_PORT  where the hub listens (default: 127.0.0.1 and 8000, this machine only)
  WORKSHOP_REPO_URL, WORKSHOP_BRANCH  the repository nbgitpuller links pull (for the PYTHONPATH below)
  WORKSHOP_HOME            the learners' environment, proxy and MNIST copy (default: /opt/mnist-keras-workshop)
  WORKSHOP_STATE_DIR       the hub's database and secrets (default: $WORKSHOP_HOME/state, root only)
  WORKSHOP_CULL_IDLE_SECONDS  stop a learner's server after this long idle (default: 3600)
  WORKSHOP_CLASS_LIST      a file with the learners' user names, one per line: only they (and the
                           instructor) get in (default: anyone who knows the workshop password)

The class's fixed settings (each learner's memory limit, the default idle time, the repository) are in
settings.json beside this file, which the tests, the load test and the Kubernetes values are checked against.
"""
from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learner_spawner import LearnerSpawner  # noqa: E402

c = get_config()  # noqa: F821

SETTINGS = json.loads((Path(__file__).resolve().parent / "settings.json").read_text(encoding="utf-8"))
# The one memory setting: each learner's server and its kernels together (Binder gives 2 GiB).
LEARNER_MEMORY_LIMIT = SETTINGS["learner_memory_limit"]
DEFAULT_REPO_URL = SETTINGS["default_repo_url"]


def fail(message: str) -> None:
    """Stop the hub before it starts, with one actionable line."""
    sys.exit(f"error: {message}")


env = os.environ.get
password = env("WORKSHOP_PASSWORD", "")
admin_password = env("WORKSHOP_ADMIN_PASSWORD", "")
instructor = env("WORKSHOP_INSTRUCTOR", "instructor").lower()
home = Path(env("WORKSHOP_HOME", "/opt/mnist-keras-workshop"))
state = Path(env("WORKSHOP_STATE_DIR") or home / "state")
venv = home / "venv"
repo_url = env("WORKSHOP_REPO_URL", DEFAULT_REPO_URL)
series_folder = repo_url.rstrip("/").split("/")[-1]  # where nbgitpuller clones it, in each home
cull_idle_s = int(env("WORKSHOP_CULL_IDLE_SECONDS", str(SETTINGS["cull_idle_seconds"])))
# Servers and the proxy report activity this often, so idle time is known within a quarter of the timeout.
activity_interval_s = max(5, min(300, cull_idle_s // 4))

if not password:
    fail("set WORKSHOP_PASSWORD to the password you will give the class (8+ characters), "
         "e.g. sudo WORKSHOP_PASSWORD='choose-one' make hub")
if len(password) < 8:
    fail(f"WORKSHOP_PASSWORD has {len(password)} characters; choose one of 8 or more")
if admin_password and (len(admin_password) < 32 or admin_password == password):
    fail("WORKSHOP_ADMIN_PASSWORD must have 32+ characters and differ from WORKSHOP_PASSWORD "
         "(e.g. WORKSHOP_ADMIN_PASSWORD=$(openssl rand -hex 16))")
if os.geteuid() != 0:
    fail("start the hub as root (sudo make hub): it runs each learner's server as that learner's own system user")
if not (venv / "bin" / "jupyterhub-singleuser").exists():
    fail(f"no learners' environment in {venv}: run `sudo make hub` (it installs it)")
for folder in [venv, *venv.parents]:
    if not folder.stat().st_mode & stat.S_IXOTH:
        fail(f"learners cannot reach {venv}: {folder} is not world-executable; set WORKSHOP_HOME to a folder under /opt or /srv")

# --- who gets in ------------------------------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.SharedPasswordAuthenticator.admin_password = admin_password or None
c.Authenticator.admin_users = {instructor}  # the only admin; it must log in with the admin password
USER_NAME = r"^[a-z][a-z0-9_-]{0,19}$"  # becomes part of a system user name
c.Authenticator.username_pattern = USER_NAME
class_list = env("WORKSHOP_CLASS_LIST", "")
if class_list:  # only the names on the list (and the instructor), each still with the workshop password
    try:
        listed = [line.strip() for line in Path(class_list).read_text().splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
    except OSError as error:
        fail(f"WORKSHOP_CLASS_LIST={class_list} cannot be read ({error.strerror}): give a file of user names, one per line")
    names = [name.lower() for name in listed]  # JupyterHub lower-cases the names people type
    bad = [name for name in listed if not re.match(USER_NAME, name.lower())]
    if bad or not names:
        fail(f"WORKSHOP_CLASS_LIST={class_list}: " + (f"{', '.join(bad[:3])} cannot be a user name (lower-case "
             "letters, digits, - or _, starting with a letter, 20 at most)" if bad else "the file names nobody"))
    c.Authenticator.allow_all = False
    c.Authenticator.allowed_users = set(names)
else:
    c.Authenticator.allow_all = True  # anyone who knows the workshop password

# --- where it listens: this machine only, unless told otherwise ----------------------
c.JupyterHub.bind_url = f"http://{env('WORKSHOP_IP', '127.0.0.1')}:{env('WORKSHOP_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('WORKSHOP_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('WORKSHOP_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(home / "proxy/node_modules/.bin/configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
state.mkdir(parents=True, exist_ok=True)
state.chmod(0o700)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.last_activity_interval = activity_interval_s
c.JupyterHub.implicit_spawn_seconds = 1  # an nbgitpuller link starts the server without an extra click

# --- a server per learner ------------------------------------------------------------
c.JupyterHub.spawner_class = LearnerSpawner
c.LearnerSpawner.system_user_prefix = env("WORKSHOP_SYSTEM_USER_PREFIX", "jupyter-")
c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# Kernels talk to their server over Unix sockets in the learner's private runtime folder, not over
# TCP ports on 127.0.0.1: with TCP, two learners' servers starting kernels at the same moment can
# pick the same free port, and one kernel dies with "Address already in use" (seen with 16 learners).
c.Spawner.args = ["--KernelManager.transport=ipc"]
c.Spawner.mem_limit = LEARNER_MEMORY_LIMIT
c.Spawner.start_timeout = 300  # a whole class logging in at once on a small machine
c.Spawner.http_timeout = 300
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # `import helpers` finds the learner's own copy, which nbgitpuller put in their home.
    "PYTHONPATH": lambda spawner: str(Path(spawner.user_env({})["HOME"]) / series_folder),
    # MNIST from the instructor's verified copy, read-only; no learner downloads it again.
    "MNIST_DATA_DIR": str(home / "data"),
    "MNIST_OFFLINE": "1",
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(activity_interval_s),
}

# --- idle servers are stopped (their files stay) -----------------------------------
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_idle_s}",
                f"--cull-every={max(5, min(300, cull_idle_s // 4))}"],
}]
