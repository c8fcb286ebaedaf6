"""``cnnlab hint``: one more hint each time, the count kept in ``.cnnlab/hints.json`` in the student's folder."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.checks import hints_of
from autograder.student.backups import state_dir


def next_hint(exercise: Exercise, folder: Path) -> tuple[int, int, list[str]]:
    """Reveal one more hint for ``exercise``; returns (shown, total, the hints shown so far).

    The count is remembered per exercise in ``.cnnlab/hints.json``; once every
    hint is out, asking again shows them all again without counting further.
    """
    hints = hints_of(exercise)
    path = state_dir(folder) / "hints.json"
    try:
        state = json.loads(path.read_text()) if path.exists() else {}
        if not isinstance(state, dict):
            raise ValueError("not an object")
    except (ValueError, OSError):
        state = {}  # a damaged state file only costs the count of hints seen
    shown = min(int(state.get(exercise.name, 0)) + 1, len(hints))
    state[exercise.name] = shown
    try:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(state, indent=2))
    except OSError as error:
        raise CnnlabError(f"Could not remember the hint count in {path}: {error}") from None
    return shown, len(hints), hints[:shown]
