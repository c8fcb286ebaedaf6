"""Run folders: what cnnlab train writes, and reading it back to evaluate and predict."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from autograder.training.data import load_digits
from autograder.errors import CnnlabError, UsageError
from autograder.training.plots import FILES
from autograder.training.runs import evaluate_run, new_run_dir, open_run, predict_image, run_training
from autograder.training.train import TrainConfig

from tests.training.test_data import write_idx_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A short run with the reference layers, figures included."""
    out = tmp_path_factory.mktemp("runs") / "short"
    summary = run_training(TrainConfig(epochs=3, seed=2), impl="reference", out=out)
    return summary


def test_a_run_writes_metrics_weights_and_figures(run):
    names = {p.name for p in run.run_dir.iterdir()}
    assert names == {"metrics.json", "weights.npz", *FILES}
    for figure in FILES:
        assert (run.run_dir / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(run.files) == names


def test_metrics_json_has_the_settings_seed_and_every_epoch(run):
    metrics = json.loads((run.run_dir / "metrics.json").read_text())
    assert metrics["version"] == 1 and metrics["status"] == "completed"
    assert metrics["seed"] == 2 and metrics["settings"]["seed"] == 2 and metrics["settings"]["epochs"] == 3
    assert metrics["settings"]["channels"] == [8, 16]
    assert metrics["impl"] == "reference" and metrics["layers"] == "reference"
    assert metrics["data"] == {"name": "digits", "input_shape": [1, 8, 8], "classes": list("0123456789"),
                               "train_size": 1438, "test_size": 359}
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2, 3]
    assert set(metrics["epochs"][0]) == {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                                         "seconds"}
    assert metrics["test_accuracy"] == metrics["epochs"][-1]["test_accuracy"] == run.test_accuracy
    assert 0 < metrics["train_seconds"] <= metrics["total_seconds"]


def test_a_reopened_run_evaluates_to_the_same_accuracy(run):
    result = evaluate_run(run.run_dir)
    assert result.accuracy == run.test_accuracy
    assert result.confusion.sum() == result.total == 359 and np.trace(result.confusion) == result.correct
    saved = open_run(run.run_dir)
    assert saved.config == TrainConfig(epochs=3, seed=2)


def test_predict_reads_a_dark_on_light_png(run, tmp_path):
    digits = load_digits()
    model = open_run(run.run_dir).model
    i = int(np.flatnonzero(model.predict(digits.x_test) == digits.y_test)[0])
    paper = Image.new("L", (140, 120), 255)  # the digit drawn dark, on a larger white page
    paper.paste(Image.fromarray(((1 - digits.x_test[i, 0]) * 255).astype(np.uint8)).resize((80, 80), 0), (30, 20))
    paper.save(tmp_path / "digit.png")
    result = predict_image(run.run_dir, tmp_path / "digit.png")
    assert result.label == digits.y_test[i] and result.name == str(digits.y_test[i])
    assert result.probabilities.sum() == pytest.approx(1.0)
    top = result.top(3)
    assert top[0] == (result.name, pytest.approx(result.probabilities.max())) and top[0][1] >= top[1][1] >= top[2][1]


def test_default_run_names_never_collide(tmp_path):
    first = new_run_dir(tmp_path, None, "digits")
    first.mkdir()
    second = new_run_dir(tmp_path, None, "digits")
    assert first.name.startswith("digits-") and second != first
    assert new_run_dir(tmp_path, "mine", "digits") == tmp_path / "mine"
    with pytest.raises(UsageError, match="plain folder name"):
        new_run_dir(tmp_path, "../elsewhere", "digits")


