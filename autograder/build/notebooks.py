"""Build the course's notebooks: ``python -m autograder.build.notebooks [--check]``.

Each assignment of the nbgrader course lives in ``course/source/exerciseN/``:

- ``exerciseN.py``, the notebook in jupytext's percent format: the text that
  instructors edit and review (``# %%`` starts a code cell, ``# %% [markdown]``
  a text cell, nbgrader's cell metadata follows on the same line);
- ``exerciseN.ipynb``, built from it here, which nbgrader reads;
- the exercise's module files (``convolution.py``, ...), copies of the stubs
  in ``exercises/``: what the student implements beside the notebook.

The build is deterministic (cell ids follow the cell's nbgrader ``grade_id``
or its position; no jupytext metadata is kept), so ``--check`` can compare
byte for byte and the tests can fail when a built file is out of date.
jupytext is an instructor's tool (the ``course`` extra) and is imported only here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import paths
from autograder.errors import CnnlabError
from autograder.exercises import EXERCISES, Exercise

COURSE = paths.CHECKOUT / "course"
SOURCE = COURSE / "source"
STUBS = paths.CHECKOUT / "exercises"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NEEDS_COURSE = "building the course notebooks needs jupytext, an instructor's tool: pip install -e '.[course]'"


def folder(exercise: Exercise) -> Path:
    """``course/source/exerciseN``."""
    return SOURCE / exercise.name


def notebook_source(exercise: Exercise) -> Path:
    """The jupytext text of ``exercise``'s notebook."""
    return folder(exercise) / f"{exercise.name}.py"


def in_course() -> list[Exercise]:
    """The exercises whose notebook has been written (the others come later)."""
    return [ex for ex in EXERCISES if notebook_source(ex).is_file()]


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise CnnlabError(NEEDS_COURSE) from None
    return jupytext


def build_notebook(text: str) -> str:
    """The .ipynb (JSON text) of a notebook written in jupytext's percent format."""
    jupytext = _jupytext()
    import nbformat

    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC,
                                      "language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = grade_id or f"cell-{index:03d}"  # stable ids: a rebuild changes nothing
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def targets(exercise: Exercise) -> dict[Path, str]:
    """Every generated file of ``exercise``'s assignment and the text it must have."""
    here = folder(exercise)
    wanted = {here / f"{exercise.name}.ipynb": build_notebook(notebook_source(exercise).read_text())}
    for module in exercise.modules:
        wanted[here / f"{module}.py"] = (STUBS / f"{module}.py").read_text()
    return wanted


def stale(exercises: list[Exercise] | None = None) -> list[Path]:
    """The generated files that are missing or differ from what a build would write."""
    return [path for ex in (in_course() if exercises is None else exercises)
            for path, text in targets(ex).items() if not path.is_file() or path.read_text() != text]


def write(exercises: list[Exercise] | None = None) -> list[Path]:
    """Build every notebook and copy every stub that is out of date; return what was written."""
    written = []
    for ex in in_course() if exercises is None else exercises:
        for path, text in targets(ex).items():
            if not path.is_file() or path.read_text() != text:
                path.write_text(text)
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.build.notebooks", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")
    args = parser.parse_args(argv)
    try:
        changed = stale() if args.check else write()
    except CnnlabError as error:
        print(f"python -m autograder.build.notebooks: {error}", file=sys.stderr)
        return 2
    verb = "out of date" if args.check else "written"
    for path in changed:
        print(f"{verb}: {path.relative_to(paths.CHECKOUT)}")
    if not changed:
        print("course/source is in sync with its notebook sources and exercises/")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
