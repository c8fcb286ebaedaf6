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


### BEGIN SOLUTION
def _check_lr(owner, lr):
    """Raise ValueError unless the learning rate is strictly positive."""
    if not lr > 0:  # `not >` also rejects NaN
        raise ValueError(f"{owner}: lr must be > 0, got lr={lr}")


def _check_nonnegative(owner, **values):
    """Raise ValueError for any keyword value that is negative (or NaN)."""
    for name, value in values.items():
        if not value >= 0:
            raise ValueError(f"{owner}: {name} must be >= 0, got {name}={value}")


def _check_decay_rate(owner, **values):
    """Raise ValueError for any keyword value outside [0, 1)."""
    for name, value in values.items():
        if not 0 <= value < 1:
            raise ValueError(f"{owner}: {name} must be in [0, 1), got {name}={value}")


def _check_grads(owner, params, grads):
    """Raise ValueError unless ``grads`` has exactly the keys and shapes of ``params``.

    Everything is checked before any parameter changes, so a bad call leaves
    the model as it was.
    """
    missing = sorted(set(params) - set(grads), key=str)
    extra = sorted(set(grads) - set(params), key=str)
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"no gradient for params keys {missing}")
        if extra:
            problems.append(f"gradients for keys {extra} that are not in params")
        raise ValueError(f"{owner}: grads must have the same keys as params, but there are "
                         + " and ".join(problems))
    for key, p in params.items():
        g_shape, p_shape = np.shape(grads[key]), np.shape(p)
        if g_shape != p_shape:
            raise ValueError(f"{owner}: grads[{key!r}] has shape {g_shape} but params[{key!r}] "
                             f"has shape {p_shape}")


def _with_weight_decay(g, p, weight_decay):
    """The L2-regularised gradient g + wd * p, as a new array (``grads`` stays untouched)."""
    return g + weight_decay * p if weight_decay != 0 else g
### END SOLUTION


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
        ### BEGIN SOLUTION
        _check_lr("SGD", lr)
        _check_nonnegative("SGD", momentum=momentum, weight_decay=weight_decay)
        # Python floats are "weak" scalars in NumPy 2: they never upcast float32 arrays.
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.velocity = {}
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        _check_grads("SGD.step", params, grads)
        for key, p in params.items():
            g = _with_weight_decay(grads[key], p, self.weight_decay)
            if self.momentum != 0:
                if key not in self.velocity:
                    self.velocity[key] = np.zeros_like(p)
                b = self.velocity[key]
                b *= self.momentum
                b += g
                g = b
            p -= self.lr * g
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        _check_lr("RMSprop", lr)
        _check_decay_rate("RMSprop", alpha=alpha)
        _check_nonnegative("RMSprop", eps=eps, weight_decay=weight_decay)
        self.lr = float(lr)
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.square_avg = {}
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        _check_grads("RMSprop.step", params, grads)
        for key, p in params.items():
            g = _with_weight_decay(grads[key], p, self.weight_decay)
            if key not in self.square_avg:
                self.square_avg[key] = np.zeros_like(p)
            v = self.square_avg[key]
            v *= self.alpha
            v += (1 - self.alpha) * (g * g)
            p -= self.lr * (g / (np.sqrt(v) + self.eps))
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        _check_lr("Adam", lr)
        beta1, beta2 = betas
        _check_decay_rate("Adam", beta1=beta1, beta2=beta2)
        _check_nonnegative("Adam", eps=eps, weight_decay=weight_decay)
        self.lr = float(lr)
        self.betas = (float(beta1), float(beta2))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.m, self.v, self.t = {}, {}, {}
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        _check_grads("Adam.step", params, grads)
        beta1, beta2 = self.betas
        for key, p in params.items():
            g = _with_weight_decay(grads[key], p, self.weight_decay)
            if key not in self.t:  # first sighting: fresh moments, t starts at 1
                self.m[key], self.v[key], self.t[key] = np.zeros_like(p), np.zeros_like(p), 0
            m, v = self.m[key], self.v[key]
            self.t[key] += 1
            t = self.t[key]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            # PyTorch's order of operations: fold 1/(1 - beta1^t) into the step
            # size and divide sqrt(v) by sqrt(1 - beta2^t) before adding eps.
            step_size = self.lr / (1 - beta1 ** t)
            denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + self.eps
            p -= step_size * (m / denom)
        ### END SOLUTION
