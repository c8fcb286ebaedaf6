"""cnnlab watch reruns the check when, and only when, a student's file changes."""

from __future__ import annotations

import os

from autograder.student.watch import fingerprint, watch


def test_runs_once_then_again_after_each_save(tmp_path):
    module = tmp_path / "convolution.py"
    module.write_text("x = 1\n")
    runs, looks = [], iter(range(10))

    def keep_going():
        n = next(looks, None)
        if n == 3:  # the student saves between looks
            module.write_text("x = 22\n")
            os.utime(module, ns=(1, 10 ** 18))
        return n is not None

    count = watch(tmp_path, lambda: runs.append(1), keep_going=keep_going, sleep=lambda s: None)
    assert count == 2 and len(runs) == 2


def test_fingerprint_sees_new_and_deleted_files(tmp_path):
    before = fingerprint(tmp_path)
    (tmp_path / "pooling.py").write_text("")
    created = fingerprint(tmp_path)
    (tmp_path / "pooling.py").unlink()
    assert before != created and fingerprint(tmp_path) == before
