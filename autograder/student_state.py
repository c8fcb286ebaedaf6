"""What cnnlab remembers for a student, kept in ``.cnnlab/`` inside their folder: hints shown, backups."""

from __future__ import annotations

import json
import time
from pathlib import Path

from autograder import expected
from autograder.errors import CnnlabError
from autograder.registry import Exercise
from autograder.suites import load_suite


def _state_dir(folder: Path) -> Path:
    return Path(folder) / ".cnnlab"


def next_hint(exercise: Exercise, folder: Path) -> tuple[int, int, list[str]]:
    """Reveal one more hint for ``exercise``; returns (shown, total, the hints shown so far).

    The count is remembered per exercise in ``.cnnlab/hints.json``; once every
    hint is out, asking again shows them all again without counting further.
    """
    hints = list(load_suite(exercise).HINTS)
    path = _state_dir(folder) / "hints.json"
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


def reset_exercise(exercise: Exercise, folder: Path) -> list[tuple[Path, Path | None]]:
    """Put the stubs of ``exercise`` back, backing up each student file first.

    Returns
    -------
    list of (Path, Path or None)
        Each module file written and where its previous content was saved
        (None when there was no file before).
    """
    stubs = expected.stubs(exercise)
    backups = _state_dir(folder) / "backups"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    done = []
    for module, text in stubs.items():
        target = Path(folder) / f"{module}.py"
        saved = None
        if target.exists():
            backups.mkdir(parents=True, exist_ok=True)
            saved = backups / f"{module}-{stamp}.py"
            n = 1
            while saved.exists():
                saved, n = backups / f"{module}-{stamp}-{n}.py", n + 1
            saved.write_bytes(target.read_bytes())
        target.write_text(text)
        done.append((target, saved))
    return done
