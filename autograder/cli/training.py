"""``cnnlab train``, ``evaluate`` and ``predict``: parse, call :mod:`autograder.training.runs`, render with :mod:`autograder.report.training`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from autograder.errors import UsageError
from autograder.cli.ui import FlagCommand, console, friendly_errors
from autograder.training.train import TrainConfig

DEFAULTS = TrainConfig()


class Data(str, Enum):
    digits = "digits"
    mnist = "mnist"
    fashion_mnist = "fashion-mnist"


class Impl(str, Enum):
    student = "student"
    reference = "reference"


ImplOption = Annotated[Optional[Impl], typer.Option(
    "--impl", help="Whose layers run the network: yours (student) or cnnlab's (reference). "
                   "Default: the ones the run was trained with.", show_default=False)]
PathOption = Annotated[Optional[Path], typer.Option(
    "--path", help="Folder holding your modules (default: exercises/).", show_default=False)]
RunArgument = Annotated[Path, typer.Argument(help="A run folder written by cnnlab train, like runs/digits-...",
                                             show_default=False)]


def parse_channels(text: str) -> tuple[int, int]:
    """``"8,16"`` -> ``(8, 16)``; anything else is a :class:`UsageError` showing what came."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise UsageError(f"--channels takes two filter counts separated by a comma, like 8,16; got '{text}'.")
    return int(parts[0]), int(parts[1])


def train(
    epochs: Annotated[int, typer.Option(help="Passes over the training images.")] = DEFAULTS.epochs,
    batch_size: Annotated[int, typer.Option(help="Images per Adam step.")] = DEFAULTS.batch_size,
    lr: Annotated[float, typer.Option(
        help="Peak learning rate of Adam; it decays to 0 along a cosine over the run.")] = DEFAULTS.lr,
    weight_decay: Annotated[float, typer.Option(help="Adam's L2 penalty on the weights.")] = DEFAULTS.weight_decay,
    channels: Annotated[str, typer.Option(
        help="Filters of the first and the second convolution, as C1,C2.")] = ",".join(map(str, DEFAULTS.channels)),
    hidden: Annotated[int, typer.Option(help="Units of the hidden fully connected layer.")] = DEFAULTS.hidden,
    dropout: Annotated[float, typer.Option(help="Probability of dropping a hidden unit.")] = DEFAULTS.dropout,
    seed: Annotated[int, typer.Option(
        help="Seed of the weights, the batch order and dropout: the same seed gives the same run.")] = DEFAULTS.seed,
    data: Annotated[Data, typer.Option(
        help="digits: the 8x8 digits inside scikit-learn. mnist, fashion-mnist: IDX files in --data-dir.")
    ] = Data.digits,
    data_dir: Annotated[Optional[Path], typer.Option(
        help="Folder with the four MNIST-style IDX files (train-images-idx3-ubyte and the others, raw or .gz). "
             "Nothing is downloaded.", show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option(
        help="Folder for this run's outputs (default: runs/NAME).", show_default=False)] = None,
    name: Annotated[Optional[str], typer.Option(
        help="Name of the run under runs/ (default: the data, date and time).", show_default=False)] = None,
    impl: Annotated[Impl, typer.Option(
        help="Train with your layers (student) or with cnnlab's (reference).")] = Impl.student,
    path: PathOption = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the figures.")] = True,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the run already in the folder that --name or --out names.")] = False,
) -> None:
    """Build a CNN from your own layers and train it on handwritten digits.

    The network: conv 3x3, ReLU, max pool, conv 3x3, ReLU, max pool, affine, ReLU, dropout, affine,
    softmax cross-entropy, trained with your Adam. It first checks that the exercises it needs pass.
    """
    from autograder.training.runs import run_training

    if out is not None and name is not None:
        raise UsageError("Give either --out (the run folder itself) or --name (a folder under runs/), not both.")
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
                         channels=parse_channels(channels), hidden=hidden, dropout=dropout, seed=seed,
                         data=data.value, data_dir=str(data_dir) if data_dir else None)
    from autograder.report.training import TrainingBars, render_training  # the training stack loads on use

    progress = TrainingBars(console)
    try:
        summary = run_training(config, impl=impl.value, path=path, out=out, name=name, plots=plots,
                               progress=progress, force=force)
    finally:
        progress.close()
    render_training(console, summary)


def evaluate(
    run_dir: RunArgument,
    impl: ImplOption = None,
    path: PathOption = None,
    data_dir: Annotated[Optional[Path], typer.Option(
        help="Where the IDX files are now, if they moved since training.", show_default=False)] = None,
) -> None:
    """Reload a trained run and measure it on its test images."""
    from autograder.training.runs import evaluate_run

    result = evaluate_run(run_dir, impl.value if impl else None, path, data_dir)
    from autograder.report.training import render_evaluation

    render_evaluation(console, result)


def predict(
    run_dir: RunArgument,
    image: Annotated[Path, typer.Argument(help="An image file (PNG, JPEG, ...) of one digit.", show_default=False)],
    top: Annotated[int, typer.Option(min=1, help="How many of the most likely classes to list.")] = 3,
    impl: ImplOption = None,
    path: PathOption = None,
) -> None:
    """Classify one image with a trained run, and show what the network saw.

    The image is turned grey, inverted if it shows dark ink on light paper, cropped to the ink, fitted
    into the frame keeping its aspect, its strokes made as thick as the training digits' and shrunk the
    way scikit-learn's digits were. The result is drawn in the terminal and saved next to the run as
    predict-IMAGE.png; the output says when it is unlike every training image.
    """
    from autograder.training.runs import predict_image

    result = predict_image(run_dir, image, impl.value if impl else None, path)
    from autograder.report.training import render_prediction

    render_prediction(console, image, result, top)


def register(app: typer.Typer) -> None:
    """Add the training commands to ``app``."""
    for command in (train, evaluate, predict):
        app.command(cls=FlagCommand)(friendly_errors(command))
