"""Generators of what cnnlab ships: the student stubs and the stored answers (``python -m autograder.build``)."""
