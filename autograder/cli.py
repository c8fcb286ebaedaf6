"""The ``cnnlab`` command line: a thin Typer layer over :mod:`autograder`'s core.

Each command parses its options, calls a plain Python function and renders the
result. Errors of our own are turned into messages in :func:`autograder.ui.friendly_errors`.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from autograder import __version__

app = typer.Typer(
    name="cnnlab",
    help="Learn the mathematics of convolutional networks by building one.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cnnlab {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True, help="Show cnnlab's version and exit."),
    ] = None,
) -> None:
    """Learn the mathematics of convolutional networks by building one."""


def main() -> None:
    """Console-script entry point."""
    app()


# The training commands live in their own module; they register themselves here.
from autograder import cli_train  # noqa: E402

cli_train.register(app)
