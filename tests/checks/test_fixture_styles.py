"""Correct code written in the style of each real-world mistake's fixture gets full marks, hidden checks included.

The fixtures of the mistakes found in real students' code (docs/mistakes.md,
marked (*)) are written the way those students write: plain loops, aliases
such as ``dx = dout``, a step counter in a dict. Each is graded here with its
one mistake corrected, so that no check takes points from the style itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.exercises import find_exercise
from autograder.grading.grader import grade_exercise

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"

# fixture: (exercise, module, the mistake as written, its correction)
CORRECTED = {
    "ex1_relu_forward_alias": (1, "activations", "    out = x\n", "    out = x.copy()\n"),
    "ex1_relu_backward_mask_into_cache": (1, "activations", "    x = cache\n    x[x > 0]", "    x = cache.copy()\n    x[x > 0]"),
    "ex1_relu_backward_modifies_dout": (1, "activations", "    dx = dout\n", "    dx = dout.copy()\n"),
    "ex3_output_size_round": (3, "convolution", "round((H + 2 * pad - HH) / stride + 1), round((W + 2 * pad - WW) / stride + 1)",
                              "(H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1"),
    "ex4_output_size_round": (4, "pooling", "round((H - pool_size) / stride + 1), round((W - pool_size) / stride + 1)",
                              "(H - pool_size) // stride + 1, (W - pool_size) // stride + 1"),
    "ex5_adam_step_count_from_one": (5, "optimizers", "self.t[key] = 1\n", "self.t[key] = 0\n"),
    "ex5_adam_eps_inside_sqrt": (5, "optimizers", "np.sqrt(v_hat + self.eps)", "(np.sqrt(v_hat) + self.eps)"),
    "ex5_adam_eps_hat": (5, "optimizers",
                         "            lr_t = self.lr * np.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)\n"
                         "            p -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + self.eps)",
                         "            m_hat = self.m[key] / (1 - self.beta1 ** t)\n"
                         "            v_hat = self.v[key] / (1 - self.beta2 ** t)\n"
                         "            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)"),
}


@pytest.mark.parametrize("fixture", sorted(CORRECTED))
def test_the_fixture_with_its_mistake_corrected_gets_full_marks(fixture, tmp_path):
    number, module, mistake, correction = CORRECTED[fixture]
    for path in (ROOT / "solutions").glob(f"{module}.py"):
        shutil.copy(path, tmp_path / f"base_{module}.py")
    source = (FIXTURES / fixture / f"{module}.py").read_text()
    assert source.count(mistake) == 1, f"{fixture}: the mistake is no longer written as the table says"
    (tmp_path / f"{module}.py").write_text(source.replace(mistake, correction))
    result = grade_exercise(find_exercise(number), tmp_path, hidden=True, allow_weak_isolation=True)
    failures = [f"{t.name}: {t.output}" for t in result.tests if not t.passed]
    assert result.score == result.max_score, "\n".join(failures)
