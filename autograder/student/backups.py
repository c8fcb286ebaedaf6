"""``cnnlab reset``: put an exercise's stubs back, keeping the student's files in ``.cnnlab/backups/``."""

from __future__ import annotations

import time
from pathlib import Path

from autograder.exercises import Exercise
from autograder.grading import store


def state_dir(folder: Path) -> Path:
    """Where cnnlab keeps what it remembers for a student: ``.cnnlab/`` inside their folder."""
    return Path(folder) / ".cnnlab"


def reset_exercise(exercise: Exercise, folder: Path) -> list[tuple[Path, Path | None]]:
    """Put the stubs of ``exercise`` back, backing up each student file first.

    Returns
    -------
    list of (Path, Path or None)
        Each module file written and where its previous content was saved
        (None when there was no file before).
    """
    stubs = store.stubs(exercise)
    backups = state_dir(folder) / "backups"
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
