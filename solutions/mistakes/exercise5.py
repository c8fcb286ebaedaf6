"""Classic mistakes in exercise 5 (optimizers), as models for the grader's diagnostics.

Each model is a whole optimizer class, written the way a student would write
the mistaken version, so it depends on nothing inside the reference. Every
model keeps its state per key and in the parameter's dtype, like the reference,
so that the one mistake is the only difference.
"""

import numpy as np


class _PerKey:
    """Loop over the keys of ``params``; subclasses define ``update(key, p, g)`` (``g`` already has weight decay)."""

    coupled_decay = True  # add weight_decay * p to the gradient (classic L2), as torch.optim does

    def step(self, params, grads):
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay and self.coupled_decay:
                g = g + self.weight_decay * p
            elif self.weight_decay:  # AdamW's decoupled decay: shrink p, leave the gradient alone
                p *= 1.0 - self.lr * self.weight_decay
            self.update(key, p, g)


class _SGD(_PerKey):
    def __init__(self, lr, momentum=0.0, weight_decay=0.0):
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self.velocity = {}

    def update(self, key, p, g):
        if self.momentum == 0:
            p -= self.lr * g
            return
        b = self.velocity.setdefault(key, np.zeros_like(p))
        b *= self.momentum
        b += g
        p -= self.lr * b


class SGDMomentumWrongSign(_SGD):
    """b = mu b + g, then p += lr b: the step climbs the gradient."""

    def update(self, key, p, g):
        b = self.velocity.setdefault(key, np.zeros_like(p))
        b *= self.momentum
        b += g
        p += self.lr * b


class SGDMomentumDampened(_SGD):
    """b = mu b + (1 - mu) g: an exponential average, not torch's momentum (whose b_1 = g)."""

    def update(self, key, p, g):
        b = self.velocity.setdefault(key, np.zeros_like(p))
        b *= self.momentum
        b += (1.0 - self.momentum) * g
        p -= self.lr * b


class SGDVelocityNotKept(_SGD):
    """The velocity starts from zero on every call, so momentum never builds up."""

    def update(self, key, p, g):
        b = np.zeros_like(p)
        b = self.momentum * b + g
        p -= self.lr * b


class _RMSprop(_PerKey):
    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0):
        self.lr, self.alpha, self.eps, self.weight_decay = float(lr), float(alpha), float(eps), float(weight_decay)
        self.square_avg = {}

    def _square_avg(self, key, p, g):
        v = self.square_avg.setdefault(key, np.zeros_like(p))
        v *= self.alpha
        v += (1.0 - self.alpha) * g * g
        return v

    def update(self, key, p, g):
        v = self._square_avg(key, p, g)
        p -= self.lr * g / (np.sqrt(v) + self.eps)


class RMSpropEpsInsideSqrt(_RMSprop):
    def update(self, key, p, g):
        v = self._square_avg(key, p, g)
        p -= self.lr * g / np.sqrt(v + self.eps)


class _Adam(_PerKey):
    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr, self.eps, self.weight_decay = float(lr), float(eps), float(weight_decay)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.m, self.v, self.t = {}, {}, {}

    def _moments(self, key, p, g):
        m = self.m.setdefault(key, np.zeros_like(p))
        v = self.v.setdefault(key, np.zeros_like(p))
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        return m, v

    def _corrected_step(self, p, m, v, t):
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    first_t = 0  # a key's step count before its first step

    def update(self, key, p, g):
        self.t[key] = self.t.get(key, self.first_t) + 1
        m, v = self._moments(key, p, g)
        self._corrected_step(p, m, v, self.t[key])


class AdamNoBiasCorrection(_Adam):
    def update(self, key, p, g):
        m, v = self._moments(key, p, g)
        p -= self.lr * m / (np.sqrt(v) + self.eps)


class AdamStepCountFromOne(_Adam):
    """t starts at 1 and is incremented before it is used: the first step is bias-corrected as the second."""

    first_t = 1


class AdamEpsInsideSqrt(_Adam):
    """p -= lr m_hat / sqrt(v_hat + eps)."""

    def _corrected_step(self, p, m, v, t):
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        p -= self.lr * m_hat / np.sqrt(v_hat + self.eps)


class AdamEpsHat(_Adam):
    """The paper's faster form (Kingma and Ba, section 2): lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), then
    p -= lr_t m / (sqrt(v) + eps), eps next to the uncorrected sqrt(v): the same as eps / sqrt(1 - beta2^t)
    next to sqrt(v_hat)."""

    def _corrected_step(self, p, m, v, t):
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)
        p -= lr_t * m / (np.sqrt(v) + self.eps)


class AdamSharedStepCount(_Adam):
    """One step counter for the whole optimizer: a key that arrives late starts with a large t."""

    def step(self, params, grads):
        self.steps = getattr(self, "steps", 0) + 1
        super().step(params, grads)

    def update(self, key, p, g):
        m, v = self._moments(key, p, g)
        self._corrected_step(p, m, v, self.steps)


class _Decoupled:
    coupled_decay = False


class SGDDecoupledDecay(_Decoupled, _SGD):
    pass


class RMSpropDecoupledDecay(_Decoupled, _RMSprop):
    pass


class AdamDecoupledDecay(_Decoupled, _Adam):
    """AdamW: p *= 1 - lr wd, then the Adam step on the raw gradient."""


MISTAKES = {
    "momentum-wrong-sign": ("optimizers", {"SGD": SGDMomentumWrongSign}),
    "momentum-dampened": ("optimizers", {"SGD": SGDMomentumDampened}),
    "momentum-velocity-not-kept": ("optimizers", {"SGD": SGDVelocityNotKept}),
    "weight-decay-decoupled": ("optimizers", {"SGD": SGDDecoupledDecay, "RMSprop": RMSpropDecoupledDecay,
                                              "Adam": AdamDecoupledDecay}),
    "rmsprop-eps-inside-sqrt": ("optimizers", {"RMSprop": RMSpropEpsInsideSqrt}),
    "adam-no-bias-correction": ("optimizers", {"Adam": AdamNoBiasCorrection}),
    "adam-shared-step-count": ("optimizers", {"Adam": AdamSharedStepCount}),
    "adam-step-count-from-one": ("optimizers", {"Adam": AdamStepCountFromOne}),
    "adam-eps-inside-sqrt": ("optimizers", {"Adam": AdamEpsInsideSqrt}),
    "adam-eps-hat": ("optimizers", {"Adam": AdamEpsHat}),
}
