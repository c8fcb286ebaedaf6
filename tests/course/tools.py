"""What the course's tests need: the course extra (nbgrader, jupytext, nbclient and a Jupyter kernel)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.helpers import ROOT

COURSE = ROOT / "course"
TOOLS = ("nbgrader", "jupytext", "nbclient", "ipykernel")
MISSING = [name for name in TOOLS if importlib.util.find_spec(name) is None]

# Every test that runs a notebook or nbgrader carries both: the marker to select them, the skip to say why.
COURSE_MARKS = [
    pytest.mark.course,
    pytest.mark.skipif(bool(MISSING), reason=f"needs the course extra ({', '.join(MISSING)} missing): "
                                             "pip install -e '.[test,oracle,course]'"),
]


def needs_course_tools(test):
    """The course marks on one test function (a whole module takes ``pytestmark = COURSE_MARKS``)."""
    for mark in COURSE_MARKS:
        test = mark(test)
    return test
