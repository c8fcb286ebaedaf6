"""Training results for people: the bars of a run, its summary, an evaluation's confusion matrix, a prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from autograder.training.runs import Evaluation, Prediction, RunSummary
from autograder.training.pace import PaceEstimate
from autograder.training.train import TrainProgress

# How to take the Python loops out of each function: a direction, not the code. Every one is carried out
# and compared with the reference in tests/report/test_training.py.
VECTORISE = {
    "conv_forward": "gather every receptive field at once with numpy.lib.stride_tricks.sliding_window_view "
                    "(keep every stride-th window) and contract the windows with the filters over C, HH and WW "
                    "in one np.tensordot or np.einsum.",
    "conv_backward": "db is dout summed over N, H' and W'; dw contracts dout with the forward pass's windows "
                     "in one np.einsum; dx adds each window's share back into the padded input with a loop "
                     "over the HH*WW kernel offsets only (one strided slice each), never over pixels.",
    "max_pool_forward": "view the input as windows with sliding_window_view (every stride-th one) and take "
                        ".max over the two window axes.",
    "max_pool_backward": "find each window's first maximum at once (argmax over the flattened window axes of "
                         "the windows view) and send dout there with a loop over the pool_size*pool_size "
                         "offsets only, never over pixels.",
    "affine_forward": "flatten x to (N, D) with one reshape and take one matrix product with w.",
    "affine_backward": "each gradient is one matrix product or one sum over the batch axis.",
    "relu_forward": "np.maximum works on the whole array at once.",
    "relu_backward": "a boolean mask of the positive inputs, multiplied with dout, covers the whole array.",
    "dropout_forward": "draw the whole mask in one call of the generator, with the shape of x.",
    "dropout_backward": "multiply dout by the cached mask, all at once.",
    "softmax_cross_entropy": "work on the whole (N, classes) array: subtract each row's maximum, and pick each "
                             "row's correct class with scores[np.arange(N), y].",
    "Adam.step": "update each parameter array as a whole (m, v and the step are elementwise array "
                 "expressions); loop over the parameters, never over their entries.",
}


def duration(seconds: float) -> str:
    """``75.3`` -> ``'1 min 15 s'``; under a minute, seconds with one decimal below ten."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def pace_lines(estimate: PaceEstimate) -> list[str]:
    """What ``cnnlab train`` says after timing the first minibatches (rich markup); nothing for a normal pace."""
    if not estimate.slow:
        if estimate.seconds >= 60:
            return [f"[dim]This run will take about {duration(estimate.seconds)}.[/]"]
        return []
    ratio = estimate.seconds / max(estimate.reference_seconds, 1e-9)
    lines = [f"[bold yellow]Your layers are slow:[/] this run will take about [bold]{duration(estimate.seconds)}"
             f"[/]; with cnnlab's reference layers about {duration(estimate.reference_seconds)} ({ratio:.0f}x).",
             f"Timed on the first {estimate.batches} minibatches, and the reference on the same ones:"]
    for name in estimate.slow_functions:
        mine, theirs = estimate.functions[name]
        lines.append(f"  [bold]{name}[/] {1000 * mine:.1f} ms a minibatch (reference {1000 * theirs:.2f} ms, "
                     f"{mine / max(theirs, 1e-9):.0f}x slower)")
    for name in estimate.slow_functions:
        if name in VECTORISE:
            lines.append(f"To speed up [bold]{name}[/]: {VECTORISE[name]}")
    lines.append("Your layers pass their checks, so this costs no points, only time. Stop with Ctrl+C, or let it run.")
    return lines


