"""docs/contracts.md: the table of documented promises names only checks and fixtures that exist.

The table says, for every clause of every stub's docstring, which checks fail
when it is broken and which fixture submission breaks it. A check renamed or
a fixture removed would leave the table claiming coverage that is gone, so
each name in it is looked up here; and every check of an exercise appears in
its section, so a new check is placed against the clause it tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.checks import checks_of
from autograder.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "contracts.md"
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


def sections() -> dict[str, list[list[str]]]:
    """``{exercise name: rows}``, each row its four cells, from the ``## exerciseN`` sections."""
    found, current = {}, None
    for line in TABLE.read_text().splitlines():
        heading = re.match(r"## (exercise\d+)", line)
        if heading:
            current = found.setdefault(heading.group(1), [])
        elif current is not None and line.startswith("| ") and not line.startswith(("| clause", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            current.append(cells)
    return found


def quoted(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_every_exercise_has_a_section_of_four_columns():
    found = sections()
    assert sorted(found) == sorted(e.name for e in EXERCISES)
    for name, rows in found.items():
        assert rows, name
        assert all(len(row) == 4 for row in rows), [row for row in rows if len(row) != 4]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_table_names_only_checks_of_the_exercise(exercise):
    names = {c.name for c in checks_of(exercise)}
    named = {name for row in sections()[exercise.name] for name in quoted(row[2])}
    assert named <= names, sorted(named - names)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_check_of_the_exercise_stands_against_a_clause(exercise):
    text = "\n".join(" | ".join(row) for row in sections()[exercise.name])
    named = {name for row in sections()[exercise.name] for name in quoted(row[2])}
    loose = [c.name for c in checks_of(exercise) if c.name not in named and not c.hidden]
    assert not loose, f"place these checks in docs/contracts.md under {exercise.name}: {loose}"
    assert text


def test_the_table_names_only_fixtures_that_exist():
    fixtures = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    named = {name for rows in sections().values() for row in rows for name in quoted(row[3])}
    assert named and named <= fixtures, sorted(named - fixtures)


def test_every_clause_has_a_check():
    """No row says "none" in its checks column: every documented clause costs points when it is broken."""
    open_rows = [row for rows in sections().values() for row in rows if row[2].startswith("none")]
    assert not open_rows, open_rows


def test_the_clauses_no_fixture_breaks_are_listed_as_open():
    """Rows whose fixture column is a dash have a check but no fixture yet: the section "Still open" lists them."""
    dashed = [row for rows in sections().values() for row in rows if row[3] == "—"]
    assert not dashed or "## Still open" in TABLE.read_text()
