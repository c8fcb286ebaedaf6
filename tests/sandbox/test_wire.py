"""The wire format: what the grader accepts from a student's process, and what it refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.sandbox import wire


def roundtrip(value):
    buffers: list[bytes] = []
    tree = wire.encode(value, buffers)
    header, views = wire.parse_frame(wire.dump_frame({"value": tree}, buffers))
    return wire.decode(header["value"], views)


@pytest.mark.parametrize("value", [
    np.arange(12, dtype=np.float64).reshape(3, 4),
    np.ones((2, 0, 3), dtype=np.float32),
    np.array([True, False]),
    np.arange(5, dtype=np.int64)[::2],          # not contiguous
    np.asfortranarray(np.eye(3)),
    np.array(2.5),                              # 0-d: a scalar score is not a vector of one
])
def test_arrays_come_back_equal_with_dtype_and_shape(value):
    back = roundtrip(value)
    assert isinstance(back, np.ndarray) and type(back) is np.ndarray
    assert back.dtype == value.dtype and back.shape == value.shape
    np.testing.assert_array_equal(back, value)


def test_containers_and_python_numbers_keep_their_types():
    back = roundtrip({"loss": 1.5, "n": 3, "pair": (np.zeros(2), None), "names": ["a"], "nan": float("nan")})
    assert back["loss"] == 1.5 and isinstance(back["loss"], float)
    assert back["n"] == 3 and isinstance(back["n"], int)
    assert isinstance(back["pair"], tuple) and back["pair"][1] is None
    assert back["names"] == ["a"] and np.isnan(back["nan"])


def test_subclasses_scalars_and_objects_are_flagged_not_trusted():
    masked = roundtrip(np.ma.masked_array([1.0, 2.0]))
    assert isinstance(masked, wire.Typed) and "MaskedArray" in masked.type_name
    scalar = roundtrip(np.float64(2.5))
    assert isinstance(scalar, wire.Typed) and scalar.value == 2.5
    obj = roundtrip(object())
    assert isinstance(obj, wire.Described) and obj.type_name == "builtins.object"
    assert isinstance(roundtrip(np.array([object()])), wire.Described)   # object arrays never travel


def _frame(header: dict, payload: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return wire.MAGIC + len(head).to_bytes(8, "big") + head + payload


@pytest.mark.parametrize("blob, message", [
    (b"\x80\x04pickle", "not a cnnlab frame"),
    (_frame({"sizes": [8]}, b"1234"), "do not add up"),
    (wire.MAGIC + (100).to_bytes(8, "big") + b"{}", "header longer"),
    (wire.MAGIC + (10 ** 9).to_bytes(8, "big") + b"{}", "more than the"),
    (wire.MAGIC + (3).to_bytes(8, "big") + b"{{{", "unreadable header"),
    (_frame({"nosizes": 1}), "buffer sizes"),
])
def test_malformed_frames_are_refused(blob, message):
    with pytest.raises(wire.WireError, match=message):
        wire.parse_frame(blob)


@pytest.mark.parametrize("tree, message", [
    ({"t": "array", "i": 0, "dtype": "object", "shape": [1]}, "not accepted"),
    ({"t": "array", "i": 0, "dtype": "float64", "shape": [3]}, "do not match"),
    ({"t": "array", "i": 5, "dtype": "float64", "shape": [1]}, "outside the frame"),
    ({"t": "array", "i": 0, "dtype": "float64", "shape": [-1]}, "malformed array shape"),
    ({"t": "pickle", "data": "..."}, "unknown value kind"),
    ({"t": "py", "value": {"a": 1}}, "malformed plain value"),
    ({"t": "list", "items": "abc"}, "malformed container"),
])
def test_malformed_values_are_refused(tree, message):
    with pytest.raises(wire.WireError, match=message):
        wire.decode(tree, [memoryview(b"12345678")])


def test_a_value_tree_cannot_be_made_huge():
    tree = {"t": "list", "items": [{"t": "py", "value": 1}] * (wire.MAX_NODES + 1)}
    with pytest.raises(wire.WireError, match="too large"):
        wire.decode(tree, [])


def test_a_header_listing_millions_of_sizes_is_refused_before_it_is_parsed(monkeypatch):
    head = b'{"sizes": [' + b"0," * 3_000_000 + b'0]}'  # parsed, this list alone would take hundreds of MB
    monkeypatch.setattr(wire.json, "loads", lambda *_: pytest.fail("the header was parsed"))
    with pytest.raises(wire.WireError, match="more than the"):
        wire.parse_frame(wire.MAGIC + len(head).to_bytes(8, "big") + head)


def test_a_size_list_longer_than_any_value_tree_is_refused():
    head = json.dumps({"sizes": [0] * (wire.MAX_NODES + 1)}).encode()
    with pytest.raises(wire.WireError, match="buffer sizes"):
        wire.parse_frame(wire.MAGIC + len(head).to_bytes(8, "big") + head)


@pytest.mark.parametrize("tree, message", [
    ({"t": "scalar", "dtype": "int8", "value": 300}, "out of its range"),
    ({"t": "scalar", "dtype": "uint8", "value": -1}, "out of its range"),
    ({"t": "scalar", "dtype": "float32", "value": 10 ** 400}, "out of its range"),
    ({"t": "scalar", "dtype": "float64", "value": [1, 2]}, "malformed float64 scalar"),
    ({"t": "scalar", "dtype": "float64", "value": "1.5"}, "malformed float64 scalar"),
    ({"t": "py", "value": 10 ** 400, "type": "int"}, "more than 40 digits"),
    ({"t": "py", "value": 10 ** 39 * 10 ** 300, "type": "float"}, "more than 40 digits"),
    ({"t": "py", "value": "abc", "type": "float"}, "malformed float"),
    ({"t": "array", "i": 0, "dtype": "uint8", "shape": [0, 10 ** 30]}, "malformed array shape"),
])
def test_numbers_that_do_not_fit_are_refused_not_raised(tree, message):
    with pytest.raises(wire.WireError, match=message):
        wire.decode(tree, [memoryview(b"")])


def test_a_huge_python_int_travels_as_a_description():
    back = roundtrip({"n": 10 ** 400, "small": 10 ** 30})
    assert isinstance(back["n"], wire.Described) and back["n"].type_name == "builtins.int"
    assert back["small"] == 10 ** 30


ESC = "\x1b"


@pytest.mark.parametrize("text, shown", [
    (f"{ESC}[2J{ESC}[Hexercise1: 28/28 points  All tests pass.", "exercise1: 28/28 points  All tests pass."),
    (f"see {ESC}]8;;https://example.com{ESC}\\here{ESC}]8;;{ESC}\\", "see here"),
    ("bell\x07 nul\x00 del\x7f csi\x9b31m", "bell nul del csi"),
    ("over\rwrite", "over\nwrite"),
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
    ("right-to-left \u202eoverride", "right-to-left override"),
    (None, ""), (42, "42"), (["a list"], ""),
])
def test_clean_text_strips_escapes_and_controls(text, shown):
    assert wire.clean_text(text) == shown


def test_clean_text_cuts_long_text():
    cut = wire.clean_text("E" * 2_000_000, 100)
    assert cut == "E" * 100 + " ...(cut)"


def test_strings_type_names_and_keys_the_child_sends_arrive_clean():
    tree = {"t": "dict", "items": {
        f"k{ESC}[31m": {"t": "py", "value": f"red{ESC}[31m" + "x" * 10_000},
        "obj": {"t": "object", "type": "T" * 3_000_000 + ESC, "repr": f"{ESC}[2J"},
        "scalar": {"t": "scalar", "dtype": "float64", "value": 1.0, "type": f"numpy.float64{ESC}[2J"},
    }}
    back = wire.decode(tree, [])
    assert set(back) == {"k", "obj", "scalar"}
    assert back["k"].startswith("redxxx") and len(back["k"]) <= wire.MAX_TEXT + 10
    assert back["obj"].type_name == "T" * 200 + " ...(cut)" and back["obj"].text == ""
    assert back["scalar"].type_name == "numpy.float64"
