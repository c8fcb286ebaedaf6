"""cnnlab's reference implementations (instructors only).

Every module here mirrors one under ``exercises/``. The body of each function a
student writes sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
``python -m autograder.build.stubs`` turns this package into the student stubs.
Each module imports only NumPy and the standard library, so a student's copy can
be loaded on its own.
"""
