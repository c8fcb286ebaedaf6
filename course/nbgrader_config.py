"""nbgrader's configuration for the cnnlab course: run every nbgrader command in this folder (course/).

The assignments are course/source/exerciseN/: the notebook exerciseN.ipynb, built
from its text source exerciseN.py by ``python -m autograder.build.notebooks``, and
the stub modules the student implements. The test cells call cnnlab's own grader
on those modules, so the machine that autogrades needs ``pip install 'cnnlab[course]'``
(the hidden tests take the reference from the installed ``solutions`` package).
"""

from autograder.exercises import EXERCISES
from autograder.report.trusted_grades import autograde_steps

c = get_config()  # noqa: F821  (nbgrader defines get_config when it reads this file)

c.CourseDirectory.course_id = "cnnlab"
# exerciseN.py is the notebook's text source: instructors edit it, students get the notebook only.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "exercise[0-9].py"]
# autograde puts back every file the source folder has, except these: the modules are the students' work.
c.Autograde.exclude_overwriting = {ex.name: [f"{module}.py" for module in ex.modules] for ex in EXERCISES}
# The points of each test cell come from cnnlab's grader run by nbgrader itself, not from the student's kernel.
c.Autograde.autograde_preprocessors = autograde_steps()
# Students are added as their submissions come in (nbgrader autograde creates them).
c.Autograde.create_student = True
# A notebook runs cnnlab's grader a few times (about a second each); allow for a slow machine.
c.ExecutePreprocessor.timeout = 300
