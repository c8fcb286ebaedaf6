"""The student's loop around the grader: hints, backups and reset, and watching files for changes."""
