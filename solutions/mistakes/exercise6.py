"""Classic mistakes in exercise 6 (regularization), as models for the grader's diagnostics.

Dropout models come as forward and backward pairs with their own cache
``(mask, scale)``, so a model never depends on the reference's cache layout.
"""

import numpy as np


def _generator(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def dropout_model(*, keep=lambda u, p: u >= p, scale=lambda p: 1.0 / (1.0 - p), eval_scale=lambda p: 1.0,
                  drop_in_eval=False, backward_scaled=True):
    """A dropout pair that makes one mistake.

    ``keep(u, p)`` turns the uniform draws ``u`` into the keep mask, ``scale(p)``
    multiplies the kept units in training, ``eval_scale(p)`` multiplies
    everything in evaluation mode; ``drop_in_eval`` ignores ``train``;
    ``backward_scaled=False`` forgets the scale in the backward pass.
    """

    def forward(x, p, train=True, seed=None):
        if not train and not drop_in_eval:
            factor = float(eval_scale(float(p)))
            return x * factor, (None, factor)
        mask = keep(_generator(seed).random(x.shape), p)
        factor = float(scale(float(p)))
        return (x * mask) * factor, (mask, factor)

    def backward(dout, cache):
        mask, factor = cache
        if mask is None:
            return dout * factor
        return dout * mask * (factor if backward_scaled else 1.0)

    return {"dropout_forward": forward, "dropout_backward": backward}


def l2_penalty_no_half(params, weight_decay):
    """L = wd * sum(w^2), whose gradient is 2 wd w: consistent, but twice the documented penalty."""
    wd = float(weight_decay)
    loss = wd * sum(float(np.sum(w * w)) for w in params.values())
    return loss, {key: 2.0 * wd * w for key, w in params.items()}


MISTAKES = {
    "dropout-scaled-by-p": ("regularization", dropout_model(scale=lambda p: p)),
    "dropout-not-scaled": ("regularization", dropout_model(scale=lambda p: 1.0)),
    "dropout-keep-probability": ("regularization", dropout_model(keep=lambda u, p: u < p, scale=lambda p: 1.0 / p)),
    "dropout-in-eval-mode": ("regularization", dropout_model(drop_in_eval=True)),
    "dropout-not-inverted": ("regularization", dropout_model(scale=lambda p: 1.0, eval_scale=lambda p: 1.0 - p)),
    "dropout-backward-not-scaled": ("regularization", dropout_model(backward_scaled=False)),
    "l2-no-half": ("regularization", {"l2_penalty": l2_penalty_no_half}),
}
