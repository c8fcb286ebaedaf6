"""Generate the student stubs in ``exercises/`` from the reference in ``solutions/``.

Every reference body sits between nbgrader's markers::

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

Inside a function the marked block becomes ``# YOUR CODE HERE`` and a
``raise NotImplementedError("<name> is not implemented yet")``, so the stub
keeps its signature and docstring. A marked block at module level (a private
helper of the reference) is dropped from the stub altogether.

Run ``python -m autograder.build`` to regenerate, ``--check`` to only report
what is out of date (exit 1), as CI does through the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder import paths
from autograder.exercises import ALL_MODULES

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ROOT = paths.CHECKOUT  # stubs are generated in a clone of the repository
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")
_CLASS = re.compile(r"^(\s*)class\s+(\w+)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _owner(lines: list[str], at: int) -> str | None:
    """Qualified name (``Adam.step``) of the function enclosing line ``at``.

    Returns None when the block is not inside a function (a module-level helper).
    """
    limit = _indent(lines[at])
    names: list[str] = []
    innermost_is_def = None
    for line in reversed(lines[:at]):
        if not line.strip() or _indent(line) >= limit:
            continue
        limit = _indent(line)
        match = _DEF.match(line) or _CLASS.match(line)
        if match:
            if innermost_is_def is None:
                innermost_is_def = _DEF.match(line) is not None
            names.append(match.group(2))
        if limit == 0:
            break
    return ".".join(reversed(names)) if innermost_is_def else None


def make_stub(source: str, filename: str = "<source>") -> str:
    """Replace every marked solution block of ``source``.

    Parameters
    ----------
    source : str
        Text of a reference module.
    filename : str
        Used in error messages only.

    Returns
    -------
    str
        The stub module's text.

    Raises
    ------
    ValueError
        If the markers are unbalanced or nested.
    """
    lines = source.splitlines()
    out: list[str] = []
    start = None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise ValueError(f"{filename}:{i + 1}: nested '{BEGIN}'")
            start = i
        elif marker == END:
            if start is None:
                raise ValueError(f"{filename}:{i + 1}: '{END}' without '{BEGIN}'")
            owner = _owner(lines, start)
            if owner is not None:
                pad = lines[start][: _indent(lines[start])]
                out.append(f"{pad}# YOUR CODE HERE")
                out.append(f'{pad}raise NotImplementedError("{owner} is not implemented yet")')
            start = None
        elif start is None:
            out.append(line)
    if start is not None:
        raise ValueError(f"{filename}:{start + 1}: '{BEGIN}' is never closed")
    text = "\n".join(out) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)


def expected_stubs(root: Path = ROOT) -> dict[Path, str]:
    """Map each stub path under ``exercises/`` to the text it should have."""
    return {
        root / "exercises" / f"{module}.py": make_stub(
            (root / "solutions" / f"{module}.py").read_text(), f"solutions/{module}.py"
        )
        for module in ALL_MODULES
    }


def stale_stubs(root: Path = ROOT) -> list[Path]:
    """Stubs that are missing or differ from what ``solutions/`` generates."""
    return [
        path for path, text in expected_stubs(root).items()
        if not path.exists() or path.read_text() != text
    ]


def write_stubs(root: Path = ROOT) -> list[Path]:
    """Regenerate every stub; returns the paths that changed."""
    changed = stale_stubs(root)
    for path, text in expected_stubs(root).items():
        if path in changed:
            path.write_text(text)
    return changed
