"""BERTopic, the one dependency pip cannot install for us.

Why a module of its own: BERTopic's declared dependencies pull
sentence-transformers, torch and gigabytes of CUDA wheels that qualcode's
torch-free pipeline never uses, so it cannot be a plain dependency of the
package. It is installed with ``--no-deps`` next to the packages it really
needs (all of which qualcode depends on). ``qualcode doctor --fix`` runs the
command below; ``suggest`` fails with it as the hint instead of a traceback.
"""

from __future__ import annotations

import shlex
import sys

from qualcode.errors import DependencyError

BERTOPIC_REQUIREMENT = "bertopic==0.17.4"


def bertopic_install_args() -> list[str]:
    """The pip command (argv) that installs the lean BERTopic into this environment."""
    return [sys.executable, "-m", "pip", "install", "--no-deps", BERTOPIC_REQUIREMENT]


def bertopic_install_command() -> str:
    """The same command as one line a user can paste."""
    return shlex.join(bertopic_install_args())


def require_bertopic() -> None:
    """Import BERTopic or fail with the command that installs it.

    Raises:
        DependencyError: BERTopic is missing or cannot be imported.
    """
    try:
        import bertopic  # noqa: F401
    except ImportError as exc:
        raise DependencyError(
            f"BERTopic is not installed ({exc}); run 'qualcode doctor --fix', or: {bertopic_install_command()}"
        ) from exc
