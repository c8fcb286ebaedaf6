"""The hidden checks of every exercise (``autograder/checks/exerciseN.py``): what they can and cannot see.

A hidden check draws fresh inputs from a new seed every time it grades, and
lists the classic mistakes it can name. Those inputs must expose each of them
on *every* seed: otherwise the same mistaken submission earns the point on one
run and loses it on the next, and a class is graded by luck. These tests run
each hidden check on the reference and on each of its mistake models, in
process (all of it trusted code), for a fixed spread of seeds like the
grader's.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.reference import reference_modules, run_trusted, with_mistake
from autograder.exercises import EXERCISES
from autograder.checks.spec import Context
from autograder.checks import checks_of

SEEDS = [int(s) for s in np.random.default_rng(2024).integers(2 ** 31, size=30)]  # 31 bits, as the grader draws

HIDDEN = [(exercise, check) for exercise in EXERCISES for check in checks_of(exercise) if check.hidden]
CASES = [(exercise, check, mistake) for exercise, check in HIDDEN for mistake in check.mistakes]


def judged(check, program: dict, answer: dict, reference: dict | None) -> str | None:
    return check.judge(Context(program["inputs"], answer, reference if check.uses_reference else None, program))


@pytest.mark.parametrize("exercise, check", HIDDEN, ids=[f"{e.name}: {c.name}" for e, c in HIDDEN])
def test_the_reference_passes_every_hidden_check_on_every_seed(exercise, check):
    modules = reference_modules(exercise)
    for seed in SEEDS:
        program = check.build(np.random.default_rng(seed))
        reference = run_trusted(program, modules)
        assert reference is not None, f"the reference raised on seed {seed}"
        assert judged(check, program, reference, reference) is None, f"seed {seed}"


@pytest.mark.parametrize("exercise, check, mistake", CASES,
                         ids=[f"{e.name}: {c.name}: {m}" for e, c, m in CASES])
def test_every_hidden_check_exposes_each_of_its_mistakes_on_every_seed(exercise, check, mistake):
    modules = reference_modules(exercise)
    mistaken = with_mistake(modules, mistake)
    passed = []
    for seed in SEEDS:
        program = check.build(np.random.default_rng(seed))
        reference = run_trusted(program, modules)
        answer = run_trusted(program, mistaken)
        if answer is not None and judged(check, program, answer, reference) is None:  # raising counts as caught
            passed.append(seed)
    assert not passed, (f"the mistake model {mistake!r} passes {check.name!r} on {len(passed)} of {len(SEEDS)} "
                        f"seeds, e.g. {passed[:3]}: draw the inputs so that it shows on every seed, or drop it "
                        f"from the check's mistakes if a public check covers it")


def test_every_hidden_check_draws_fresh_inputs():
    """Different seeds give different programs: a hidden check that ignores its generator is a public one."""
    for exercise, check in HIDDEN:
        first, second = (repr(check.build(np.random.default_rng(seed))) for seed in SEEDS[:2])
        assert first != second, (exercise.name, check.name)


def _exercise_mistakes(exercise) -> list[str]:
    from solutions.mistakes import MISTAKES

    return sorted(m for m, (module, _) in MISTAKES.items() if module in exercise.modules)


@pytest.mark.parametrize("exercise, check", HIDDEN, ids=[f"{e.name}: {c.name}" for e, c in HIDDEN])
def test_every_mistake_model_gets_the_same_verdict_on_every_seed(exercise, check):
    """Not only the mistakes a hidden check lists: any classic mistake of the exercise passes it on every seed
    or fails it on every seed, so the same wrong code never earns the hidden point on one run and not the next
    (nbgrader's grade and cnnlab check --hidden would then disagree)."""
    modules = reference_modules(exercise)
    for mistake in _exercise_mistakes(exercise):
        mistaken = with_mistake(modules, mistake)
        passed = set()
        for seed in SEEDS:
            program = check.build(np.random.default_rng(seed))
            answer = run_trusted(program, mistaken)
            passed.add(answer is not None and judged(check, program, answer, run_trusted(program, modules)) is None)
        assert len(passed) == 1, f"the mistake model {mistake!r} passes {check.name!r} on some seeds only"
