"""The student stubs: generated from solutions/, in sync, and every one of them starts out failing."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from autograder.exercises import ALL_MODULES
from autograder.build.stubs import make_stub, stale_stubs

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''import numpy as np

### BEGIN SOLUTION
def _helper(x):
    return x
### END SOLUTION


def f(x):
    """Doc of f."""
    ### BEGIN SOLUTION
    return _helper(x)
    ### END SOLUTION


class Adam:
    def step(self, params, grads):
        """Doc of step."""
        if params:
            ### BEGIN SOLUTION
            pass
            ### END SOLUTION
'''


def test_marked_bodies_become_not_implemented_and_helpers_vanish():
    stub = make_stub(SOURCE)
    assert "_helper" not in stub and "BEGIN SOLUTION" not in stub
    assert '    # YOUR CODE HERE\n    raise NotImplementedError("f is not implemented yet")' in stub
    assert 'raise NotImplementedError("Adam.step is not implemented yet")' in stub
    assert '"""Doc of f."""' in stub and '"""Doc of step."""' in stub
    namespace: dict = {}
    exec(compile(stub, "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="f is not implemented yet"):
        namespace["f"](1)


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", "nested"),
    ("### END SOLUTION\n", "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    pass\n", "never closed"),
])
def test_unbalanced_markers_are_refused(source, message):
    with pytest.raises(ValueError, match=message):
        make_stub(source)


def test_exercises_are_in_sync_with_solutions():
    stale = stale_stubs()
    assert not stale, f"run `python -m autograder.build.stubs` to regenerate: {[str(p) for p in stale]}"


@pytest.mark.parametrize("module", ALL_MODULES)
def test_no_solution_reaches_the_stubs(module):
    text = (ROOT / "exercises" / f"{module}.py").read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def _public(module):
    for name, obj in vars(module).items():
        if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__:
            yield name, obj


def _call_with_nones(fn, *bound):
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return fn(*bound, *[None] * (len(params) - len(bound)))


@pytest.mark.parametrize("module", ALL_MODULES)
def test_every_stub_raises_not_implemented(module):
    stub = importlib.import_module(f"exercises.{module}")
    reference = importlib.import_module(f"solutions.{module}")
    public = dict(_public(stub))
    assert set(public) == set(dict(_public(reference))), "the stub must offer every public name of the reference"
    for name, obj in public.items():
        assert inspect.getdoc(obj) == inspect.getdoc(getattr(reference, name)), f"{name} lost its docstring"
        if inspect.isclass(obj):
            with pytest.raises(NotImplementedError):
                _call_with_nones(obj.__init__, object.__new__(obj))
            for method_name, method in vars(obj).items():
                if callable(method) and not method_name.startswith("_"):
                    with pytest.raises(NotImplementedError):
                        _call_with_nones(method, object.__new__(obj))
        else:
            with pytest.raises(NotImplementedError, match=f"{name} is not implemented yet"):
                _call_with_nones(obj)
