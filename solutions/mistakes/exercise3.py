"""Classic mistakes in exercise 3 (convolution), as models for the grader's diagnostics.

Every model that changes the backward pass comes as a forward and backward pair
whose cache is ``(x, w, b, stride, pad)``, so it never depends on the layout of
the reference's cache.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from solutions import convolution as ref


def _flipped(w):
    return np.ascontiguousarray(w[:, :, ::-1, ::-1])  # (F, C, HH, WW), rotated by 180 degrees


def forward_caching_inputs(x, w, b, stride=1, pad=0):
    out, _ = ref.conv_forward(x, w, b, stride, pad)
    return out, (x, w, b, stride, pad)


def _reference_grads(dout, cache):
    x, w, b, stride, pad = cache
    return ref.conv_backward(dout, ref.conv_forward(x, w, b, stride, pad)[1])


def backward_dx_no_flip(dout, cache):
    """dx the way the 'full convolution' recipe gives it, but with the kernel left unflipped.

    dout is spread out by the stride, padded by HH-1 and WW-1 on every side, and
    the kernel slid over it: dxp[n, c, y, x] = sum_{f,p,q} full[n, f, y + p, x + q] w[f, c, p, q].
    The right recipe uses w[f, c, HH-1-p, WW-1-q] there.
    """
    x, w, _, s, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = dout.shape[2:]
    spread = np.zeros((N, F, s * (H_out - 1) + 1, s * (W_out - 1) + 1), dtype=dout.dtype)
    spread[:, :, ::s, ::s] = dout  # each gradient where its receptive field starts
    full = np.pad(spread, ((0, 0), (0, 0), (HH - 1, HH - 1), (WW - 1, WW - 1)))
    windows = sliding_window_view(full, (HH, WW), axis=(2, 3))  # (N, F, s(H'-1)+HH, s(W'-1)+WW, HH, WW)
    slid = np.einsum("nfyxpq,fcpq->ncyx", windows, w)  # (N, C, s(H'-1)+HH, s(W'-1)+WW)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=slid.dtype)
    dxp[:, :, :slid.shape[2], :slid.shape[3]] = slid  # rows no window reached stay 0
    _, dw, db = _reference_grads(dout, cache)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db


def backward_db_batch_mean(dout, cache):
    dx, dw, db = _reference_grads(dout, cache)
    return dx, dw, db / dout.shape[0]


def backward_db_mean_all(dout, cache):
    dx, dw, _ = _reference_grads(dout, cache)
    return dx, dw, dout.mean(axis=(0, 2, 3))


def backward_dx_padded(dout, cache):
    """dx with respect to the padded input: the padding is never cut off."""
    x, w, b, stride, pad = cache
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H+2pad, W+2pad)
    dxp, _, _ = ref.conv_backward(dout, ref.conv_forward(xp, w, b, stride, 0)[1])
    _, dw, db = _reference_grads(dout, cache)
    return dxp, dw, db


def forward_true_convolution(x, w, b, stride=1, pad=0):
    out, _ = ref.conv_forward(x, _flipped(w), b, stride, pad)
    return out, (x, w, b, stride, pad)


def backward_true_convolution(dout, cache):
    """The exact gradients of the flipped forward, as a student who derived them consistently would get."""
    x, w, b, stride, pad = cache
    dx, dw_flipped, db = ref.conv_backward(dout, ref.conv_forward(x, _flipped(w), b, stride, pad)[1])
    return dx, _flipped(dw_flipped), db


def output_shape_stride_ignored(input_shape, weight_shape, stride=1, pad=0):
    return ref.conv_output_shape(input_shape, weight_shape, 1, pad)


def forward_stride_ignored(x, w, b, stride=1, pad=0):
    return ref.conv_forward(x, w, b, 1, pad)


def forward_stride_not_in_index(x, w, b, stride=1, pad=0):
    """The right output size, but out[..., i, j] taken from the window at (i, j) instead of (i s, j s)."""
    N, F, H_out, W_out = ref.conv_output_shape(x.shape, w.shape, stride, pad)
    dense, _ = ref.conv_forward(x, w, b, 1, pad)  # every window, one pixel apart
    return np.ascontiguousarray(dense[:, :, :H_out, :W_out]), (x, w, b, stride, pad)


def output_shape_true_division(input_shape, weight_shape, stride=1, pad=0):
    N, F, _, _ = ref.conv_output_shape(input_shape, weight_shape, stride, pad)
    (_, _, H, W), (_, _, HH, WW) = input_shape, weight_shape
    return N, F, (H + 2 * pad - HH) / stride + 1, (W + 2 * pad - WW) / stride + 1


def output_shape_round(input_shape, weight_shape, stride=1, pad=0):
    """H' by Python's round() of the true quotient: right where the division is exact or lands on .5 below an
    even number, one too many where the remainder is more than half the stride (or .5 above an odd number)."""
    N, F, _, _ = ref.conv_output_shape(input_shape, weight_shape, stride, pad)
    (_, _, H, W), (_, _, HH, WW) = input_shape, weight_shape
    return N, F, round((H + 2 * pad - HH) / stride + 1), round((W + 2 * pad - WW) / stride + 1)


def _backward_model(backward):
    return {"conv_forward": forward_caching_inputs, "conv_backward": backward}


MISTAKES = {
    "conv-dx-no-flip": ("convolution", _backward_model(backward_dx_no_flip)),
    "conv-db-batch-mean": ("convolution", _backward_model(backward_db_batch_mean)),
    "conv-db-mean-all": ("convolution", _backward_model(backward_db_mean_all)),
    "conv-dx-padded": ("convolution", _backward_model(backward_dx_padded)),
    "conv-forward-flipped": ("convolution", {"conv_forward": forward_true_convolution,
                                             "conv_backward": backward_true_convolution}),
    "conv-stride-ignored": ("convolution", {"conv_output_shape": output_shape_stride_ignored,
                                            "conv_forward": forward_stride_ignored}),
    "conv-stride-not-in-index": ("convolution", {"conv_forward": forward_stride_not_in_index}),
    "conv-output-size-true-division": ("convolution", {"conv_output_shape": output_shape_true_division}),
    "conv-output-size-round": ("convolution", {"conv_output_shape": output_shape_round}),
}
