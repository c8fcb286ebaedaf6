"""What every command shares: the rich consoles and the one place errors become messages."""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import typer
from rich.console import Console
from typer.core import TyperCommand

from autograder.errors import CnnlabError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable)


class FlagCommand(TyperCommand):
    """A command whose ``--help`` shows on/off flags as flags, without a ``<bool>`` value they do not take."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


def friendly_errors(fn: F) -> F:
    """Turn a :class:`CnnlabError` raised by a command into a message and an exit code.

    This is the only place cnnlab converts its own errors for the terminal; the
    core below it raises, the commands above it stay free of try/except.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CnnlabError as error:
            err_console.print(f"[bold red]Error:[/] {error}", soft_wrap=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper  # type: ignore[return-value]
