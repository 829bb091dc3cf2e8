"""The instructor guide's commands do what it says (each tried for real), and its teaching notes say what the notebooks show."""
from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess

import pytest

from helpers import REPO_ROOT, notebook_paths

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


# ---------------------------------------------------------------- the schedules add up

PLANS = {  # heading -> length in minutes
    "### Three hours: notebooks 00 to 08": 180,
    "### Two sessions of three hours: the whole series": 360,
    "### One day (six and a half hours, with lunch): the whole series": 390,
    "### Two hours: the core": 120,
}
LONGEST_STRETCH_MIN = 90  # between breaks (a lunch, or the end of a session, counts as one)


def notebook_facts() -> dict[str, tuple[int, set[int]]]:
    """Notebook stem -> (its solo minutes, the numbers of its exercises)."""
    from test_figures import notebook_minutes

    facts = {}
    for path in notebook_paths():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        numbers = {int(n) for c in cells if c["cell_type"] == "markdown"
                   for n in re.findall(r"^### Exercise (\d+):", "".join(c["source"]), re.M)}
        facts[path.stem] = (notebook_minutes(path), numbers)
    return facts


def plan_rows(heading: str) -> list[list[str]]:
    section = GUIDE.split(heading + "\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if re.match(r"^\| \d:\d\d \|", line)]
    assert rows, f"no table under {heading}"
    return rows


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def exercise_numbers(text: str) -> set[int]:
    found = set()
    for listed in re.findall(r"exercises? ((?:\d+(?:, | and )?)+)", text):
        found |= {int(n) for n in re.findall(r"\d+", listed)}
    return found


@pytest.mark.parametrize("heading", sorted(PLANS))
def test_a_plan_adds_up_and_ends_on_time(heading):
    rows = plan_rows(heading)
    assert rows[0][0] == "0:00" and rows[-1][1] == "End"
    for row, following in zip(rows, rows[1:]):
        start, what, length, exercises = row[:4]
        assert minutes(start) + int(length) == minutes(following[0]), f"{heading}: {what} does not end at {following[0]}"
        assert 0 <= int(exercises) <= int(length), f"{heading}: {what}"
    assert minutes(rows[-1][0]) == PLANS[heading]


@pytest.mark.parametrize("heading", sorted(PLANS))
def test_a_plan_has_breaks_and_room_for_its_exercises(heading):
    facts = notebook_facts()
    rows = plan_rows(heading)[:-1]
    stretch = 0
    covered: dict[str, set[int]] = {}
    for start, what, length, exercises, in_room, homework in rows:
        if "**Break**" in what or "**Lunch**" in what or "**Session" in what:
            stretch = 0 if "**Session" not in what else int(length)
        else:
            stretch += int(length)
        assert stretch <= LONGEST_STRETCH_MIN, f"{heading}: {stretch} minutes without a break at {start}"
        notebook = re.search(r"\[(\d\d_\w+)\]", what)
        if not notebook:
            continue
        solo, numbers = facts[notebook[1]]
        if "all exercises" in in_room:
            assert int(length) >= solo, f"{heading}: {notebook[1]} with all its exercises needs its solo {solo} min"
            covered.setdefault(notebook[1], set()).update(numbers)
        elif "its exercises" in homework:
            covered.setdefault(notebook[1], set()).update(numbers)
        else:
            in_room_numbers, homework_numbers = exercise_numbers(in_room), exercise_numbers(homework)
            assert not in_room_numbers & homework_numbers, f"{heading}: {notebook[1]}"
            assert int(exercises) > 0 or not in_room_numbers, f"{heading}: {notebook[1]} has exercises but no time"
            covered.setdefault(notebook[1], set()).update(in_room_numbers | homework_numbers)
    for stem, numbers in covered.items():
        assert numbers == facts[stem][1], f"{heading}: {stem}'s exercises {sorted(facts[stem][1])}, plan says {sorted(numbers)}"


def test_the_whole_series_plans_cover_every_notebook():
    every = set(notebook_facts())
    for heading in ("### Two sessions of three hours: the whole series",
                    "### One day (six and a half hours, with lunch): the whole series"):
        named = {m for row in plan_rows(heading) for m in re.findall(r"\[(\d\d_\w+)\]", row[1])}
        assert named == every, f"{heading} leaves out {sorted(every - named)}"


@pytest.mark.parametrize("name", ["INSTRUCTOR_GUIDE.md", "HELPER_BRIEFING.md"])
def test_relative_links_lead_to_files_and_headings_that_exist(name):
    text = (REPO_ROOT / "notebooks" / name).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (REPO_ROOT / "notebooks" / path).resolve() if path else REPO_ROOT / "notebooks" / name
        assert file.exists(), f"{name}: {target}"
        if anchor and file.suffix == ".md":
            slugs = {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
                     for heading in re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)}
            assert anchor in slugs, f"{name}: {target}"


def test_every_notebook_has_a_teaching_note_with_a_pause_question_and_what_to_live_code():
    notes = GUIDE.split("## Teaching notes", 1)[1].split("\n## ", 1)[0]
    for path in notebook_paths():
        note = re.search(rf"^\*\*{path.name[:2]} · .*?(?=^\*\*\d\d · |\Z)", notes, re.M | re.S)
        assert note, f"no teaching note for {path.name}"
        assert "\n- Pause and ask: " in note[0] and "\n- Live-code: " in note[0], path.name


