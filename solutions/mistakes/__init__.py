"""Models of the classic mistakes students make, for the grader's diagnostics (instructors only).

Each ``exerciseN.py`` here defines ``MISTAKES = {id: (module, {attribute: replacement})}``:
the reference with a function or class (or a forward and backward pair, so a
model never depends on the reference's cache) replaced by a version that makes one
well-known mistake (a backward pass without the kernel flip, Adam without bias
correction, ...). When a student's answer equals a model's answer, the grader
names the mistake, using the explanation in ``DIAGNOSES`` of ``autograder/checks/exerciseN.py``.
"""

import importlib
import pkgutil

MISTAKES: dict = {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _id, _model in _module.MISTAKES.items():
        if _id in MISTAKES:
            raise ValueError(f"mistake id {_id!r} is defined twice (again in {_info.name})")
        MISTAKES[_id] = _model
