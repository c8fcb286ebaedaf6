"""The wheel grades: built from the repository and installed into a fresh
environment outside the checkout, its ``cnnlab check`` marks a correct
submission full and a broken one down.

What is tested is what a student gets from ``pip install cnnlab-*.whl``:
nothing here can import from the checkout. The repository's files are copied
to a temporary folder and the wheel is built there (so setuptools' build/ and
*.egg-info never land in the checkout), a new virtual environment gets the
wheel with its dependencies from the package index (or pip's cache), and the
installed ``cnnlab`` runs from a temporary working folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGES = ("autograder", "exercises", "solutions")
# What a checkout holds besides its source: at its top only (autograder/build/ is source), then anywhere.
NOT_SOURCE_AT_TOP = shutil.ignore_patterns(".git", "*venv*", "build", "dist", "runs", ".cnnlab", ".pytest_cache",
                                           ".import_linter_cache", ".grimp_cache")
NOT_SOURCE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
BIN = "Scripts" if os.name == "nt" else "bin"


def _env() -> dict:
    """The environment without anything that would point Python back at the checkout or this venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(PYTHONNOUSERSITE="1", NO_COLOR="1", COLUMNS="120", MPLBACKEND="Agg")
    return env


def _run(command, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{' '.join(result.args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """cnnlab's wheel, built by pip from a copy of the repository."""
    source = tmp_path_factory.mktemp("source") / "cnnlab"
    shutil.copytree(ROOT, source, ignore=lambda folder, names: NOT_SOURCE(folder, names) | (
        NOT_SOURCE_AT_TOP(folder, names) if Path(folder) == ROOT else set()))
    out = tmp_path_factory.mktemp("dist")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", source, "-w", out], cwd=out))
    (built,) = out.glob("cnnlab-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The bin folder of a fresh virtual environment with the wheel and its dependencies installed."""
    venv = tmp_path_factory.mktemp("venv")
    _ok(_run([sys.executable, "-m", "venv", venv], cwd=venv))
    python = venv / BIN / "python"
    _ok(_run([python, "-m", "pip", "install", "--quiet", wheel], cwd=venv))
    yield venv / BIN
    shutil.rmtree(venv, ignore_errors=True)  # a few hundred MB that pytest would otherwise keep for three runs


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working folder with no exercises/ in it: cnnlab finds nothing there but what --path names."""
    return tmp_path_factory.mktemp("elsewhere")


def _submission(folder: Path, convolution: str) -> Path:
    folder.mkdir()
    (folder / "convolution.py").write_text(convolution)
    return folder


CORRECT = (ROOT / "solutions" / "convolution.py").read_text()
# The reference with conv_forward's output zeroed: right shape and dtype, wrong numbers.
ZEROED = CORRECT + '''

_reference_conv_forward = conv_forward


def conv_forward(x, w, b, stride=1, pad=0):
    out, cache = _reference_conv_forward(x, w, b, stride, pad)
    return np.zeros_like(out), cache
'''
STUB = (ROOT / "exercises" / "convolution.py").read_text()


def _check(bin_dir: Path, cwd: Path, folder: Path, *options: str) -> subprocess.CompletedProcess:
    return _run([bin_dir / "cnnlab", "check", "exercise3", "--path", folder, *options], cwd=cwd, timeout=300)


def test_the_wheel_carries_every_file_of_the_packages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    answers = sorted((ROOT / "autograder" / "answers").glob("*.cnl"))
    assert answers, "no stored answers in autograder/answers/"
    assert {f"autograder/answers/{p.name}" for p in answers} <= names
    assert "autograder/sandbox/child.py" in names  # run by its file path in the sandbox
    files = {p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
    missing = sorted(files - names)
    assert not missing, ("The wheel lacks these files (a non-Python file needs a line in "
                         "[tool.setuptools.package-data] of pyproject.toml, a folder of modules an __init__.py):\n  "
                         + "\n  ".join(missing))


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, outside):
    where = _ok(_run([installed / "python", "-c", "import autograder, exercises, solutions; "
                      "print(autograder.__file__, exercises.__file__, solutions.__file__)"], cwd=outside))
    for path in where.stdout.split():
        assert Path(path).resolve().is_relative_to(installed.parent.resolve()), where.stdout
    # The student's install leaves the course tools out (the course extra).
    assert _run([installed / "python", "-c", "import nbgrader"], cwd=outside).returncode != 0


def test_installed_cnnlab_gives_a_correct_submission_full_marks(installed, outside, tmp_path):
    folder = _submission(tmp_path / "correct", CORRECT)
    shown = _check(installed, outside, folder)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "exercise3" in shown.stdout

    result = _check(installed, outside, folder, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    graded = json.loads(result.stdout)
    assert graded["max_score"] > 0 and graded["score"] == graded["max_score"], graded
    assert graded["tests"] and all(t["status"] == "passed" for t in graded["tests"]), graded


def test_installed_cnnlab_marks_a_broken_submission_down(installed, outside, tmp_path):
    folder = _submission(tmp_path / "zeroed", ZEROED)
    shown = _check(installed, outside, folder)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "conv_forward" in shown.stdout or "conv forward" in shown.stdout

    result = _check(installed, outside, folder, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    graded = json.loads(result.stdout)
    assert 0 < graded["score"] < graded["max_score"], graded  # graded test by test: the shape checks still pass
    failed = [t["name"] for t in graded["tests"] if t["status"] == "failed"]
    assert any("forward" in name for name in failed), failed


def test_installed_cnnlab_gives_the_stub_nothing(installed, outside, tmp_path):
    folder = _submission(tmp_path / "stub", STUB)
    result = _check(installed, outside, folder, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    graded = json.loads(result.stdout)
    assert graded["score"] == 0 < graded["max_score"], graded


def test_installed_cnnlab_lets_a_submission_import_what_is_installed_beside_it(installed, outside, tmp_path):
    """A wheel lives in site-packages with NumPy and SciPy: hiding cnnlab from the sandbox must not hide them."""
    folder = _submission(tmp_path / "with_scipy", "import scipy.signal  # noqa: F401\n" + CORRECT)
    result = _check(installed, outside, folder, "--json")
    graded = json.loads(result.stdout)
    assert result.returncode == 0 and graded["score"] == graded["max_score"], graded
