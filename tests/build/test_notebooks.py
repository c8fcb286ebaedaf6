"""The course's notebooks are built from their text sources, and the stubs beside them are the stubs of exercises/."""

from __future__ import annotations

import shutil
import sys

import pytest

from autograder.build import notebooks
from autograder.errors import CnnlabError
from autograder.exercises import find_exercise
from tests.helpers import ROOT

EXERCISE3 = find_exercise(3)


def _has_jupytext() -> bool:
    try:
        import jupytext  # noqa: F401
    except ImportError:
        return False
    return True


needs_jupytext = pytest.mark.skipif(not _has_jupytext(),
                                    reason="building notebooks needs jupytext: pip install -e '.[test,oracle,course]'")


def test_exercise3_is_in_the_course():
    assert EXERCISE3 in notebooks.in_course()
    assert notebooks.notebook_source(EXERCISE3) == ROOT / "course" / "source" / "exercise3" / "exercise3.py"


@pytest.mark.parametrize("exercise", notebooks.in_course(), ids=lambda ex: ex.name)
def test_the_stub_beside_each_notebook_is_the_stub_of_exercises(exercise):
    for module in exercise.modules:
        beside = notebooks.folder(exercise) / f"{module}.py"
        assert beside.read_text() == (ROOT / "exercises" / f"{module}.py").read_text(), (
            f"{beside.relative_to(ROOT)} differs from exercises/{module}.py: python -m autograder.build.notebooks")


@pytest.mark.course
@needs_jupytext
def test_built_notebooks_are_up_to_date():
    assert notebooks.stale() == [], "run python -m autograder.build.notebooks"


@pytest.mark.course
@needs_jupytext
def test_check_reports_an_edited_notebook_and_a_build_puts_it_back(tmp_path, monkeypatch, capsys):
    source = tmp_path / "source"
    shutil.copytree(notebooks.SOURCE, source)
    monkeypatch.setattr(notebooks, "SOURCE", source)
    monkeypatch.setattr(notebooks.paths, "CHECKOUT", tmp_path)
    built = source / "exercise3" / "exercise3.ipynb"
    beside = source / "exercise3" / "convolution.py"
    built.write_text(built.read_text().replace("Convolution, derived", "Convolution"))
    beside.write_text(beside.read_text() + "# a student's edit\n")
    assert notebooks.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: source/exercise3/exercise3.ipynb" in out and "source/exercise3/convolution.py" in out
    assert notebooks.main([]) == 0 and notebooks.main(["--check"]) == 0


@pytest.mark.course
@needs_jupytext
def test_the_build_is_deterministic_and_keeps_nbgrader_metadata():
    import nbformat

    text = notebooks.notebook_source(EXERCISE3).read_text()
    first, second = notebooks.build_notebook(text), notebooks.build_notebook(text)
    assert first == second
    nb = nbformat.reads(first, as_version=4)
    assert "jupytext" not in nb.metadata and nb.metadata.kernelspec.name == "python3"
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.id for c in graded] == [c.metadata.nbgrader.grade_id for c in graded]
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_without_jupytext_the_build_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "jupytext", None)
    with pytest.raises(CnnlabError, match=r"pip install -e '\.\[course\]'"):
        notebooks.build_notebook("# %%\nx = 1\n")
    assert notebooks.main(["--check"]) == 2
