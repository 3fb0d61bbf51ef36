"""``qualcode doctor``, ``suggest`` without BERTopic, ``qualcode serve``'s options, the shipped data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app

runner = CliRunner()


def test_doctor_json_reports_each_component_with_fixes():
    res = runner.invoke(app, ["doctor", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    checks = {c["name"]: c for c in data["checks"]}
    assert data["ok"] is True and data["python"] == sys.version.split()[0]
    for name in (
        "qualcode",
        "spacy",
        "spacy-lookups-data",
        "textual",
        "textual-serve",
        "bertopic",
        "sentence-transformers",
        "neural-model",
    ):
        assert set(checks[name]) >= {"name", "level", "status", "version", "purpose", "detail", "fix", "fixable"}
    assert checks["textual"]["version"] == __import__("textual").__version__
    assert checks["spacy-lookups-data"]["status"] == "ok"  # lemma('studies') == 'study' in this venv
    assert data["missing"] == [c["name"] for c in data["checks"] if c["status"] != "ok"]
    for check in data["checks"]:
        assert (check["fix"] is None) == (check["status"] == "ok"), check


def test_doctor_without_bertopic_prints_the_lean_install_and_fix_runs_it(monkeypatch):
    from qualcode.services import doctor

    monkeypatch.setitem(sys.modules, "bertopic", None)  # import bertopic -> ImportError
    report = doctor.run_checks()
    bertopic = next(c for c in report.checks if c.name == "bertopic")
    assert bertopic.status == "broken" and report.ok  # recommended, not required
    assert bertopic.auto_fix == (sys.executable, "-m", "pip", "install", "--no-deps", "bertopic==0.17.4")
    ran: list[list[str]] = []
    fixed = doctor.fix(report, run=lambda argv: ran.append(argv) or 0)
    assert ran == [list(bertopic.auto_fix)]  # only BERTopic is installed automatically
    assert fixed.fixed == ["bertopic"]
    res = runner.invoke(app, ["doctor"])
    assert res.exit_code == 0
    assert "fix: " + " ".join(bertopic.auto_fix) in res.output
    assert "qualcode doctor --fix" in res.output


def test_doctor_exits_1_when_a_required_part_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "hdbscan", None)
    res = runner.invoke(app, ["doctor"])
    assert res.exit_code == 1
    assert "Missing required components: hdbscan" in res.output


def test_suggest_without_bertopic_is_an_error_with_the_hint(project, monkeypatch):
    from qualcode.model import ParsedDocument, ParsedTurn

    text = "Alice: " + "The feedback was late. " * 3
    project.documents.add(ParsedDocument("a", "interview", text, [ParsedTurn("Alice", 7, len(text), "participant")]))
    path = project.path
    project.close()
    monkeypatch.setitem(sys.modules, "bertopic", None)
    res = runner.invoke(app, ["suggest", "-p", str(path)])
    assert res.exit_code == 1
    assert "BERTopic is not installed" in res.output and "qualcode doctor --fix" in res.output
    assert "--no-deps bertopic==" in res.output and "[E401]" in res.output
    assert "Traceback" not in res.output


@pytest.fixture
def fake_server(monkeypatch):
    """Record what ``serve`` passes to textual-serve instead of serving."""
    pytest.importorskip("textual_serve")
    import textual_serve.server

    calls: list[dict] = []

    class FakeServer:
        def __init__(self, command: str, **kwargs) -> None:
            calls.append({"command": command, **kwargs})

        def serve(self) -> None:
            calls[-1]["served"] = True

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return calls


def test_serve_defaults_to_loopback_and_runs_the_tui_per_tab(tmp_path, fake_server, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["serve", "-p", "my study.db", "--coder", "ana"])
    assert res.exit_code == 0, res.output
    (call,) = fake_server
    assert call["host"] == "127.0.0.1" and call["port"] == 8000 and call["served"]
    project = str((tmp_path / "my study.db").resolve())
    assert call["command"].endswith(f"-m qualcode.cli.main tui --project '{project}' --coder ana")
    assert (tmp_path / "my study.db").exists()  # opened (created) once before serving
    assert "Warning" not in res.output


@pytest.mark.parametrize(
    "host,warned",
    [("0.0.0.0", True), ("192.168.1.5", True), ("localhost", False), ("127.0.0.2", False), ("::1", False)],
)
def test_serve_warns_off_loopback(tmp_path, fake_server, host, warned):
    res = runner.invoke(app, ["serve", "-p", str(tmp_path / "s.db"), "--host", host, "--port", "9001"])
    assert res.exit_code == 0
    assert ("no authentication" in res.output) is warned
    assert fake_server[0]["host"] == host and fake_server[0]["port"] == 9001


def test_serve_refuses_a_file_that_is_not_a_project(tmp_path, fake_server):
    bad = tmp_path / "notes.db"
    bad.write_text("not sqlite")
    res = runner.invoke(app, ["serve", "-p", str(bad)])
    assert res.exit_code == 1 and res.output.startswith("Error: ")
    assert fake_server == []


def test_demo_study_is_package_data_and_the_checkout_links_to_it(demo_dir, codebooks_dir):
    import qualcode
    from qualcode.demo import DEMO_CODEBOOK, DEMO_DIR

    package = qualcode.__file__.rsplit("/", 1)[0]
    assert str(DEMO_DIR).startswith(package) and str(DEMO_CODEBOOK).startswith(package)
    assert demo_dir.resolve() == DEMO_DIR.resolve()  # corpora/demo is a link, one copy in git
    assert (codebooks_dir / "social_value.yaml").resolve() == DEMO_CODEBOOK.resolve()
    shipped = {p.name for p in DEMO_DIR.iterdir()}
    assert {"participants.csv", "survey.csv", "codings.csv", "focus_group_01.vtt"} <= shipped


def test_serve_on_a_busy_port_is_an_error_not_a_traceback(tmp_path):
    import socket

    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # A subprocess: textual-serve installs signal handlers on the event loop.
        res = subprocess.run(
            [sys.executable, "-m", "qualcode.cli.main", "serve", "-p", str(tmp_path / "s.db"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    assert res.returncode == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_served_page_asks_no_other_host_for_anything(tmp_path):
    """textual-serve's page links a Google web font; the copy qualcode serves has no remote link left."""
    textual_serve = pytest.importorskip("textual_serve")
    from qualcode.cli.serve import offline_templates

    source = Path(textual_serve.__file__).parent / "templates"
    original = (source / "app_index.html").read_text(encoding="utf-8")
    page = (offline_templates(source, tmp_path / "pages") / "app_index.html").read_text(encoding="utf-8")
    remote = re.compile(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)
    assert remote.findall(page) == []
    # Only the remote stylesheet went: the local stylesheet and script the page needs are still there.
    assert page.count("<script") == original.count("<script") and "css/xterm.css" in page
    assert len(original) - len(page) < 200


def test_serve_passes_the_offline_templates(tmp_path, fake_server):
    res = runner.invoke(app, ["serve", "-p", str(tmp_path / "s.db")])
    assert res.exit_code == 0, res.output
    assert Path(fake_server[0]["templates_path"]).name.startswith("qualcode-serve-")
