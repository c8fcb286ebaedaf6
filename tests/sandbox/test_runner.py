"""The grader's side of the sandbox: time limits, dead children, oversized and forged answers."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.sandbox.runner import Limits, Sandbox, SandboxDied


def write_module(folder, source: str, name: str = "toy"):
    (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return folder


def call(fn: str, x=None) -> dict:
    inputs = {"x": np.arange(3.0) if x is None else x}
    return {"inputs": inputs, "steps": [{"call": f"toy.{fn}", "args": [{"ref": "x"}], "into": "r"}], "outputs": ["r"]}


def test_a_missing_module_is_reported_in_the_import_report(tmp_path):
    with Sandbox(tmp_path, ["toy"]) as sandbox:
        assert sandbox.start() == {"toy": {"ok": False, "missing": True}}


def test_a_hang_at_import_times_out(tmp_path):
    write_module(tmp_path, "while True:\n    pass\n")
    with Sandbox(tmp_path, ["toy"], Limits(timeout=0.5)) as sandbox, pytest.raises(SandboxDied) as died:
        sandbox.start()
    assert died.value.outcome.kind == "timeout"
    assert "timed out after 0.5 s while importing your modules" in died.value.outcome.message


def test_after_a_crash_the_next_program_gets_a_fresh_child(tmp_path):
    write_module(tmp_path, """
        import faulthandler
        def crash(x):
            faulthandler._sigsegv()
        def double(x):
            return 2 * x
    """)
    with Sandbox(tmp_path, ["toy"]) as sandbox:
        sandbox.start()
        crashed = sandbox.run(call("crash"))
        assert crashed.kind == "crash" and "signal 11" in crashed.message
        again = sandbox.run(call("double"))
        assert again.kind == "result"
        np.testing.assert_array_equal(again.value["r"], [0.0, 2.0, 4.0])


def test_a_forged_length_prefix_cannot_make_the_grader_read_gigabytes(tmp_path):
    write_module(tmp_path, """
        import json, os, sys
        def forge(x):
            fd = int(sys.argv[2])  # the result pipe, the second of the two descriptors in argv
            os.write(fd, (2 ** 40).to_bytes(8, "big"))
            return x
    """)
    with Sandbox(tmp_path, ["toy"], Limits(max_result_mb=8)) as sandbox:
        outcome = sandbox.run(call("forge"))
    assert outcome.kind == "too-big" and "more than the 8 MiB" in outcome.message


def test_a_forged_answer_for_the_wrong_request_is_refused(tmp_path):
    write_module(tmp_path, """
        import json, os, sys
        def forge(x):
            head = json.dumps({"kind": "result", "id": 999, "sizes": [],
                               "value": {"t": "dict", "items": {"r": {"t": "py", "value": 1.0}}}}).encode()
            frame = b"CNL1" + len(head).to_bytes(8, "big") + head
            os.write(int(sys.argv[2]), len(frame).to_bytes(8, "big") + frame)
            return x
    """)
    with Sandbox(tmp_path, ["toy"]) as sandbox:
        outcome = sandbox.run(call("forge"))
    assert outcome.kind == "garbled" and "out of turn" in outcome.message


def test_what_the_student_prints_comes_back_apart_from_the_result(tmp_path):
    write_module(tmp_path, """
        def noisy(x):
            print("all tests passed")
            return x
    """)
    with Sandbox(tmp_path, ["toy"]) as sandbox:
        outcome = sandbox.run(call("noisy"))
    assert outcome.kind == "result" and outcome.output == "all tests passed\n"
    np.testing.assert_array_equal(outcome.value["r"], np.arange(3.0))
