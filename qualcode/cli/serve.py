"""``qualcode serve``: the same workbench in a browser tab, served locally.

Why textual-serve: it runs ``qualcode tui`` once per browser connection (one
process, one store connection per tab) and relays the terminal over a
websocket, so there is no second UI to maintain. Every tab writes through the
store like any other writer (WAL, busy timeout, one transaction per action),
so two tabs coding at once lose nothing.

There is no authentication: by default the server listens on 127.0.0.1 only;
any other address prints a warning.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli._common import CoderOpt, ProjectOpt, fail, user_errors

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# A <link> to a stylesheet on another host (textual-serve's page asks Google Fonts for a web font).
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE | re.DOTALL)


def offline_templates(source: Path, dest: Path) -> Path:
    """Copy textual-serve's page templates into ``dest`` without remote stylesheets.

    Why: the page textual-serve ships loads a web font from fonts.googleapis.com,
    which an offline machine (or one behind a strict firewall) waits on and a
    privacy-minded one should not contact; without it the browser falls back to
    its own monospace font. Copied at start-up, not vendored, so the template
    always matches the installed textual-serve.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for page in source.glob("*.html"):
        (dest / page.name).write_text(_REMOTE_LINK.sub("", page.read_text(encoding="utf-8")), encoding="utf-8")
    return dest


def tui_command(project: str, coder: str | None) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "qualcode.cli.main", "tui", "--project", project]
    if coder:
        argv += ["--coder", coder]
    return shlex.join(argv)


def serve(
    project: ProjectOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (no authentication: keep it local).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="URL the browser uses to reach the server (default http://HOST:PORT)."),
    ] = None,
    coder: CoderOpt = None,
) -> None:
    """Serve the workbench to a web browser (one session per tab, all writing to the project)."""
    from qualcode.store import open_project, resolve_project_path

    path = resolve_project_path(project).resolve()
    with user_errors():
        open_project(path).close()  # a bad file fails here, not in every tab
    try:
        from textual_serve.server import Server
    except ImportError:
        typer.echo(
            "Error: textual-serve is not installed; run: "
            f"{shlex.join([sys.executable, '-m', 'pip', 'install', 'textual-serve'])}",
            err=True,
        )
        raise typer.Exit(1) from None
    if not is_loopback(host):
        typer.echo(
            f"Warning: serving on {host} with no authentication: anyone who can reach port {port} "
            "can read and change this project.",
            err=True,
        )
    typer.echo(f"qualcode: serving {path} on http://{host}:{port} (Ctrl+C to stop)")
    import textual_serve

    with tempfile.TemporaryDirectory(prefix="qualcode-serve-") as pages:
        templates = offline_templates(Path(textual_serve.__file__).parent / "templates", Path(pages))
        server = Server(
            tui_command(str(path), coder),
            host=host,
            port=port,
            title=f"qualcode · {path.name}",
            public_url=public_url,
            templates_path=templates,
        )
        try:
            server.serve()
        except OSError as exc:  # port in use, address not on this machine
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""
    app.command("serve")(serve)