def test_training_with_failing_exercises_stops_before_anything_is_written(tmp_path):
    @dataclass
    class Result:
        passed: bool
        score: int = 3
        max_score: int = 10
        status: str = "graded"

    def check(exercise, folder):
        return Result(exercise.number not in (2, 6))

    with pytest.raises(CnnlabError) as info:
        run_training(TrainConfig(epochs=1), impl="student", path=ROOT / "exercises", out=tmp_path / "r", check=check)
    assert "exercise2" in str(info.value) and "exercise6" in str(info.value) and "exercise3" not in str(info.value)
    assert not (tmp_path / "r").exists()


def test_mnist_sized_idx_data_trains_and_evaluates(tmp_path):
    write_idx_folder(tmp_path / "idx", n_train=40, n_test=10)
    config = TrainConfig(epochs=1, data="mnist", data_dir=str(tmp_path / "idx"))
    summary = run_training(config, impl="reference", out=tmp_path / "run", plots=False)
    metrics = json.loads((summary.run_dir / "metrics.json").read_text())
    assert metrics["data"]["input_shape"] == [1, 28, 28]
    assert Path(metrics["settings"]["data_dir"]).is_absolute()
    assert evaluate_run(summary.run_dir).total == 10


# Each way a run folder can be broken, and what the message must say.
def _break(run_dir: Path, how: str) -> Path:
    if how == "no folder":
        return run_dir / "nope"
    if how == "a file":
        return run_dir / "metrics.json"
    if how == "no metrics":
        (run_dir / "metrics.json").unlink()
    if how == "damaged metrics":
        (run_dir / "metrics.json").write_text("{ not json")
    if how == "no weights":
        (run_dir / "weights.npz").unlink()
    if how == "wrong weights":
        np.savez(run_dir / "weights.npz", conv1_w=np.zeros((2, 1, 3, 3)))
    if how == "random weights":
        (run_dir / "weights.npz").write_bytes(np.random.default_rng(0).bytes(4096))
    if how == "truncated weights":
        blob = (run_dir / "weights.npz").read_bytes()
        (run_dir / "weights.npz").write_bytes(blob[:len(blob) // 2])
    if how == "pickled weights":
        np.savez(run_dir / "weights.npz", conv1_w=np.array([{"a": 1}], dtype=object))
    if how == "empty metrics":
        (run_dir / "metrics.json").write_text("{}")
    if how == "list metrics":
        (run_dir / "metrics.json").write_text("[1, 2]")
    return run_dir


BROKEN = {"no folder": "There is no folder", "a file": "is a file", "no metrics": "has no metrics.json",
          "damaged metrics": "metrics.json is damaged", "no weights": "has no weights.npz",
          "wrong weights": "does not fit the settings",
          "random weights": "does not start like a NumPy .npz archive .* damaged: train the run again",
          "truncated weights": "cannot be read .* damaged: train the run again",
          "pickled weights": "cannot be read .* damaged: train the run again",
          "empty metrics": "lacks the fields version, settings, data, impl",
          "list metrics": "holds a JSON list"}


@pytest.mark.parametrize("how", BROKEN)
def test_a_broken_run_folder_gets_a_clear_error(run, tmp_path, how):
    copy = tmp_path / "copy"
    shutil.copytree(run.run_dir, copy)
    with pytest.raises(CnnlabError, match=BROKEN[how]) as raised:
        evaluate_run(_break(copy, how))
    assert "allow_pickle" not in str(raised.value) and "None" not in str(raised.value)


def test_a_finished_run_is_not_overwritten_without_force(run, tmp_path):
    target = tmp_path / "twelve"
    shutil.copytree(run.run_dir, target)
    before = (target / "metrics.json").read_text()
    with pytest.raises(UsageError, match="already holds a run of 3 epoch.* --force"):
        run_training(TrainConfig(epochs=1), impl="reference", out=target, plots=False)
    assert (target / "metrics.json").read_text() == before
    summary = run_training(TrainConfig(epochs=1), impl="reference", out=target, plots=False, force=True)
    assert summary.epochs == 1 and len(json.loads((target / "metrics.json").read_text())["epochs"]) == 1
