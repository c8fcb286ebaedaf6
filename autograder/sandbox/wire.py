"""cnnlab's wire format: values as JSON plus raw array bytes, and nothing that can carry code.

A *frame* is ``MAGIC``, an 8-byte big-endian header length, a JSON header and
the concatenated bytes of every array in it. On a pipe each frame is preceded
by its own length, :data:`LENGTH` bytes big-endian (:func:`send_frame`). Values are encoded as tagged JSON
trees whose array leaves point into those bytes. Decoding accepts only a
whitelist of plain dtypes, checks every length against the shape, and never
unpickles; it is what the grader uses on everything a student's process sends.

This module imports only the standard library and NumPy: the sandbox child runs
it from a file path, without the rest of cnnlab.
"""

from __future__ import annotations

import json
import math
import os
import re

import numpy as np

MAGIC = b"CNL1"
DTYPES = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
})
LENGTH = 8  # bytes of the big-endian length that precedes a frame on a pipe
MAX_DEPTH = 8
MAX_NODES = 10_000
MAX_HEADER = 2 * 1024 * 1024  # bytes of JSON header read per frame, checked before it is parsed
MAX_TEXT = 2_000              # characters kept of any string a student's process sends
MAX_INT_DIGITS = 40           # a Python int longer than this travels only as a description
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class WireError(ValueError):
    """A frame or value that does not follow the format."""


def clean_text(text, limit: int = MAX_TEXT) -> str:
    """``text`` made safe to show: a ``str``, no escape sequences or control characters, at most ``limit`` characters.

    Newlines and tabs stay; carriage returns become newlines (a ``\\r`` could
    otherwise overwrite what a terminal already shows). Everything a student's
    process sends passes through here before it reaches a result.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text) if isinstance(text, (int, float)) else ""
    if len(text) > 4 * limit:  # never run the patterns over megabytes
        text = text[:4 * limit]
    text = _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    return text if len(text) <= limit else text[:limit] + " ...(cut)"


def _qualname(obj) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(value, buffers: list[bytes], depth: int = 0):
    """Encode ``value`` as a JSON-able tree, appending array bytes to ``buffers``.

    Anything that is not an array, a number, a string, None or a tuple/list/dict
    of those is described (type and a short repr) instead of being sent.
    """
    if depth > MAX_DEPTH:
        return {"t": "object", "type": "nested too deeply", "repr": ""}
    if isinstance(value, np.ndarray):
        plain = np.asarray(value).view(np.ndarray)
        if not plain.flags.c_contiguous:  # np.ascontiguousarray would also turn a 0-d array into shape (1,)
            plain = plain.copy(order="C")
        if plain.dtype.name not in DTYPES:
            return {"t": "object", "type": f"numpy.ndarray of dtype {plain.dtype}", "repr": ""}
        buffers.append(plain.tobytes())
        return {"t": "array", "i": len(buffers) - 1, "dtype": plain.dtype.name,
                "shape": list(plain.shape), "type": _qualname(value)}
    if isinstance(value, np.generic) and value.dtype.name in DTYPES:
        return {"t": "scalar", "dtype": value.dtype.name, "value": _json_number(value.item()), "type": _qualname(value)}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return {"t": "py", "value": value}
    if type(value) is int and len(str(abs(value))) > MAX_INT_DIGITS:
        return {"t": "object", "type": "builtins.int", "repr": f"an integer of more than {MAX_INT_DIGITS} digits"}
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return {"t": "py", "value": _json_number(value), "type": type(value).__name__}
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        return {"t": type(value).__name__, "items": [encode(v, buffers, depth + 1) for v in value]}
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return {"t": "dict", "items": {k: encode(v, buffers, depth + 1) for k, v in value.items()}}
    try:
        text = repr(value)[:120]
    except Exception:  # a student's __repr__ may raise; the type is enough
        text = ""
    return {"t": "object", "type": _qualname(value), "repr": text}


def _json_number(x):
    """JSON has no NaN or infinity; spell them as strings."""
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)
    return x


def _number(x):
    return float(x) if x in ("nan", "inf", "-inf") else x


def dump_frame(header: dict, buffers: list[bytes]) -> bytes:
    """Serialise a header (already encoded) and its buffers into one frame."""
    sizes = [len(b) for b in buffers]
    head = json.dumps({**header, "sizes": sizes}, allow_nan=False).encode()
    return MAGIC + len(head).to_bytes(8, "big") + head + b"".join(buffers)


def send_frame(fd: int, frame: bytes) -> None:
    """Write ``frame`` to the pipe ``fd``, preceded by its length, however many writes it takes."""
    view = memoryview(len(frame).to_bytes(LENGTH, "big") + frame)
    while view:
        view = view[os.write(fd, view):]


def read_exact(fd: int, n: int) -> bytes:
    """Exactly ``n`` bytes from ``fd`` (blocking); EOFError if the other end closes first."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_frame(blob: bytes) -> tuple[dict, list[memoryview]]:
    """Split a frame into its header and its array buffers, checking every length."""
    if blob[:4] != MAGIC or len(blob) < 12:
        raise WireError("not a cnnlab frame")
    n = int.from_bytes(blob[4:12], "big")
    if n > MAX_HEADER:
        raise WireError(f"header of {n} bytes, more than the {MAX_HEADER} the grader reads")
    if 12 + n > len(blob):
        raise WireError("header longer than the frame")
    try:
        header = json.loads(blob[12:12 + n])
    except (ValueError, RecursionError) as error:
        raise WireError(f"unreadable header: {error}") from None
    sizes = header.get("sizes") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or len(sizes) > MAX_NODES or not all(
            type(s) is int and 0 <= s <= len(blob) for s in sizes):
        raise WireError("frame without a valid list of buffer sizes")
    if 12 + n + sum(sizes) != len(blob):
        raise WireError("buffer sizes do not add up to the frame's length")
    view, offset, buffers = memoryview(blob), 12 + n, []
    for size in sizes:
        buffers.append(view[offset:offset + size])
        offset += size
    return header, buffers


