"""The ``cnnlab`` Typer application: the root command, its ``--version``, and every command registered on it."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from autograder import __version__
from autograder.cli import doctor, student, training

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


student.register(app)
training.register(app)
doctor.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
