"""The stored inputs and reference answers of every public check.

Students grade their work without the ``solutions`` package: for each public
check, ``autograder/expected/exerciseN.cnl`` holds the inputs, the reference's
outputs and the outputs of each classic-mistake model, in cnnlab's wire format
(:mod:`autograder.sandbox.wire`: JSON and raw bytes, never pickle). It is
generated from ``solutions/`` by ``python -m autograder.expected``; a test
fails when it is out of date.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

from autograder.errors import CnnlabError
from autograder.reference import reference_modules, with_mistake
from autograder.registry import EXERCISES, Exercise, find_exercise
from autograder.sandbox import wire
from autograder.sandbox.program import StepError, run_program
from autograder.stubgen import make_stub
from autograder.suite import Check
from autograder.suites import load_suite

STORE = Path(__file__).with_name("expected")
SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
VERSION = 1
FIX = "reinstall cnnlab, or (instructors) run python -m autograder.expected"


def store_path(exercise: Exercise) -> Path:
    return STORE / f"{exercise.name}.cnl"


# Two machines compute the reference in different last bits (NumPy's SIMD math
# and OpenBLAS pick AVX2 or AVX-512 code by CPU, and a numerical gradient divides
# that rounding by 2h), so stored answers are compared within these tolerances,
# a hundred times tighter than any check's own.
SAME_RTOL, SAME_ATOL = 1e-8, 1e-9


def differences(stored, fresh, where: str = "") -> list[str]:
    """Where two decoded answer trees differ beyond rounding ([] when they agree)."""
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
        a, b = np.asarray(stored), np.asarray(fresh)
        same = a.shape == b.shape and a.dtype == b.dtype and np.allclose(
            a, b, rtol=SAME_RTOL, atol=SAME_ATOL, equal_nan=True)
        return [] if same else [f"{where}: different values"]
    return [] if stored == fresh and type(stored) is type(fresh) else [f"{where}: {stored!r} != {fresh!r}"]


def stale(exercise: Exercise) -> list[str]:
    """What in the stored answers of ``exercise`` no longer matches ``solutions/`` ([] when in sync)."""
    fresh, fresh_buffers = wire.parse_frame(generate(exercise))
    found = differences(load(exercise), _decode_checks(fresh, fresh_buffers))
    return found + ([] if stubs(exercise) == fresh["stubs"] else ["stubs: different text"])


def run_trusted(program: dict, modules: dict) -> dict | None:
    """Run ``program`` on trusted modules with private copies of its inputs; None if it raises."""
    private = {**program, "inputs": copy.deepcopy(program["inputs"])}
    with np.errstate(all="ignore"):
        try:
            return run_program(private, modules)
        except StepError:
            return None


def compute(check: Check, modules: dict, seed: int) -> dict:
    """Program, reference outputs and mistake-model outputs of ``check`` for ``seed``."""
    program = check.build(np.random.default_rng(seed))
    reference = run_trusted(program, modules) if check.uses_reference else None
    mistakes = {m: run_trusted(program, with_mistake(modules, m)) for m in check.mistakes}
    return {"program": program, "reference": reference, "mistakes": mistakes}


def generate(exercise: Exercise) -> bytes:
    """The store file of ``exercise``, computed from the reference."""
    modules = reference_modules(exercise, "Generating the expected data")
    buffers: list[bytes] = []
    entries = {}
    for check in load_suite(exercise).CHECKS:
        if check.hidden:
            continue
        entry = compute(check, modules, check.seed)
        entries[check.name] = {
            "inputs": wire.encode(entry["program"]["inputs"], buffers),
            "reference": wire.encode(entry["reference"], buffers),
            "mistakes": {m: wire.encode(v, buffers) for m, v in entry["mistakes"].items()},
        }
    stubs = {m: make_stub((SOLUTIONS / f"{m}.py").read_text(), f"solutions/{m}.py") for m in exercise.modules}
    return wire.dump_frame({"version": VERSION, "exercise": exercise.name, "checks": entries, "stubs": stubs},
                           buffers)


def _read(exercise: Exercise) -> tuple[dict, list]:
    path = store_path(exercise)
    try:
        header, buffers = wire.parse_frame(path.read_bytes())
        if header.get("version") != VERSION or header.get("exercise") != exercise.name:
            raise wire.WireError(f"version {header.get('version')} of {header.get('exercise')}")
        return header, buffers
    except FileNotFoundError:
        raise CnnlabError(f"The grader's expected answers {path} are missing; {FIX}.") from None
    except wire.WireError as error:
        raise CnnlabError(f"The grader's expected answers {path} are damaged ({error}); {FIX}.") from None


def stubs(exercise: Exercise) -> dict[str, str]:
    """The pristine student stub of each module of ``exercise`` (for ``cnnlab reset``)."""
    header, _ = _read(exercise)
    found = header.get("stubs")
    if not isinstance(found, dict) or set(found) != set(exercise.modules):
        raise CnnlabError(f"The grader's expected answers {store_path(exercise)} hold no stubs; {FIX}.")
    return found


def load(exercise: Exercise) -> dict:
    """``{check name: {"inputs", "reference", "mistakes"}}`` for the public checks of ``exercise``.

    Raises
    ------
    CnnlabError
        If the file is missing, corrupt or of another version.
    """
    header, buffers = _read(exercise)
    try:
        return _decode_checks(header, buffers)
    except (wire.WireError, KeyError, TypeError, AttributeError) as error:
        raise CnnlabError(f"The grader's expected answers {store_path(exercise)} are damaged ({error}); {FIX}.") from None


def _decode_checks(header: dict, buffers: list) -> dict:
    return {name: {"inputs": wire.decode(e["inputs"], buffers), "reference": wire.decode(e["reference"], buffers),
                   "mistakes": {m: wire.decode(v, buffers) for m, v in e["mistakes"].items()}}
            for name, e in header["checks"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.expected",
                                     description="Regenerate the stored answers of the public checks from solutions/.")
    parser.add_argument("exercises", nargs="*", help="exercises to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    args = parser.parse_args(argv)
    STORE.mkdir(exist_ok=True)
    outdated = False
    for exercise in [find_exercise(name) for name in args.exercises] or EXERCISES:
        path = store_path(exercise)
        if args.check:
            try:
                found = stale(exercise)
            except CnnlabError as error:
                found = [str(error)]
            for line in found[:5]:
                print(f"out of date: {path}: {line}")
            outdated = outdated or bool(found)
        else:
            path.write_bytes(generate(exercise))
            print(f"wrote: {path}")
    return 1 if outdated else 0


if __name__ == "__main__":
    sys.exit(main())
