"""The stored answers' generator: in sync with solutions/ on every CPU, and stale stores reported."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import paths
from autograder.build import answers
from autograder.build.__main__ import main
from autograder.exercises import EXERCISES, find_exercise
from autograder.sandbox import wire


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_stored_answers_match_the_reference(exercise):
    assert answers.stale(exercise) == [], "run `python -m autograder.build`"


F32_EPS = float(np.finfo(np.float32).eps)


@pytest.mark.parametrize("array, change, found", [
    (np.linspace(1.0, 2.0, 4), lambda a: a, []),
    (np.linspace(1.0, 2.0, 4), lambda a: a * (1 + 1e-12), []),          # another CPU's float64 rounding
    (np.linspace(1.0, 2.0, 4), lambda a: a * (1 + 1e-6), ["/x: different values"]),
    (np.linspace(1.0, 2.0, 4), lambda a: a.astype(np.float32), ["/x: different values"]),
    (np.linspace(1.0, 2.0, 4), lambda a: a[:1], ["/x: different values"]),
    # float32: another CPU's kernels add in another order; a few eps of the array's scale is rounding,
    # even where it is a large relative error at an entry near zero, as measured on AVX2 against AVX-512
    (np.float32([10.0, -3.0, 1e-4]), lambda a: a + np.float32([0, 0, 8 * F32_EPS * 10]), []),
    (np.float32([10.0, -3.0, 1e-4]), lambda a: a * np.float32(1 + 16 * F32_EPS), []),
    (np.float32([10.0, -3.0, 1e-4]), lambda a: a + np.float32([0, 1e-3, 0]), ["/x: different values"]),
    (np.float32([10.0, -3.0, 1e-4]), lambda a: a.astype(np.float64), ["/x: different values"]),
], ids=["same", "f64-rounding", "f64-real-change", "f64-to-f32", "shape", "f32-near-zero", "f32-rounding",
        "f32-real-change", "f32-to-f64"])
def test_stored_and_fresh_answers_agree_up_to_the_rounding_of_their_dtype(array, change, found):
    assert answers.differences({"x": array}, {"x": change(array)}) == found


def test_check_mode_reports_a_stale_store_and_exits_1(tmp_path, monkeypatch, capsys):
    exercise = find_exercise(1)
    header, buffers = wire.parse_frame(paths.answers_file(exercise).read_bytes())
    monkeypatch.setattr(paths, "ANSWERS", tmp_path)
    header["checks"][next(iter(header["checks"]))]["reference"] = {"t": "py", "value": "stale"}
    paths.answers_file(exercise).write_bytes(wire.dump_frame({k: v for k, v in header.items() if k != "sizes"},
                                                             [bytes(b) for b in buffers]))
    assert main(["--check", "exercise1"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["exercise1"]) == 0
    assert "rewritten" in capsys.readouterr().out
    assert main(["--check", "exercise1"]) == 0
    assert main(["exercise1"]) == 0
    assert "in sync" in capsys.readouterr().out  # an up-to-date store is left as it is
