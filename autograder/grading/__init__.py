"""The trusted side of grading: grade one exercise of one submission, with stored or fresh references."""
