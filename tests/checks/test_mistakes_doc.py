"""docs/mistakes.md: every mistake model is listed, with checks that name it and a fixture that makes it."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.checks import checks_of
from autograder.exercises import EXERCISES
from solutions.mistakes import MISTAKES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "mistakes.md").read_text()
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


def rows() -> dict[str, tuple[str, list[str], list[str]]]:
    """``{mistake id: (exercise, check names, fixture names)}`` from the tables of mistake models."""
    found, exercise = {}, None
    for line in DOC.splitlines():
        heading = re.match(r"## (exercise\d+)", line)
        if heading:
            exercise = heading.group(1)
        elif exercise and re.match(r"\| `[a-z0-9-]+`", line):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            mistake = re.findall(r"`([^`]+)`", cells[0])[0]
            found[mistake] = (exercise, re.findall(r"`([^`]+)`", cells[2]), re.findall(r"`([^`]+)`", cells[3]))
    return found


def test_every_mistake_model_is_listed():
    assert sorted(rows()) == sorted(MISTAKES)


def test_each_listed_check_names_the_mistake_and_each_fixture_exists():
    exercises = {e.name: e for e in EXERCISES}
    for mistake, (exercise, checks, fixtures) in rows().items():
        by_name = {c.name: c for c in checks_of(exercises[exercise])}
        assert checks and all(mistake in by_name[name].mistakes for name in checks), mistake
        assert fixtures and all((FIXTURES / name).is_dir() for name in fixtures), mistake