def decode(tree, buffers: list[memoryview], _count: list[int] | None = None):
    """Turn an encoded tree back into values: arrays, numbers, strings, tuples, lists, dicts.

    Objects that were only described come back as :class:`Described`.
    """
    count = _count if _count is not None else [0]
    count[0] += 1
    if count[0] > MAX_NODES or not isinstance(tree, dict):
        raise WireError("value tree too large or malformed")
    kind = tree.get("t")
    if kind == "array":
        return _decode_array(tree, buffers)
    if kind == "scalar":
        return Typed(_decode_scalar(tree), _type_name(tree, ""))
    if kind == "py":
        value = tree.get("value")
        if not isinstance(value, (bool, int, float, str, type(None))):
            raise WireError("malformed plain value")
        if type(value) is int and len(str(abs(value))) > MAX_INT_DIGITS:
            raise WireError(f"an integer of more than {MAX_INT_DIGITS} digits")
        if tree.get("type") == "float":
            value = _number(value)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise WireError("malformed float")
            try:
                return float(value)
            except OverflowError:
                raise WireError("a float too large for float64") from None
        return clean_text(value) if isinstance(value, str) else value
    if kind in ("tuple", "list"):
        items = [decode(v, buffers, count) for v in _items(tree, list)]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {clean_text(k, 200): decode(v, buffers, count) for k, v in _items(tree, dict).items()}
    if kind == "object":
        return Described(_type_name(tree, "?"), clean_text(tree.get("repr", ""), 200))
    raise WireError(f"unknown value kind {clean_text(kind, 40)!r}")


def _type_name(tree: dict, default: str) -> str:
    return clean_text(tree.get("type", default), 200)


def _decode_scalar(tree: dict):
    """A NumPy scalar of a plain dtype whose value fits that dtype, else WireError."""
    dtype, value = tree.get("dtype"), _number(tree.get("value"))
    if dtype not in DTYPES:
        raise WireError(f"scalar of dtype {clean_text(dtype, 40)!r} is not accepted")
    if isinstance(value, bool) and dtype != "bool" or not isinstance(value, (bool, int, float)):
        raise WireError(f"malformed {dtype} scalar")
    if isinstance(value, int) and not isinstance(value, bool) and np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise WireError(f"a {dtype} scalar out of its range")
    try:
        return np.dtype(dtype).type(value)
    except (OverflowError, ValueError, TypeError):
        raise WireError(f"a {dtype} scalar out of its range") from None


def _items(tree, kind):
    items = tree.get("items")
    if not isinstance(items, kind):
        raise WireError("malformed container")
    return items


def _decode_array(tree, buffers):
    dtype, shape, index = tree.get("dtype"), tree.get("shape"), tree.get("i")
    if dtype not in DTYPES:
        raise WireError(f"array of dtype {dtype!r} is not accepted")
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape) or len(shape) > 32:
        raise WireError("malformed array shape")
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise WireError("array points outside the frame")
    raw = buffers[index]
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise WireError("array bytes do not match its shape")
    try:
        array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except ValueError:  # dimensions beyond what NumPy can index
        raise WireError("malformed array shape") from None
    kind = _type_name(tree, "numpy.ndarray")
    return array if kind == "numpy.ndarray" else Typed(array, kind)


class Typed:
    """A decoded value whose original type was not the plain one (an ndarray subclass, a NumPy scalar)."""

    def __init__(self, value, type_name: str):
        self.value, self.type_name = value, type_name

    def __repr__(self) -> str:
        return f"Typed({self.type_name})"


class Described:
    """Something that could not be sent as data: only its type and a short repr came back."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return f"<{self.type_name}>"
