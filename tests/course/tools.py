"""What the course's tests need: the course extra (nbgrader, jupytext, nbclient and a Jupyter kernel)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT

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


def no_flip_submission(folder: Path) -> Path:
    """``folder`` filled with the fixture submission whose dx slides the kernel over dout without flipping it.

    The fixture takes conv_output_shape from ``base_convolution``, a copy of the reference.
    """
    shutil.copytree(FIXTURES / "ex3_dx_without_kernel_flip", folder)
    shutil.copy(ROOT / "solutions" / "convolution.py", folder / "base_convolution.py")
    return folder
