"""The errors cnnlab raises on purpose.

Everything a user can get wrong (an unknown exercise name, a missing folder,
a corrupt data file) is a :class:`CnnlabError`. The command line turns it into
one clear message and an exit code in a single place (:mod:`autograder.cli.ui`),
so a user never sees a traceback from cnnlab's own code.
"""


class CnnlabError(Exception):
    """A problem the user can fix; ``str(error)`` is the message shown to them."""

    exit_code = 1


class UsageError(CnnlabError):
    """A wrong argument on the command line (exit code 2, like Click's usage errors)."""

    exit_code = 2
