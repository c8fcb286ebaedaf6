"""Write the stored answers of the public checks from ``solutions/``, or report where they are stale.

Run through ``python -m autograder.build``. :mod:`autograder.grading.store`
reads what this writes.
"""

from __future__ import annotations

import numpy as np

from autograder import paths
from autograder.build.stubs import make_stub
from autograder.checks import checks_of
from autograder.checks.compare import same_within_rounding
from autograder.checks.spec import Check
from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.grading import store
from autograder.grading.reference import reference_modules, run_trusted, with_mistake
from autograder.sandbox import wire


def differences(stored, fresh, where: str = "") -> list[str]:
    """Where two decoded answer trees differ beyond rounding ([] when they agree).

    Two machines compute the reference in different last bits (NumPy's SIMD
    math and OpenBLAS pick AVX2 or AVX-512 code by CPU, and a numerical
    gradient divides that rounding by 2h), so arrays are compared within what
    their dtype can honestly carry (:func:`autograder.checks.compare.same_within_rounding`).
    """
    stored, fresh = (x.value if isinstance(x, wire.Typed) else x for x in (stored, fresh))
    if isinstance(stored, dict):
        if not isinstance(fresh, dict) or set(stored) != set(fresh):
            return [f"{where or '/'}: different keys"]
        return [d for key in stored for d in differences(stored[key], fresh[key], f"{where}/{key}")]
    if isinstance(stored, (list, tuple)):
        if type(stored) is not type(fresh) or len(stored) != len(fresh):
            return [f"{where}: different lengths"]
        return [d for i, (a, b) in enumerate(zip(stored, fresh)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(stored, (np.ndarray, float)) and not isinstance(stored, bool):
        return [] if same_within_rounding(np.asarray(stored), np.asarray(fresh)) else [f"{where}: different values"]
    return [] if stored == fresh and type(stored) is type(fresh) else [f"{where}: {stored!r} != {fresh!r}"]


def compute(check: Check, modules: dict, seed: int) -> dict:
    """Program, reference outputs and mistake-model outputs of ``check`` for ``seed``."""
    program = check.build(np.random.default_rng(seed))
    reference = run_trusted(program, modules) if check.uses_reference else None
    mistakes = {m: run_trusted(program, with_mistake(modules, m)) for m in check.mistakes}
    return {"program": program, "reference": reference, "mistakes": mistakes}


def generate(exercise: Exercise) -> bytes:
    """The store file of ``exercise``, computed from the reference."""
    modules = reference_modules(exercise, "Generating the expected data")
    solutions = paths.package_dir("solutions")
    buffers: list[bytes] = []
    entries = {}
    for check in checks_of(exercise):
        if check.hidden:
            continue
        entry = compute(check, modules, check.seed)
        entries[check.name] = {
            "inputs": wire.encode(entry["program"]["inputs"], buffers),
            "reference": wire.encode(entry["reference"], buffers),
            "mistakes": {m: wire.encode(v, buffers) for m, v in entry["mistakes"].items()},
        }
    stubs = {m: make_stub((solutions / f"{m}.py").read_text(), f"solutions/{m}.py") for m in exercise.modules}
    return wire.dump_frame({"version": store.VERSION, "exercise": exercise.name, "checks": entries,
                            "stubs": stubs}, buffers)


def stale(exercise: Exercise) -> list[str]:
    """What in the stored answers of ``exercise`` no longer matches ``solutions/`` ([] when in sync)."""
    fresh, fresh_buffers = wire.parse_frame(generate(exercise))
    found = differences(store.load(exercise), store.decode_checks(fresh, fresh_buffers))
    return found + ([] if store.stubs(exercise) == fresh["stubs"] else ["stubs: different text"])


def write(exercise: Exercise) -> bool:
    """Regenerate the store file of ``exercise`` when it is stale; whether it was written."""
    path = paths.answers_file(exercise)
    try:
        if path.exists() and not stale(exercise):
            return False
    except CnnlabError:  # a damaged file is simply rewritten
        pass
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(generate(exercise))
    return True
