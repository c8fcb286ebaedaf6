"""``cnnlab train``, ``evaluate`` and ``predict`` (filled in by the training issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the training commands to ``app``."""
