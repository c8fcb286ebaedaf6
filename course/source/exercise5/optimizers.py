"""Exercise 5: optimizers. A network's parameters live in a dict of arrays and
backpropagation hands back a dict of gradients with the same keys; an optimizer
turns the two into a step downhill. You will write the three update rules that
train most networks -- SGD with momentum, RMSprop and Adam -- exactly as PyTorch
defines them, learn why each keeps a little memory (a velocity, a running
average of squared gradients, two bias-corrected moments) for every parameter
array, and why L2 weight decay is simply ``weight_decay * p`` added to the
gradient before anything else happens.
"""

import math

import numpy as np


class SGD:
    r"""Stochastic gradient descent with optional momentum and L2 weight decay.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0` (required: there is no sensible default).
    momentum : float, optional
        Momentum factor :math:`\mu \ge 0`; 0 (the default) is plain SGD.
    weight_decay : float, optional
        L2 penalty factor :math:`\lambda \ge 0` added to every gradient.

    Raises
    ------
    ValueError
        If ``lr <= 0``, ``momentum < 0`` or ``weight_decay < 0``.

    Notes
    -----
    For every key, with gradient :math:`g_t` and parameter :math:`p_{t-1}`
    (this is ``torch.optim.SGD`` with ``dampening=0, nesterov=False``):

    .. math::

        g &\leftarrow g_t + \lambda\, p_{t-1} \\
        b_t &= \mu\, b_{t-1} + g \qquad (b_0 = 0, \text{ so } b_1 = g) \\
        p_t &= p_{t-1} - \eta\, b_t

    With :math:`\mu = 0` this is :math:`p_t = p_{t-1} - \eta\, g`.

    State: ``velocity``, a dict mapping each key to its momentum buffer
    :math:`b` (same shape and dtype as the parameter), created as zeros the
    first time the key is seen.

    Examples
    --------
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> SGD(lr=0.1).step(params, {"w": np.array([10.0, 10.0])})
    >>> params["w"]
    array([ 0., -3.])
    """

    def __init__(self, lr, momentum=0.0, weight_decay=0.0):
        # YOUR CODE HERE
        raise NotImplementedError("SGD.__init__ is not implemented yet")

    def step(self, params, grads):
        """Update every parameter array in place by one SGD step.

        Parameters
        ----------
        params : dict of str to ndarray
            The parameters; ``params[k]`` has any shape and is modified in
            place (the dict keeps the very same array objects).
        grads : dict of str to ndarray
            ``grads[k]`` has the shape of ``params[k]``; never modified.

        Raises
        ------
        ValueError
            If the keys of ``grads`` and ``params`` differ (either way), or a
            gradient's shape differs from its parameter's.
        """
        # YOUR CODE HERE
        raise NotImplementedError("SGD.step is not implemented yet")


class RMSprop:
    r"""RMSprop: divide each step by a running root mean square of the gradient.

    Parameters
    ----------
    lr : float, optional
        Learning rate :math:`\eta > 0`.
    alpha : float, optional
        Smoothing constant :math:`\alpha \in [0, 1)` of the running average.
    eps : float, optional
        :math:`\epsilon \ge 0`, added to the root mean square to avoid
        dividing by zero.
    weight_decay : float, optional
        L2 penalty factor :math:`\lambda \ge 0` added to every gradient.

    Raises
    ------
    ValueError
        If ``lr <= 0``, ``alpha`` is outside [0, 1), ``eps < 0`` or
        ``weight_decay < 0``.

    Notes
    -----
    For every key (this is ``torch.optim.RMSprop`` with ``centered=False``
    and ``momentum=0``):

    .. math::

        g &\leftarrow g_t + \lambda\, p_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g^2 \qquad (v_0 = 0) \\
        p_t &= p_{t-1} - \eta\, \frac{g}{\sqrt{v_t} + \epsilon}

    Squares, square roots and the division are elementwise. Note that
    :math:`\epsilon` is added *outside* the square root.

    State: ``square_avg``, a dict mapping each key to :math:`v` (same shape
    and dtype as the parameter), created as zeros the first time the key is
    seen.
    """

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0):
        # YOUR CODE HERE
        raise NotImplementedError("RMSprop.__init__ is not implemented yet")

    def step(self, params, grads):
        """Update every parameter array in place by one RMSprop step.

        Parameters
        ----------
        params : dict of str to ndarray
            The parameters; ``params[k]`` has any shape and is modified in
            place (the dict keeps the very same array objects).
        grads : dict of str to ndarray
            ``grads[k]`` has the shape of ``params[k]``; never modified.

        Raises
        ------
        ValueError
            If the keys of ``grads`` and ``params`` differ (either way), or a
            gradient's shape differs from its parameter's.
        """
        # YOUR CODE HERE
        raise NotImplementedError("RMSprop.step is not implemented yet")


class Adam:
    r"""Adam: momentum on the gradient, RMSprop's scaling, and bias correction.

    Parameters
    ----------
    lr : float, optional
        Learning rate :math:`\eta > 0`.
    betas : tuple of two floats, optional
        :math:`(\beta_1, \beta_2)`, each in [0, 1): decay rates of the
        running averages of the gradient and of its square.
    eps : float, optional
        :math:`\epsilon \ge 0`, added to the denominator.
    weight_decay : float, optional
        L2 penalty factor :math:`\lambda \ge 0` added to every gradient
        (classic L2, *not* AdamW's decoupled decay).

    Raises
    ------
    ValueError
        If ``lr <= 0``, a beta is outside [0, 1), ``eps < 0`` or
        ``weight_decay < 0``.

    Notes
    -----
    For every key, with :math:`t` the number of steps *this key* has taken,
    counting the current one (so :math:`t = 1` on its first step); this is
    ``torch.optim.Adam`` with ``amsgrad=False``:

    .. math::

        g &\leftarrow g_t + \lambda\, p_{t-1} \\
        m_t &= \beta_1\, m_{t-1} + (1 - \beta_1)\, g \qquad (m_0 = 0) \\
        v_t &= \beta_2\, v_{t-1} + (1 - \beta_2)\, g^2 \qquad (v_0 = 0) \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \hat v_t = v_t / (1 - \beta_2^t) \\
        p_t &= p_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    :math:`\epsilon` is added to :math:`\sqrt{\hat v_t}` (the bias-corrected
    root), not to :math:`\sqrt{v_t}`. PyTorch evaluates the last line as
    :math:`p - \frac{\eta}{1 - \beta_1^t} \cdot
    \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}`, which is
    the same number up to rounding.

    State: dicts ``m``, ``v`` (arrays of the parameter's shape and dtype,
    created as zeros) and ``t`` (an int), each keyed like the parameters. A
    key seen for the first time starts fresh with :math:`t = 1`, however many
    steps the other keys have taken.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        # YOUR CODE HERE
        raise NotImplementedError("Adam.__init__ is not implemented yet")

    def step(self, params, grads):
        """Update every parameter array in place by one Adam step.

        Parameters
        ----------
        params : dict of str to ndarray
            The parameters; ``params[k]`` has any shape and is modified in
            place (the dict keeps the very same array objects).
        grads : dict of str to ndarray
            ``grads[k]`` has the shape of ``params[k]``; never modified.

        Raises
        ------
        ValueError
            If the keys of ``grads`` and ``params`` differ (either way), or a
            gradient's shape differs from its parameter's.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Adam.step is not implemented yet")
