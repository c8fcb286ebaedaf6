"""``cnnlab reset``: put an exercise's stubs back, keeping the student's files in cnnlab's state folder.

What cnnlab remembers for a student (backups, the hints already shown) lives
outside the folder of their modules, so that it never travels with a submitted
folder: see :func:`state_dir`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from autograder.exercises import Exercise
from autograder.grading import store


STATE_ENV = "CNNLAB_STATE_DIR"


def state_root() -> Path:
    """The folder under which cnnlab keeps every student folder's state.

    ``$CNNLAB_STATE_DIR`` when it is set; otherwise ``%LOCALAPPDATA%\\cnnlab`` on
    Windows and ``$XDG_STATE_HOME/cnnlab`` (by default ``~/.local/state/cnnlab``)
    elsewhere.
    """
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV]).expanduser()
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "cnnlab"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "cnnlab"


def state_dir(folder: Path) -> Path:
    """Where cnnlab keeps what it remembers about the student folder ``folder``.

    One folder per student folder under :func:`state_root`, named after the
    folder and a digest of its full path (``exercises-3f2a9c1b0d4e``), so two
    courses checked out side by side keep apart, and nothing is written into
    the folder a student submits.
    """
    resolved = Path(folder).expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return state_root() / f"{resolved.name or 'root'}-{digest}"


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
