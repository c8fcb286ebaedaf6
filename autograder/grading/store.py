"""The stored inputs and reference answers of every public check (read only).

Students grade their work without the ``solutions`` package: for each public
check, ``autograder/answers/exerciseN.cnl`` holds the inputs, the reference's
outputs and the outputs of each classic-mistake model, in cnnlab's wire format
(:mod:`autograder.sandbox.wire`: JSON and raw bytes, never pickle), and the
pristine stub of each module (for ``cnnlab reset``). :mod:`autograder.build.answers`
writes these files from ``solutions/``; a test fails when they are out of date.
"""

from __future__ import annotations

from autograder import paths
from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.sandbox import wire

VERSION = 1
FIX = "reinstall cnnlab, or (instructors) run python -m autograder.build"


def read(exercise: Exercise) -> tuple[dict, list]:
    """The header and array buffers of ``exercise``'s store file, checked for its version and exercise.

    Raises
    ------
    CnnlabError
        If the file is missing, corrupt or of another version.
    """
    path = paths.answers_file(exercise)
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
    header, _ = read(exercise)
    found = header.get("stubs")
    if not isinstance(found, dict) or set(found) != set(exercise.modules):
        raise CnnlabError(f"The grader's expected answers {paths.answers_file(exercise)} hold no stubs; {FIX}.")
    return found


def load(exercise: Exercise) -> dict:
    """``{check name: {"inputs", "reference", "mistakes"}}`` for the public checks of ``exercise``.

    Raises
    ------
    CnnlabError
        If the file is missing, corrupt or of another version.
    """
    header, buffers = read(exercise)
    try:
        return decode_checks(header, buffers)
    except (wire.WireError, KeyError, TypeError, AttributeError) as error:
        raise CnnlabError(f"The grader's expected answers {paths.answers_file(exercise)} are damaged "
                          f"({error}); {FIX}.") from None


def decode_checks(header: dict, buffers: list) -> dict:
    """The ``checks`` part of a store header, decoded (raises wire.WireError and friends on damage)."""
    return {name: {"inputs": wire.decode(e["inputs"], buffers), "reference": wire.decode(e["reference"], buffers),
                   "mistakes": {m: wire.decode(v, buffers) for m, v in e["mistakes"].items()}}
            for name, e in header["checks"].items()}
