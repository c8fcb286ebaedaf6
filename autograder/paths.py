"""Where things are: cnnlab's own folders, the stored answers, and the student's modules.

Everything is computed here once, from the location of the installed packages,
so a checkout, an editable install and a wheel all find the same things.
``solutions`` is looked up without being imported: students' installs may lack it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from autograder.errors import CnnlabError
from autograder.exercises import ALL_MODULES, Exercise

PACKAGE = Path(__file__).resolve().parent   # autograder/
ANSWERS = PACKAGE / "answers"              # the stored public answers, one .cnl file per exercise
CHECKOUT = PACKAGE.parent                   # a clone of the repository, or site-packages for a wheel


def source_checkout() -> Path | None:
    """The clone of the repository cnnlab runs from, or None for an installed wheel (site-packages)."""
    return CHECKOUT if (CHECKOUT / "pyproject.toml").is_file() else None


def answers_file(exercise: Exercise) -> Path:
    """The stored answers of ``exercise``'s public checks."""
    return ANSWERS / f"{exercise.name}.cnl"


def package_dir(name: str) -> Path | None:
    """The folder of the importable package ``name`` (``solutions``), without importing it; None if absent."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def default_exercises_dir() -> Path:
    """The student's ``exercises/`` folder.

    ``./exercises`` when the current folder has one (a student working in a
    clone of the course), otherwise the folder of the installed ``exercises``
    package.
    """
    local = Path.cwd() / "exercises"
    if local.is_dir():
        return local
    installed = package_dir("exercises")
    if installed is None:
        raise CnnlabError("Could not find an exercises/ folder here; pass --path DIR to name the folder with your modules.")
    return installed


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
