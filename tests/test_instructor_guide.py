"""The instructor guide's commands do what it says (each tried for real), and its teaching notes say what the notebooks show."""
from __future__ import annotations

import re
import shutil
import stat
import subprocess

import pytest

from helpers import REPO_ROOT

GUIDE = (REPO_ROOT / "notebooks" / "INSTRUCTOR_GUIDE.md").read_text(encoding="utf-8")


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", GUIDE, flags=re.S)


def hub_start_block() -> list[str]:
    """The guide's commands that start the hub, one logical line each (continuations joined)."""
    blocks = [block for block in bash_blocks() if "make hub" in block and "WORKSHOP_PASSWORD" in block]
    assert len(blocks) == 1, "the guide should start the hub in exactly one command block"
    return [line.strip() for line in blocks[0].replace("\\\n", " ").splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_admin_password_is_kept_where_the_instructor_can_read_it(tmp_path):
    lines = hub_start_block()
    make_line = next(line for line in lines if "make hub" in line)
    kept = re.search(r'WORKSHOP_ADMIN_PASSWORD="\$\(sudo cat (\S+)\)"', make_line)
    assert kept, f"the hub command should read the admin password from a file: {make_line}"
    password_file = kept.group(1)
    making = [line for line in lines if password_file in line and "openssl rand" in line]
    showing = [line for line in lines if line.split("#")[0].strip() == f"sudo cat {password_file}"]
    assert making and showing, "the guide should make the admin password file and show how to read it"
    # Run the guide's own line (as this user, into a temporary file), twice: the password is made once.
    local_file = tmp_path / "workshop-admin-password"
    command = making[0].replace(password_file, str(local_file)).removeprefix("sudo ")
    for _ in range(2):
        subprocess.run(["bash", "-c", command], check=True, timeout=30)
        password = local_file.read_text().strip()
        if _ == 0:
            first = password
    assert password == first, "running the command again must keep the same password"
    assert re.fullmatch(r"[0-9a-f]{32}", password), "the hub needs 32+ characters"
    assert stat.S_IMODE(local_file.stat().st_mode) == 0o600, "only its owner may read the admin password"


def test_discussion_does_not_call_the_five_epoch_gap_overfitting():
    questions = GUIDE.split("## Questions for discussion", 1)[1]
    gap_question = next(q for q in re.split(r"\n(?=\d+\. )", questions) if "After 5 epochs" in q)
    assert "Is that overfitting? (Not yet" in " ".join(gap_question.split())
    assert "test set as `validation_data`" not in GUIDE, "05 watches a validation split, not the test set"
