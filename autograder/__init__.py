"""cnnlab's grading engine, command line, model assembly, data and plots."""

__version__ = "0.1.0"
