"""Your implementations of cnnlab's layers.

Each module holds stubs that raise ``NotImplementedError``; replace the
``# YOUR CODE HERE`` lines with your code and run ``cnnlab check exercise1``
(and so on) to see what is right, what is wrong and why. The stubs are
generated from the reference with ``python -m autograder.build.stubs``.
"""
