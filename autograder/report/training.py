"""Training results for people: the bars of a run, its summary, an evaluation's confusion matrix, a prediction."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from autograder.training.runs import Evaluation, Prediction, RunSummary
from autograder.training.train import TrainProgress


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


def render_prediction(console: Console, image: Path, result: Prediction, top: int) -> None:
    """``cnnlab predict``: the most likely class and a bar for each of the ``top`` likeliest."""
    console.print(f"[bold]{escape(str(image))}[/] looks like a [bold green]{escape(result.name)}[/] "
                  f"({result.probabilities[result.label]:.1%} sure).")
    table = Table(show_header=True, box=None)
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    for name, probability in result.top(min(top, len(result.classes))):
        table.add_row(escape(name), f"{probability:.1%}", "[green]" + "█" * round(30 * probability) + "[/]")
    console.print(table)
