"""Where a student's code lives: ``exercises/`` by default, or a folder given with ``--path``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from autograder.errors import CnnlabError
from autograder.registry import ALL_MODULES


def default_exercises_dir() -> Path:
    """The student's ``exercises/`` folder.

    ``./exercises`` when the current folder has one (a student working in a
    clone of the course), otherwise the folder of the installed ``exercises``
    package.
    """
    local = Path.cwd() / "exercises"
    if local.is_dir():
        return local
    spec = importlib.util.find_spec("exercises")
    if spec is None or not spec.submodule_search_locations:
        raise CnnlabError("Could not find an exercises/ folder here; pass --path DIR to name the folder with your modules.")
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_submission(path: Path | None) -> Path:
    """Check and return the folder that holds a student's modules.

    Parameters
    ----------
    path : Path or None
        A folder with the student's modules under the same file names as
        ``exercises/`` (``convolution.py``, ...); None means :func:`default_exercises_dir`.

    Raises
    ------
    CnnlabError
        If the folder does not exist, is not a folder, or holds none of the
        expected module files.
    """
    folder = default_exercises_dir() if path is None else Path(path).expanduser()
    if not folder.exists():
        raise CnnlabError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise CnnlabError(f"{folder} is a file; --path takes the folder that holds your modules.")
    if not any((folder / f"{module}.py").is_file() for module in ALL_MODULES):
        names = ", ".join(f"{m}.py" for m in ALL_MODULES)
        raise CnnlabError(f"{folder} holds none of cnnlab's module files ({names}).")
    return folder.resolve()
