"""The ``qualcode`` command line (typer), one module per command group.

Each command opens the project, calls one core function and prints human
text or, with ``--json``, the stable shapes documented in README.md.
Heavy libraries are imported inside commands so ``qualcode --help`` stays fast.
"""
