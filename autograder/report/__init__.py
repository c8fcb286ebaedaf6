"""Grading results rendered for people and machines: the console (rich) and Gradescope's results.json."""