def test_the_tljh_route_sets_the_same_memory_limit_and_idle_time_as_make_hub():
    settings = json.loads((REPO_ROOT / "workshop" / "settings.json").read_text(encoding="utf-8"))
    limit, idle = settings["learner_memory_limit"], settings["cull_idle_seconds"]
    route = GUIDE.split("### A cloud VM: The Littlest JupyterHub", 1)[1].split("\n### ", 1)[0]
    assert f"sudo tljh-config set limits.memory {limit} " in route
    assert f"sudo tljh-config set services.cull.timeout {idle}\n" in route
    assert '"MNIST_OFFLINE": "1"' in route and "tools.links --hub" in route


# --- the figures of `make hub-load` that the README and the guide quote -------------------------
# Documentation checks: workshop/measurements/ keeps what `make hub-load` printed (the hub itself is tested by
# running it: `.ci/run` runs `make hub-load` with 3 learners); these fail when the prose and those runs disagree.
MEASURED = REPO_ROOT / "workshop" / "measurements"
README = (REPO_ROOT / "README.md").read_text()


def hub_load_figures(text: str) -> dict:
    """The overall figures a `make hub-load` run printed."""
    def numbers(pattern: str) -> list[float]:
        return [float(x) for x in re.search(pattern, text).groups()]

    learners, failures = numbers(r"overall: (\d+) learners, (\d+) failures")
    return {
        "learners": int(learners), "failures": int(failures),
        "server": numbers(r"time to a running server \(s\): median ([\d.]+), max ([\d.]+)"),
        "span": re.search(r"time for notebooks (\d\d-\d\d) \(s\)", text)[1],
        "notebooks": numbers(r"time for notebooks \d\d-\d\d \(s\): median ([\d.]+), max ([\d.]+)"),
        "per_notebook": re.findall(r"^(\d\d_\w+)\.ipynb +([\d.]+) +([\d.]+) +(\d+) +(\d+)$", text, re.M),
        "peak_mib": numbers(r"peak memory per learner \(MiB\): median ([\d.]+), max ([\d.]+)"),
        "together_gib": numbers(r"peak memory of all learners together: ([\d.]+) GiB")[0],
        
    }


MEASUREMENTS = {path.name: hub_load_figures(path.read_text()) for path in sorted(MEASURED.glob("hub-load-*.txt"))}


@pytest.mark.parametrize("name", sorted(MEASUREMENTS))
def test_the_guides_table_row_is_what_make_hub_load_printed(name):
    run = MEASUREMENTS[name]
    span = run["span"].replace("-", " to ")
    row = (f"| {run['learners']} | {span} | {run['failures']} | {run['server'][0]} s, {run['server'][1]} s "
           f"| {run['notebooks'][0]} s, {run['notebooks'][1]} s "
           f"| {run['peak_mib'][0]:.0f} MiB, {run['peak_mib'][1]:.0f} MiB | {run['together_gib']} GiB |")
    assert row in GUIDE


def test_the_prose_figures_are_those_of_the_stored_runs():
    runs = sorted(MEASUREMENTS.values(), key=lambda run: run["learners"])
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    largest = runs[-1]
    assert whole["span"] == "01-11" and largest["learners"] == 16
    peak_gib = max(run["peak_mib"][1] for run in runs) / 1024
    for text in (GUIDE, README):
        assert f"about {peak_gib:.1f} GiB" in text
    assert (f"{whole['learners']} learners running the whole series together: 0 failures, a running server in "
            f"{whole['server'][0]:.0f} s and notebooks 01-11 in {whole['notebooks'][0]:.0f} s (medians), "
            f"{whole['together_gib']} GiB together") in README
    assert (f"{largest['learners']} learners, the most it holds: 0 failures, "
            f"{largest['server'][0]:.0f} s and {largest['notebooks'][0]:.0f} s, "
            f"{largest['together_gib']} GiB together") in README
    assert f"{largest['learners']} learners working at the same moment peaked at {largest['together_gib']} GiB" in GUIDE


def test_the_guides_per_notebook_table_is_the_whole_series_run():
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    assert [name for name, *_ in whole["per_notebook"]] == [path.stem for path in notebook_paths()[1:]]
    for name, median_s, max_s, median_mib, max_mib in whole["per_notebook"]:
        assert f"| {name} | {median_s} s, {max_s} s | {median_mib} MiB, {max_mib} MiB |" in GUIDE


def test_the_sizing_table_follows_from_the_whole_series_run():
    whole = MEASUREMENTS["hub-load-8-series.txt"]
    core_seconds = round(2 * whole["notebooks"][0] / whole["learners"])  # 2 cores kept busy by every learner
    assert f"= {core_seconds} core-seconds" in GUIDE and f"{whole['together_gib']} GiB together" in GUIDE
    rows = re.findall(r"^\| (\d+) \| (\d+) GiB \| (\d+) \| (\d+) s \|$", GUIDE, re.M)
    assert [int(row[0]) for row in rows] == [10, 25, 50]
    for learners, memory, cores, seconds in (map(int, row) for row in rows):
        assert memory == 2 * learners + 4, "2 GiB per learner plus 4 GiB"
        assert cores * 2 >= learners, "one core per two learners or more"
        assert seconds == round(core_seconds * learners / cores)
