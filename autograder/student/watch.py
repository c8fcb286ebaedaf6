"""``cnnlab watch``: rerun the check whenever one of the student's files is saved."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from autograder.exercises import ALL_MODULES


def fingerprint(folder: Path) -> tuple:
    """Modification time and size of every module file in ``folder`` (missing files count too)."""
    stamps = []
    for module in ALL_MODULES:
        path = Path(folder) / f"{module}.py"
        try:
            info = path.stat()
            stamps.append((module, info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append((module, None, None))
    return tuple(stamps)


def watch(folder: Path, run_once: Callable[[], None], *, interval: float = 0.5,
          keep_going: Callable[[], bool] = lambda: True, sleep: Callable[[float], None] = time.sleep) -> int:
    """Call ``run_once`` now and again after every change under ``folder``; returns the number of runs.

    ``keep_going`` is asked before each wait (tests stop the loop with it;
    people stop it with Ctrl-C).
    """
    runs = 0
    seen = None
    while keep_going():
        current = fingerprint(folder)
        if current != seen:
            seen = current
            run_once()
            runs += 1
        else:
            sleep(interval)
    return runs
