"""The cnnlab command line, through Typer's CliRunner and as a real program."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autograder.cli import app
from autograder.exercises import EXERCISES
from autograder.student.backups import state_dir

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def reference(tmp_path) -> Path:
    """A submission folder holding a copy of every reference module."""
    folder = tmp_path / "submission"
    folder.mkdir()
    for exercise in EXERCISES:
        for module in exercise.modules:
            shutil.copy(ROOT / "solutions" / f"{module}.py", folder)
    return folder


@pytest.fixture
def stubs(tmp_path) -> Path:
    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder)
    return folder


def test_version_and_help():
    assert runner.invoke(app, ["--version"]).output.startswith("cnnlab ")
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    for command in ("check", "status", "hint", "watch", "reset"):
        assert command in result.output


@pytest.mark.parametrize("name", ["exercise9", "ex0", "convolutions", "", "3.5"])
def test_an_unknown_exercise_lists_the_valid_names(name):
    result = runner.invoke(app, ["check", name])
    assert result.exit_code == 2
    assert "There is no exercise called" in result.output and "exercise3 (convolution)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["exercise1", "ex1", "1", "activations", " EX1 "])
def test_every_spelling_of_an_exercise_checks_it(name, reference):
    result = runner.invoke(app, ["check", name, "--path", str(reference)])
    assert result.exit_code == 0, result.output
    assert "exercise1:" in result.output and "All tests pass" in result.output


def test_check_on_the_stubs_says_not_started_and_exits_1(stubs):
    result = runner.invoke(app, ["check", "exercise3", "--path", str(stubs)])
    assert result.exit_code == 1
    assert "not started" in result.output and "conv_forward is not implemented yet" in result.output
    assert "exercise3: 0/" in result.output


def test_json_is_a_gradescope_results_object_and_nothing_else(stubs):
    result = runner.invoke(app, ["check", "ex1", "--path", str(stubs), "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["version"] == 1 and data["status"] == "graded" and data["score"] == 0 and data["max_score"] > 0
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(data["tests"][0])
    assert {t["status"] for t in data["tests"]} == {"failed"}


def test_a_broken_file_is_could_not_grade_in_json(tmp_path):
    (tmp_path / "activations.py").write_text("def relu_forward(x)\n    return x\n")
    data = json.loads(runner.invoke(app, ["check", "1", "--path", str(tmp_path), "--json"]).stdout)
    assert data["status"] == "could-not-grade" and data["score"] == 0
    assert "SyntaxError" in data["tests"][0]["output"] and "line 1" in data["tests"][0]["output"]


def test_status_covers_every_exercise(reference):
    result = runner.invoke(app, ["status", "--path", str(reference), "--json"])
    data = json.loads(result.stdout)
    assert [e["name"] for e in data["exercises"]] == [e.name for e in EXERCISES]
    assert all(e["progress"] == "done" for e in data["exercises"]) and data["score"] == data["max_score"]
    table = runner.invoke(app, ["check", "--all", "--path", str(reference)])
    assert table.exit_code == 0 and "6 of 6 exercises done" in table.output


def test_status_of_the_stubs_is_not_started_everywhere(stubs):
    result = runner.invoke(app, ["status", "--path", str(stubs)])
    assert result.exit_code == 1  # as the README says and as check --all does: not everything passes
    assert result.output.count("not started") == len(EXERCISES)
    assert "Next: cnnlab check exercise1" in result.output


def test_check_needs_an_exercise_or_all():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "--all" in result.output


def test_missing_folder_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["check", "ex1", "--path", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_hidden_without_the_solutions_package_says_so(reference, monkeypatch):
    for name in [n for n in sys.modules if n == "solutions" or n.startswith("solutions.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "solutions", None)  # what a student's install looks like
    result = runner.invoke(app, ["check", "ex1", "--path", str(reference), "--hidden"])
    assert result.exit_code == 1
    assert "--hidden needs cnnlab's reference solutions" in result.output
    assert runner.invoke(app, ["check", "ex1", "--path", str(reference)]).exit_code == 0  # public checks do not


def test_hints_come_one_more_each_time_and_are_remembered(stubs):
    first = runner.invoke(app, ["hint", "convolution", "--path", str(stubs)])
    second = runner.invoke(app, ["hint", "3", "--path", str(stubs)])
    assert "Hint 1/" in first.output and "Hint 2/" not in first.output
    assert "Hint 1/" in second.output and "Hint 2/" in second.output
    other = runner.invoke(app, ["hint", "1", "--path", str(stubs)])
    assert "Hint 2/" not in other.output  # counted per exercise
    remembered = json.loads((state_dir(stubs) / "hints.json").read_text())
    assert {name: len(shown) for name, shown in remembered.items()} == {"exercise3": 2, "exercise1": 1}
    assert not (stubs / ".cnnlab").exists()  # nothing written into the folder a student submits


def test_reset_asks_then_restores_the_stub_and_keeps_a_backup(reference):
    original = (reference / "pooling.py").read_text()
    refused = runner.invoke(app, ["reset", "ex4", "--path", str(reference)], input="n\n")
    assert refused.exit_code == 1 and (reference / "pooling.py").read_text() == original
    done = runner.invoke(app, ["reset", "ex4", "--path", str(reference)], input="y\n")
    assert done.exit_code == 0, done.output
    assert "NotImplementedError" in (reference / "pooling.py").read_text()
    backups = list((state_dir(reference) / "backups").glob("pooling-*.py"))
    assert len(backups) == 1 and backups[0].read_text() == original
    assert runner.invoke(app, ["check", "ex4", "--path", str(reference)]).exit_code == 1


def _cnnlab(*args, cwd=None):
    exe = Path(sys.executable).with_name("cnnlab")
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_real_program_check_pass_and_fail(reference, stubs):
    ok = _cnnlab("check", "exercise3", "--path", str(reference))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "exercise3: " in ok.stdout and "All tests pass" in ok.stdout
    failing = _cnnlab("check", "exercise3", "--path", str(stubs), "--json")
    assert failing.returncode == 1 and json.loads(failing.stdout)["score"] == 0


def test_real_program_finds_exercises_in_the_current_folder(stubs):
    result = _cnnlab("check", "ex6", cwd=stubs.parent)  # ./exercises is found without --path
    assert result.returncode == 1 and "dropout_forward is not implemented yet" in result.stdout


def test_real_program_unknown_exercise_has_no_traceback():
    result = _cnnlab("check", "exercise42")
    assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout
    assert "There is no exercise called 'exercise42'" in result.stderr


def test_watch_clears_and_follows_the_first_unfinished_exercise(stubs, monkeypatch):
    import autograder.student.watch

    def twice(folder, run_once, **kwargs):  # stands in for the endless loop: two saves, then Ctrl-C
        run_once()
        run_once()
        raise KeyboardInterrupt

    monkeypatch.setattr(autograder.student.watch, "watch", twice)
    result = runner.invoke(app, ["watch", "--path", str(stubs)])
    assert result.exit_code == 0, result.output
    assert result.output.count("exercise1: Activation functions") == 2
    assert "Watching your files" in result.output and "Stopped watching." in result.output


def test_status_exits_0_only_when_everything_passes(reference):
    assert runner.invoke(app, ["status", "--path", str(reference)]).exit_code == 0
    (reference / "pooling.py").write_text("")
    assert runner.invoke(app, ["status", "--path", str(reference)]).exit_code == 1


@pytest.mark.parametrize("command", [["check", "ex1"], ["check", "--all"], ["status"], ["hint", "ex1"],
                                     ["reset", "ex1", "--yes"], ["watch"]])
def test_a_repeated_path_is_refused(command, reference, stubs):
    result = runner.invoke(app, [*command, "--path", str(stubs), "--path", str(reference)])
    assert result.exit_code == 2, result.output
    assert "--path was given 2 times" in result.output and "Traceback" not in result.output


def _nested(tmp_path: Path) -> Path:
    inner = tmp_path / "nested" / "exercises"
    inner.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "activations.py", inner)
    return inner.parent


@pytest.mark.parametrize("make, args, code, says", [
    (lambda tmp: tmp / "nowhere", ["check", "ex1"], 1, "does not exist"),
    (lambda tmp: tmp, ["check", "ex1"], 1, "holds none of cnnlab's module files"),
    (_nested, ["status"], 1, "holds none of cnnlab's module files"),
    (lambda tmp: tmp, ["check", "--all"], 1, "holds none"),
    (lambda tmp: tmp, ["check", "exercise42"], 2, "There is no exercise called 'exercise42'"),
    (lambda tmp: tmp, ["check", "e"], 2, "could be any of exercise1 (activations)"),
])
def test_json_always_prints_a_results_object(tmp_path, make, args, code, says):
    result = runner.invoke(app, [*args, "--path", str(make(tmp_path)), "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == code
    assert (data["version"], data["status"], data["score"], data["tests"]) == (1, "could-not-grade", 0, [])
    assert says in data["output"]


def test_real_program_json_on_a_missing_folder_is_an_object(tmp_path):
    result = _cnnlab("check", "ex3", "--path", str(tmp_path / "nowhere"), "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["status"] == "could-not-grade"


@pytest.mark.parametrize("command", ["check", "status", "hint", "reset", "watch", "train", "evaluate", "predict",
                                     "doctor"])
def test_help_shows_flags_as_flags(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "150"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "--help" in result.output


def test_a_unique_prefix_names_an_exercise_and_an_ambiguous_one_is_refused(reference):
    assert runner.invoke(app, ["check", "conv", "--path", str(reference)]).exit_code == 0
    refused = runner.invoke(app, ["check", "ex", "--path", str(reference)])
    assert refused.exit_code == 2 and "could be any of exercise1 (activations), exercise2 (linear)" in refused.output


def _fixture_folder(name: str, tmp_path: Path) -> Path:
    """A fixture submission of exercise 1, with the reference as its base_activations."""
    folder = tmp_path / name
    shutil.copytree(ROOT / "tests" / "fixtures" / "submissions" / name, folder)
    shutil.copy(ROOT / "solutions" / "activations.py", folder / "base_activations.py")
    return folder


ESC = "\x1b"


def test_text_from_the_student_cannot_draw_on_check_or_watch(tmp_path, monkeypatch):
    import autograder.student.watch

    folder = _fixture_folder("draws_on_report", tmp_path)
    result = runner.invoke(app, ["check", "ex1", "--path", str(folder)], env={"COLUMNS": "200"}, color=True)
    assert result.exit_code == 1, result.output
    assert f"{ESC}[2J" not in result.output and f"{ESC}]8" not in result.output and f"{ESC}[H" not in result.output
    assert "[/] [bold red]markup[/]" in result.output
    last = result.output.rstrip().splitlines()[-1]
    assert last.startswith("exercise1: ") and "All tests pass" not in last  # the student's fake stays in its panel
    assert len(result.output) < 100_000  # a message and a type name of 2 MB, cut

    def once(folder, run_once, **kwargs):
        run_once()
        raise KeyboardInterrupt

    monkeypatch.setattr(autograder.student.watch, "watch", once)
    watched = runner.invoke(app, ["watch", "ex1", "--path", str(folder)])
    assert watched.exit_code == 0 and "[/] [bold red]markup[/]" in watched.output, watched.output


def test_an_infinite_loop_costs_one_timeout_not_one_per_test(tmp_path):
    folder = _fixture_folder("infinite_loop", tmp_path)
    started = time.monotonic()
    result = _cnnlab("check", "exercise1", "--path", str(folder), "--timeout", "2")
    seconds = time.monotonic() - started
    assert result.returncode == 1
    assert "timed out after 2 s in relu_forward" in result.stdout
    assert "Not run: relu_forward did not finish in 'ReLU forward' (see there)" in result.stdout
    assert seconds < 2 * 2 + 4, f"took {seconds:.1f} s: the stuck function ran more than once"


def test_an_empty_module_is_explained_once(tmp_path):
    (tmp_path / "activations.py").write_text("")
    result = runner.invoke(app, ["check", "ex1", "--path", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.output.count("activations.py defines none of the functions this exercise grades") == 1
    assert len(result.output.splitlines()) < 60
