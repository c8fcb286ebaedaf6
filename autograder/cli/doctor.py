"""``cnnlab doctor``: which layers of isolation this machine puts around a submission, and which it lacks.

The facts come from :func:`autograder.sandbox.isolation.probe`; this module only renders them.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from autograder.cli.ui import FlagCommand, console, friendly_errors
from autograder.sandbox.isolation import kernel_isolation, probe


def doctor(as_json: Annotated[bool, typer.Option("--json", help="Print the layers as a JSON object.")] = False) -> None:
    """Show which layers of isolation a submission runs behind on this machine.

    Exit code 0 when every kernel layer is there (hidden tests can run), 1 when one is missing.
    """
    layers = probe()
    kernel = kernel_isolation(layers)
    if as_json:
        typer.echo(json.dumps({"kernel_isolation": kernel,
                               "layers": [{"name": l.name, "active": l.active, "kernel": l.kernel,
                                           "detail": l.detail} for l in layers]}, indent=2))
        raise typer.Exit(0 if kernel else 1)
    table = Table(title="How a submission is isolated on this machine", title_justify="left")
    for column in ("Layer", "Kind", "Active", "What it does, or why it is missing"):
        table.add_column(column)
    for layer in layers:
        table.add_row(layer.name, "kernel isolation" if layer.kernel else "Python guard",
                      Text("yes", style="green") if layer.active else Text("no", style="red"), Text(layer.detail))
    console.print(table)
    if kernel:
        console.print("Every kernel layer is in place: hidden tests can run here.")
    else:
        console.print(Text("Some kernel layers are missing. Students' own checks still run, behind the layers "
                           "above; hidden tests refuse to run unless you pass --allow-weak-isolation, and then "
                           "every result says it was graded with weak isolation.", style="yellow"))
    raise typer.Exit(0 if kernel else 1)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to ``app``."""
    app.command(cls=FlagCommand)(friendly_errors(doctor))
