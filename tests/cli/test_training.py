"""cnnlab train, evaluate and predict, through Typer's CliRunner and as a real program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from autograder.cli import app
from autograder.training.data import load_digits

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    result = runner.invoke(app, ["train", "--impl", "reference", "--epochs", "2", "--out", str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def digit_png(tmp_path) -> Path:
    digits = load_digits()
    image = Image.fromarray(((1 - digits.x_test[1, 0]) * 255).astype(np.uint8)).resize((64, 64), 0)
    image.save(tmp_path / "digit.png")
    return tmp_path / "digit.png"


def test_train_shows_epochs_and_a_summary(run_dir):
    result = runner.invoke(app, ["train", "--impl", "reference", "--epochs", "1", "--out", str(run_dir.parent / "b"),
                                 "--no-plots", "--channels", "4,8", "--hidden", "16", "--seed", "3"])
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "epoch 1/1" in text and "test acc" in text
    assert "Test accuracy" in text and "after 1 epochs" in text and str(run_dir.parent / "b") in text
    settings = json.loads((run_dir.parent / "b" / "metrics.json").read_text())["settings"]
    assert settings["channels"] == [4, 8] and settings["hidden"] == 16 and settings["seed"] == 3


def test_evaluate_reports_accuracy_and_confusion_matrix(run_dir):
    result = runner.invoke(app, ["evaluate", str(run_dir)])
    assert result.exit_code == 0, result.output
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert f"Test accuracy on digits: {metrics['test_accuracy']:.1%}" in said(result)
    assert "Confusion matrix" in said(result) and "true \\ pred" in said(result)


def test_predict_names_a_class_and_its_probability(run_dir, digit_png):
    result = runner.invoke(app, ["predict", str(run_dir), str(digit_png), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "looks like a" in said(result) and "probability" in said(result)


@dataclass
class Failing:
    passed: bool = False
    score: int = 0
    max_score: int = 20
    status: str = "graded"


def test_train_with_unfinished_exercises_says_which(monkeypatch, tmp_path):
    monkeypatch.setattr("autograder.grading.grader.grade_exercise", lambda exercise, folder: Failing(exercise.number != 3))
    result = runner.invoke(app, ["train", "--path", str(ROOT / "exercises"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "exercise3 (Convolution): 0/20 points" in said(result) and "cnnlab check exercise3" in said(result)
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()


BAD = {
    "channels": (["train", "--channels", "8"], 2, "--channels takes two filter counts"),
    "dropout": (["train", "--dropout", "1"], 2, "--dropout is the probability of dropping a unit"),
    "epochs": (["train", "--epochs", "0"], 2, "--epochs must be between 1 and 1000"),
    "lr": (["train", "--lr", "2"], 2, "--lr must be a number in (0, 1]"),
    "data": (["train", "--data", "cifar"], 2, "'cifar' is not one of"),
    "no data dir": (["train", "--data", "mnist"], 1, "name it with --data-dir"),
    "out and name": (["train", "--out", "x", "--name", "y"], 2, "not both"),
    "bad name": (["train", "--name", "a/b"], 2, "plain folder name"),
    "impl": (["train", "--impl", "mine"], 2, "'mine' is not one of"),
    "no run": (["evaluate", "no/such/run"], 1, "There is no folder no/such/run"),
    "no image": (["predict", "RUN", "nothing.png"], 1, "There is no image file nothing.png"),
    "not an image": (["predict", "RUN", "IMAGE"], 1, "as an image"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_gets_a_message_and_an_exit_code(name, run_dir, tmp_path, monkeypatch):
    args, code, message = BAD[name]
    (tmp_path / "notes.txt").write_text("not a picture")
    args = [str(run_dir) if a == "RUN" else str(tmp_path / "notes.txt") if a == "IMAGE" else a for a in args]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*args, "--impl", "reference"] if args[0] == "train" and name != "impl" else args)
    assert result.exit_code == code, result.output
    assert message in said(result)
    assert "Traceback" not in result.output


def test_a_real_cnnlab_train_run(tmp_path):
    """The command as a newcomer runs it, in a fresh folder, figures and all."""
    cnnlab = str(Path(sys.executable).parent / "cnnlab")
    env = {**os.environ, "COLUMNS": "120"}
    done = subprocess.run([cnnlab, "train", "--impl", "reference", "--epochs", "2", "--name", "demo"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Test accuracy" in done.stdout and "Traceback" not in done.stderr
    run = tmp_path / "runs" / "demo"
    assert {"metrics.json", "weights.npz", "curves.png", "filters.png", "feature_maps.png", "confusion.png",
            "misclassified.png"} == {p.name for p in run.iterdir()}
    done = subprocess.run([cnnlab, "evaluate", "runs/demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Test accuracy on digits" in done.stdout, done.stdout + done.stderr


def test_reusing_a_name_is_refused_unless_forced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["train", "--impl", "reference", "--epochs", "2", "--name", "mine", "--no-plots"])
    assert first.exit_code == 0, first.output
    before = (tmp_path / "runs" / "mine" / "metrics.json").read_text()
    again = runner.invoke(app, ["train", "--impl", "reference", "--epochs", "1", "--name", "mine", "--no-plots"])
    assert again.exit_code == 2, again.output
    assert "already holds a run of 2 epoch(s)" in said(again) and "--force" in said(again)
    assert (tmp_path / "runs" / "mine" / "metrics.json").read_text() == before
    forced = runner.invoke(app, ["train", "--impl", "reference", "--epochs", "1", "--name", "mine", "--no-plots",
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((tmp_path / "runs" / "mine" / "metrics.json").read_text())["settings"]["epochs"] == 1


def test_random_bytes_for_weights_never_advise_allow_pickle(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / "weights.npz").write_bytes(np.random.default_rng(1).bytes(1000))
    result = runner.invoke(app, ["evaluate", str(copy)])
    assert result.exit_code == 1
    assert "is damaged" in said(result) and "allow_pickle" not in result.output and "Traceback" not in result.output


def test_train_with_a_loop_written_convolution_says_it_is_slow_and_how_to_vectorise(monkeypatch, tmp_path):
    import shutil

    from autograder.training.data import Dataset

    folder = tmp_path / "mine"
    folder.mkdir()
    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, folder / path.name)
    shutil.copy(ROOT / "tests/fixtures/submissions/ex3_naive_loops/convolution.py", folder / "convolution.py")
    digits = load_digits()
    small = Dataset("digits", digits.x_train[:160], digits.y_train[:160], digits.x_test[:30], digits.y_test[:30],
                    digits.classes)
    monkeypatch.setattr("autograder.training.runs.load_dataset", lambda name, data_dir=None: small)
    monkeypatch.setattr("autograder.grading.grader.grade_exercise", lambda exercise, folder: Failing(True))
    monkeypatch.setattr("autograder.training.pace.SLOW_EXTRA_SECONDS", 0.5)  # the small set's whole run is seconds
    result = runner.invoke(app, ["train", "--path", str(folder), "--epochs", "1", "--out", str(tmp_path / "r"),
                                 "--no-plots"])
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "Your layers are slow: this run will take about" in text and "with cnnlab's reference layers" in text
    assert "conv_forward" in text and "conv_backward" in text and "sliding_window_view" in text
    assert "max_pool_forward" not in text and "Test accuracy" in text


def test_predict_shows_what_the_network_saw_and_saves_it(run_dir, tmp_path):
    from tests.training.drawing import draw_digit

    draw_digit(4, canvas=(300, 200), height=0.5, stroke=0.05, offset=(-0.1, 0.1)).save(tmp_path / "my four.png")
    result = runner.invoke(app, ["predict", str(run_dir), str(tmp_path / "my four.png")])
    assert result.exit_code == 0, result.output
    grid = [line for line in result.output.splitlines() if line.startswith("│")]
    assert len(grid) == 8 and all(len(line) == 2 + 16 for line in grid)
    assert "█" in "".join(grid) and "What the network was shown (8x8" in said(result)
    picture = run_dir / "predict-my four.png"
    assert f"Saved as {picture}" in said(result)
    saved = np.asarray(Image.open(picture))
    assert saved.shape == (160, 160)
    shown = saved[::20, ::20] / 255.0  # (8, 8): one sample per enlarged pixel
    assert np.all(np.isclose(shown * 16, np.round(shown * 16), atol=0.05))  # counts of 16, as the digits are
    assert "Its nearest training image is a" in said(result) and "unlike anything" not in said(result)


def test_predict_says_when_the_input_is_unlike_the_training_images(run_dir, tmp_path):
    from PIL import ImageDraw

    letter = Image.new("L", (200, 200), 255)
    pen = ImageDraw.Draw(letter)
    pen.line([(40, 160), (100, 30), (160, 160)], fill=0, width=14)
    pen.line([(65, 110), (135, 110)], fill=0, width=14)
    letter.save(tmp_path / "A.png")
    result = runner.invoke(app, ["predict", str(run_dir), str(tmp_path / "A.png")])
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "This image is unlike anything the network learnt from" in text and "at most" in text
