"""``cnnlab train``: the CNN built from the layer contract, its data, training loop, saved runs and figures."""