class TrainingBars(TrainProgress):
    """One bar per epoch with the running loss and accuracy, then the test accuracy."""

    def __init__(self, console: Console):
        self.console = console
        self.bars = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(bar_width=28), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.3f}  acc {task.fields[acc]:6.1%}  {task.fields[test]}"),
            console=console)
        self.task = None
        self.running = False

    def stage(self, message: str) -> None:
        self.close()  # the bars are done; later messages go below them
        self.console.print(f"[dim]{escape(message)}[/]")

    def epoch_start(self, epoch: int, epochs: int, batches: int) -> None:
        if not self.running:
            self.bars.start()
            self.running = True
        width = len(str(epochs))
        self.task = self.bars.add_task(f"epoch {epoch:>{width}}/{epochs}", total=batches,
                                       loss=0.0, acc=0.0, test="")

    def batch_end(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        self.bars.update(self.task, completed=batch, loss=loss, acc=accuracy)

    def epoch_end(self, metrics) -> None:
        self.bars.update(self.task, test=f"test acc [bold]{metrics.test_accuracy:6.1%}[/]")

    def pace(self, estimate: PaceEstimate) -> None:
        for line in pace_lines(estimate):
            self.console.print(line)

    def close(self) -> None:
        if self.running:
            self.bars.stop()
            self.running = False


def render_training(console: Console, summary: RunSummary) -> None:
    """The end of ``cnnlab train``: test accuracy, times, the files written and what to try next."""
    console.print(
        f"\n[bold green]Test accuracy {summary.test_accuracy:.1%}[/] after {summary.epochs} epochs. "
        f"Training took {summary.train_seconds:.1f} s ({summary.total_seconds:.1f} s with the data and figures).")
    figures = [f for f in summary.files if f.endswith(".png")]
    where = escape(str(summary.run_dir))
    console.print(f"Outputs in [bold]{where}[/]: {', '.join(summary.files)}")
    if figures:
        console.print(f"[dim]Look at the figures, then try: cnnlab evaluate {where}  "
                      f"or  cnnlab predict {where} IMAGE.png[/]")


def confusion_table(evaluation: Evaluation) -> Table:
    """The confusion matrix as a rich table: rows true classes, columns predicted ones."""
    table = Table(title="Confusion matrix (rows: true class, columns: predicted)", show_lines=False)
    table.add_column("true \\ pred", style="bold")
    for name in evaluation.classes:
        table.add_column(escape(name), justify="right")
    for t, row in enumerate(evaluation.confusion):
        cells = []
        for p, count in enumerate(row):
            if t == p:
                cells.append(f"[green]{count}[/]")
            else:
                cells.append(f"[bold red]{count}[/]" if count else "[dim]·[/]")
        table.add_row(escape(evaluation.classes[t]), *cells)
    return table


def render_evaluation(console: Console, result: Evaluation) -> None:
    """``cnnlab evaluate``: accuracy, mean loss and the confusion matrix."""
    console.print(f"Test accuracy on {result.data}: [bold]{result.accuracy:.1%}[/] "
                  f"({result.correct} of {result.total} images), mean loss {result.loss:.4f}")
    console.print(confusion_table(result))


SHADES = " ░▒▓█"  # 0 to 1 in five steps: ink as the network sees it, bright on dark


def block_grid(image: np.ndarray) -> list[str]:
    """``image`` (H, W) in [0, 1] as H lines of block characters, two per pixel (a terminal cell is tall)."""
    steps = np.clip(np.round(image * (len(SHADES) - 1)), 0, len(SHADES) - 1).astype(int)  # (H, W)
    return ["".join(2 * SHADES[v] for v in row) for row in steps]


def render_prediction(console: Console, image: Path, result: Prediction, top: int) -> None:
    """``cnnlab predict``: the input as the network saw it, the most likely classes, and how unusual the input is."""
    h, w = result.image.shape
    console.print(f"What the network was shown ({h}x{w}, prepared like its training images):")
    edge = "─" * (2 * w)
    console.print("\n".join([f"┌{edge}┐", *(f"│{line}│" for line in block_grid(result.image)), f"└{edge}┘"]),
                  markup=False, highlight=False)
    if result.picture is not None:
        console.print(f"[dim]Saved as {escape(str(result.picture))}[/]")
    console.print(f"[bold]{escape(str(image))}[/] looks like a [bold green]{escape(result.name)}[/] "
                  f"({result.probabilities[result.label]:.1%} sure).")
    table = Table(show_header=True, box=None)
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    for name, probability in result.top(min(top, len(result.classes))):
        table.add_row(escape(name), f"{probability:.1%}", "[green]" + "█" * round(30 * probability) + "[/]")
    console.print(table)
    known = result.familiarity
    if known is None:
        return
    nearest = (f"its nearest training image is a {escape(result.classes[known.nearest_label])}, at distance "
               f"{known.distance:.2f} (the test images: median {known.test_median:.2f}, at most {known.test_max:.2f}).")
    if known.far:
        console.print(f"[bold yellow]This image is unlike anything the network learnt from:[/] {nearest} "
                      "Whatever it answers, its confidence means little here. Is it one digit, dark on light "
                      "or light on dark, filling most of the picture?")
    else:
        console.print(f"[dim]{nearest[0].upper()}{nearest[1:]}[/]")
