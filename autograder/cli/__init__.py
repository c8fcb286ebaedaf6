"""The ``cnnlab`` command line: a thin Typer layer over cnnlab's core.

Each command parses its options, calls a plain Python function and hands the
result to :mod:`autograder.report`; :func:`autograder.cli.ui.friendly_errors`
is the one place where cnnlab's own errors become messages and exit codes.
"""

from autograder.cli.app import app, main

__all__ = ["app", "main"]
