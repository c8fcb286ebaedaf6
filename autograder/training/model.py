"""The convolutional network ``cnnlab train`` assembles from the layer functions.

::

    x (N, 1, H, W)
    -> conv 3x3, C1 filters, pad 1 -> ReLU -> max pool 2x2     (N, C1, H/2, W/2)
    -> conv 3x3, C2 filters, pad 1 -> ReLU -> max pool 2x2     (N, C2, H/4, W/4)
    -> affine to `hidden` units -> ReLU -> dropout             (N, hidden)
    -> affine to 10 scores -> softmax cross-entropy            (N, 10)

Every step is one call of the layer contract: ``*_forward`` returns
``(out, cache)``, ``*_backward(dout, cache)`` returns the gradients. Read
:meth:`CNN.forward` and :meth:`CNN.backward` side by side: the backward pass
is the forward pass read from the bottom up.
"""

from __future__ import annotations

import numpy as np

from autograder.training.layers import Layers

PARAM_NAMES = ("conv1_w", "conv1_b", "conv2_w", "conv2_b", "fc1_w", "fc1_b", "fc2_w", "fc2_b")


class CNN:
    r"""Two conv/ReLU/pool blocks, a hidden affine layer with dropout, and a classifier.

    Parameters
    ----------
    layers : Layers
        Whose functions to run (the student's or the reference's).
    input_shape : tuple (C, H, W)
        One image's shape: ``(1, 8, 8)`` for the digits, ``(1, 28, 28)`` for MNIST.
    channels : tuple (C1, C2)
        Filters of the first and second convolution.
    hidden : int
        Units of the hidden affine layer.
    num_classes : int
    dropout : float
        Drop probability after the hidden layer, in [0, 1).
    rng : numpy.random.Generator, optional
        Draws the initial weights; None leaves ``params`` to be loaded.
    dtype : numpy dtype
        float32 for training (fast), float64 for gradient checks.

    Attributes
    ----------
    params : dict of str to ndarray
        ``conv1_w`` (C1, C, 3, 3), ``conv1_b`` (C1,), ``conv2_w`` (C2, C1, 3, 3),
        ``conv2_b`` (C2,), ``fc1_w`` (C2*(H//4)*(W//4), hidden), ``fc1_b`` (hidden,),
        ``fc2_w`` (hidden, num_classes), ``fc2_b`` (num_classes,).

    Notes
    -----
    He initialisation: each weight is drawn from :math:`N(0, 2 / \text{fan\_in})`,
    with fan_in = C*3*3 for a convolution and the number of inputs for an
    affine layer. A ReLU passes on half of its input's second moment,
    :math:`E[\text{relu}(z)^2] = \text{Var}(z) / 2`, and the factor 2 makes up for
    it, so the pre-activations keep roughly the same variance from layer to
    layer (the ReLUs' outputs have about a third of it). Biases start at zero.
    """

    def __init__(self, layers: Layers, input_shape=(1, 8, 8), channels=(8, 16), hidden=64,
                 num_classes=10, dropout=0.0, rng: np.random.Generator | None = None, dtype=np.float32):
        self.layers = layers
        self.input_shape = tuple(input_shape)
        self.channels = tuple(channels)
        self.hidden = hidden
        self.num_classes = num_classes
        self.dropout = dropout
        self.dtype = np.dtype(dtype)
        self.params = {name: np.zeros(shape, self.dtype) for name, shape in self.param_shapes().items()}
        if rng is not None:
            self.init_params(rng)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every parameter, in :data:`PARAM_NAMES` order."""
        C, H, W = self.input_shape
        C1, C2 = self.channels
        flat = C2 * (H // 2 // 2) * (W // 2 // 2)  # what the second pooling leaves, flattened
        return {"conv1_w": (C1, C, 3, 3), "conv1_b": (C1,),
                "conv2_w": (C2, C1, 3, 3), "conv2_b": (C2,),
                "fc1_w": (flat, self.hidden), "fc1_b": (self.hidden,),
                "fc2_w": (self.hidden, self.num_classes), "fc2_b": (self.num_classes,)}

    def init_params(self, rng: np.random.Generator) -> None:
        """He-initialise the weights and zero the biases, in place."""
        for name, shape in self.param_shapes().items():
            if name.endswith("_b"):
                self.params[name][...] = 0
            else:
                fan_in = int(np.prod(shape[1:])) if name.startswith("conv") else shape[0]
                self.params[name][...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)

    def forward(self, x: np.ndarray, *, train: bool = False, rng: np.random.Generator | None = None):
        """Scores for a batch, and the caches the backward pass needs.

        Parameters
        ----------
        x : ndarray, shape (N, C, H, W)
        train : bool
            Apply dropout (training) or not (evaluation).
        rng : numpy.random.Generator, optional
            Draws the dropout mask; needed for reproducible training.

        Returns
        -------
        scores : ndarray, shape (N, num_classes)
        caches : dict of str to cache
        """
        L, p = self.layers, self.params
        c = {}
        h, c["conv1"] = L.conv_forward(x, p["conv1_w"], p["conv1_b"], stride=1, pad=1)  # (N, C1, H, W)
        h, c["relu1"] = L.relu_forward(h)
        h, c["pool1"] = L.max_pool_forward(h, pool_size=2, stride=2)  # (N, C1, H/2, W/2)
        h, c["conv2"] = L.conv_forward(h, p["conv2_w"], p["conv2_b"], stride=1, pad=1)  # (N, C2, H/2, W/2)
        h, c["relu2"] = L.relu_forward(h)
        h, c["pool2"] = L.max_pool_forward(h, pool_size=2, stride=2)  # (N, C2, H/4, W/4)
        h, c["fc1"] = L.affine_forward(h, p["fc1_w"], p["fc1_b"])  # flattens: (N, hidden)
        h, c["relu3"] = L.relu_forward(h)
        h, c["drop"] = L.dropout_forward(h, self.dropout, train=train, seed=rng)
        scores, c["fc2"] = L.affine_forward(h, p["fc2_w"], p["fc2_b"])  # (N, num_classes)
        return scores, c

    def backward(self, dscores: np.ndarray, caches: dict) -> dict[str, np.ndarray]:
        """Gradients of the loss with respect to every parameter.

        Parameters
        ----------
        dscores : ndarray, shape (N, num_classes)
            Gradient of the loss with respect to the scores.
        caches : dict
            From :meth:`forward`.

        Returns
        -------
        grads : dict of str to ndarray, keyed and shaped like ``params``
        """
        L, c, g = self.layers, caches, {}
        dh, g["fc2_w"], g["fc2_b"] = L.affine_backward(dscores, c["fc2"])  # (N, hidden)
        dh = L.dropout_backward(dh, c["drop"])
        dh = L.relu_backward(dh, c["relu3"])
        dh, g["fc1_w"], g["fc1_b"] = L.affine_backward(dh, c["fc1"])  # (N, C2, H/4, W/4)
        dh = L.max_pool_backward(dh, c["pool2"])  # (N, C2, H/2, W/2)
        dh = L.relu_backward(dh, c["relu2"])
        dh, g["conv2_w"], g["conv2_b"] = L.conv_backward(dh, c["conv2"])  # (N, C1, H/2, W/2)
        dh = L.max_pool_backward(dh, c["pool1"])  # (N, C1, H, W)
        dh = L.relu_backward(dh, c["relu1"])
        _, g["conv1_w"], g["conv1_b"] = L.conv_backward(dh, c["conv1"])  # dx of the image is not needed
        return g

    def loss(self, x: np.ndarray, y: np.ndarray, *, train: bool = False,
             rng: np.random.Generator | None = None) -> tuple[float, dict[str, np.ndarray]]:
        """Softmax cross-entropy of a batch and its gradients.

        Parameters
        ----------
        x : ndarray, shape (N, C, H, W)
        y : ndarray, shape (N,), int
        train, rng
            As in :meth:`forward`.

        Returns
        -------
        loss : float
        grads : dict of str to ndarray, keyed and shaped like ``params``
        """
        scores, caches = self.forward(x, train=train, rng=rng)
        loss, dscores = self.layers.softmax_cross_entropy(scores, y)
        return float(loss), self.backward(dscores, caches)

    def scores(self, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Class scores of ``x`` (N, C, H, W) in evaluation mode, in batches: (N, num_classes)."""
        return np.concatenate([self.forward(x[i:i + batch_size])[0] for i in range(0, len(x), batch_size)])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Softmax of :meth:`scores`: (N, num_classes), each row sums to 1."""
        s = self.scores(x).astype(np.float64)
        e = np.exp(s - s.max(axis=1, keepdims=True))  # shifted: exp never overflows
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most likely class of each image of ``x`` (N, C, H, W): (N,) int."""
        return np.argmax(self.scores(x), axis=1)

    def feature_maps(self, x: np.ndarray) -> list[np.ndarray]:
        """What each convolution sees in ``x`` (N, C, H, W), after its ReLU.

        Returns
        -------
        list of two ndarrays: (N, C1, H, W) and (N, C2, H/2, W/2)
        """
        L, p = self.layers, self.params
        h1, _ = L.conv_forward(x, p["conv1_w"], p["conv1_b"], stride=1, pad=1)
        h1, _ = L.relu_forward(h1)
        h, _ = L.max_pool_forward(h1, pool_size=2, stride=2)
        h2, _ = L.conv_forward(h, p["conv2_w"], p["conv2_b"], stride=1, pad=1)
        h2, _ = L.relu_forward(h2)
        return [h1, h2]
