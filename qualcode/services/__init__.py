"""The application layer both front ends call.

``cli`` (typer) and ``tui`` (Textual) keep only argument parsing, widgets and
rendering; each use case they share (document and participant rows, import
with its summary, export dispatch, theme and autotag runs, merge, speakers…)
is one function here that returns typed results. Modules here may import any
core package (``store``, ``ingest``, ``analysis``, ``export`` …) but never
``cli`` or ``tui``.
"""
