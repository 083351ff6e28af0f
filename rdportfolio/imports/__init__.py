"""Import jobs: an uploaded Excel/CSV file checked, previewed, then written, on the workers.

The kinds of rows come from the apps (``<app>/imports.py``, registered with
``rdportfolio.core.tabular``); this app only keeps the files, runs the jobs and
shows their progress, so it imports no app.
"""
