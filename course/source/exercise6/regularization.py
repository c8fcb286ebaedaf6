r"""Exercise 6: regularization. A network that memorises its training set has
learned too little; two cheap tricks push it to generalise. Dropout silences a
random subset of units on every training step, so no unit can rely on any other,
and rescales the survivors ("inverted dropout") so that nothing has to change at
test time, where dropout does nothing at all. The L2 penalty adds
:math:`\tfrac{\lambda}{2}\sum w^2` to the loss, whose gradient
:math:`\lambda w` pulls every weight gently towards zero. You will write both,
forward and backward, and see why the random mask must be the one thing the
backward pass remembers.
"""

import numpy as np


def dropout_forward(x, p, train=True, seed=None):
    r"""Inverted dropout: zero each unit with probability ``p``, rescale the rest.

    Parameters
    ----------
    x : ndarray, shape (any)
        Input activations, e.g. (N, D) or (N, C, H, W). Never modified.
    p : float
        Probability of DROPPING a unit (PyTorch's convention), in [0, 1).
    train : bool, optional
        Training mode (drop and rescale) if True; evaluation mode (identity)
        if False.
    seed : int, None or numpy.random.Generator, optional
        Source of randomness for the mask. An int or None seeds a fresh
        generator, ``rng = np.random.default_rng(seed)``; a Generator is used
        as it is, ``rng = seed`` (and its state advances).

    Returns
    -------
    out : ndarray, shape like ``x``, dtype of ``x``
        The dropped-out, rescaled activations (``x`` itself, unchanged, or a
        copy of it in evaluation mode).
    cache : tuple (mask, p)
        ``mask`` : bool ndarray, shape like ``x``, True where a unit is kept
        (None in evaluation mode); ``p`` : the drop probability.

    Raises
    ------
    ValueError
        If ``p`` is outside [0, 1).

    Notes
    -----
    In training the mask is drawn as exactly ``mask = rng.random(x.shape) >= p``
    (so each unit is kept with probability :math:`1 - p`), even when
    :math:`p = 0`, and

    .. math::

        \text{out} = \frac{x \odot \text{mask}}{1 - p}, \qquad
        \frac{\partial L}{\partial x} = \frac{\text{dout} \odot \text{mask}}{1 - p}.

    Dividing by :math:`1 - p` keeps :math:`\mathbb{E}[\text{out}] = x`, so in
    evaluation mode dropout is the identity: out = x and dx = dout.
    With :math:`p = 0` every unit is kept and training mode is the identity too.

    Examples
    --------
    >>> out, _ = dropout_forward(np.ones(4), p=0.5, seed=0)
    >>> sorted(set(out.tolist()))  # dropped units are 0, kept ones are 1/(1-p)
    [0.0, 2.0]
    """
    # YOUR CODE HERE
    raise NotImplementedError("dropout_forward is not implemented yet")


def dropout_backward(dout, cache):
    r"""Backward pass of inverted dropout.

    Parameters
    ----------
    dout : ndarray, shape like ``x``
        Upstream gradient :math:`\partial L / \partial \text{out}`. Never modified.
    cache : tuple (mask, p)
        From :func:`dropout_forward`; ``mask`` is None in evaluation mode.

    Returns
    -------
    dx : ndarray, shape like ``dout``, dtype of ``dout``
        :math:`\text{dout} \odot \text{mask} / (1 - p)` in training mode, a copy
        of ``dout`` in evaluation mode.

    Notes
    -----
    Dropout is linear in :math:`x` for a fixed mask, so the gradient passes
    through the kept units with the same factor :math:`1/(1-p)` and is zero
    for the dropped ones.
    """
    # YOUR CODE HERE
    raise NotImplementedError("dropout_backward is not implemented yet")


def l2_penalty(params, weight_decay):
    r"""L2 weight penalty over a dict of parameter arrays, and its gradients.

    Parameters
    ----------
    params : dict of str to ndarray
        The arrays to penalise; each may have any shape. Never modified.
    weight_decay : float
        Penalty strength :math:`\lambda \ge 0`.

    Returns
    -------
    loss : float
        :math:`\tfrac{\lambda}{2} \sum_k \sum_i (w_k)_i^2`, a Python float
        (0.0 for an empty dict).
    grads : dict of str to ndarray
        Same keys as ``params``; ``grads[k]`` has the shape and dtype of
        ``params[k]``.

    Raises
    ------
    ValueError
        If ``weight_decay < 0``.

    Notes
    -----
    .. math::

        L = \frac{\lambda}{2} \sum_k \lVert w_k \rVert^2, \qquad
        \frac{\partial L}{\partial w_k} = \lambda\, w_k.

    Adding these gradients to the data gradients before an SGD step is the
    same as the optimizers' ``weight_decay`` option.

    Examples
    --------
    >>> loss, grads = l2_penalty({"w": np.array([3.0, 4.0])}, 0.1)
    >>> loss  # 0.5 * 0.1 * (9 + 16)
    1.25
    """
    # YOUR CODE HERE
    raise NotImplementedError("l2_penalty is not implemented yet")
