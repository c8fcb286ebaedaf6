"""Helpers shared by cnnlab's tests: numerical gradients written independently
of the code under test, so a gradient check can never agree with itself by
construction, and where the repository's parts are."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


def numeric_grad(f, x: np.ndarray, dout: np.ndarray | None = None, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * dout)`` (or of scalar ``f``) w.r.t. ``x``.

    ``x`` is perturbed in place and restored; ``f`` must read it afresh on each call.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(x)
        x[idx] = old - h
        minus = f(x)
        x[idx] = old
        diff = np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)
        grad[idx] = np.sum(diff * (1.0 if dout is None else dout)) / (2 * h)
    return grad


def rel_error(a, b) -> float:
    """Largest elementwise relative error ``|a-b| / max(1e-8, |a|+|b|)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))
