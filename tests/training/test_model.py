"""The assembled CNN: wiring checks that per-layer tests cannot make.

A whole-network gradient check in float64 against centred differences, the
same network in PyTorch, and the classic sanity run: a network that cannot
overfit 20 examples is wired wrong.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.training.data import Dataset, load_digits
from autograder.training.layers import load_reference_layers
from autograder.training.model import CNN, PARAM_NAMES
from autograder.training.train import TrainConfig, train_model
from tests.helpers import numeric_grad, rel_error


@pytest.fixture(scope="module")
def layers():
    return load_reference_layers()


def tiny(layers, dropout=0.0, input_shape=(1, 8, 8), seed=0):
    """A float64 network small enough for centred differences on every weight."""
    return CNN(layers, input_shape, channels=(2, 3), hidden=5, dropout=dropout,
               rng=np.random.default_rng(seed), dtype=np.float64)


@pytest.mark.parametrize("dropout", [0.0, 0.3], ids=["no-dropout", "dropout"])
def test_whole_network_gradients_match_centred_differences(layers, rng, dropout):
    model = tiny(layers, dropout)
    for name in model.params:  # non-zero biases, so their gradients are tested in general position
        model.params[name] += 0.1 * rng.standard_normal(model.params[name].shape)
    x = rng.random((3, 1, 8, 8))
    y = np.array([1, 7, 3])

    def loss(_):  # a fresh generator each time: the same dropout mask for every evaluation
        return model.loss(x, y, train=True, rng=np.random.default_rng(5))[0]

    _, grads = model.loss(x, y, train=True, rng=np.random.default_rng(5))
    assert set(grads) == set(PARAM_NAMES)
    for name, param in model.params.items():
        expected = numeric_grad(loss, param)
        assert grads[name].shape == param.shape
        assert rel_error(grads[name], expected) < 1e-6, name


@pytest.mark.torch
def test_network_matches_pytorch(torch, layers, rng):
    F = torch.nn.functional
    model = tiny(layers)
    x, y = rng.random((4, 1, 8, 8)), np.array([0, 9, 4, 4])
    loss, grads = model.loss(x, y)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    h = F.max_pool2d(F.relu(F.conv2d(torch.tensor(x), t["conv1_w"], t["conv1_b"], padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, t["conv2_w"], t["conv2_b"], padding=1)), 2)
    h = F.relu(h.flatten(1) @ t["fc1_w"] + t["fc1_b"])
    expected = F.cross_entropy(h @ t["fc2_w"] + t["fc2_b"], torch.tensor(y))
    expected.backward()
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("input_shape, flat", [((1, 8, 8), 3 * 2 * 2), ((1, 28, 28), 3 * 7 * 7), ((1, 10, 6), 3 * 2 * 1)])
def test_shapes_for_digits_mnist_and_odd_sizes(layers, input_shape, flat):
    model = tiny(layers, input_shape=input_shape)
    assert model.params["fc1_w"].shape == (flat, 5)
    x = np.zeros((2, *input_shape))
    assert model.scores(x).shape == (2, 10)
    maps = model.feature_maps(x)
    assert maps[0].shape == (2, 2, *input_shape[1:])
    assert maps[1].shape == (2, 3, input_shape[1] // 2, input_shape[2] // 2)


def test_he_initialisation_is_seeded_and_scaled(layers):
    a = CNN(layers, channels=(8, 16), hidden=128, rng=np.random.default_rng(1))
    b = CNN(layers, channels=(8, 16), hidden=128, rng=np.random.default_rng(1))
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(a.params[name], b.params[name])
        assert a.params[name].dtype == np.float32
    assert not a.params["conv1_b"].any()
    assert a.params["fc1_w"].std() == pytest.approx(np.sqrt(2 / 64), rel=0.05)  # fan_in = 16 * 2 * 2


def test_probabilities_and_predict_agree(layers, rng):
    model = tiny(layers)
    for name in model.params:  # spread the scores out, so the probabilities are far from uniform
        model.params[name] += 0.3 * rng.standard_normal(model.params[name].shape)
    x = rng.random((6, 1, 8, 8))
    p, scores = model.probabilities(x), model.scores(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(p > 0)
    # Softmax, characterised without computing it: log p_k - log p_0 = s_k - s_0 in every row.
    np.testing.assert_allclose(np.log(p) - np.log(p[:, :1]), scores - scores[:, :1], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(model.predict(x), scores.argmax(axis=1))
    np.testing.assert_array_equal(model.predict(x), p.argmax(axis=1))


def test_overfits_twenty_examples(layers):
    digits = load_digits()
    x, y = digits.x_train[:20], digits.y_train[:20]
    data = Dataset("twenty", x, y, x, y, digits.classes)
    config = TrainConfig(epochs=60, batch_size=20, lr=0.01, weight_decay=0.0, dropout=0.0, seed=0)
    result = train_model(config, layers, data)
    assert result.history[-1].test_accuracy == 1.0  # evaluated on the same 20, without dropout
    assert result.history[-1].train_loss < 0.05
