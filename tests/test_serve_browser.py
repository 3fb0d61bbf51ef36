"""``qualcode serve`` in a real browser: headless Chromium codes by keyboard.

The page draws the terminal on a canvas, so what the browser received is
read by wrapping the page's WebSocket (a script injected before the page
loads); the result is checked in the project file, and a screenshot is kept
in ``benchmarks/out/serve.png`` (and the test's tmp folder) for a person to look at.
Skips when Chromium, its driver or selenium is absent (see README, "Serve").
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.model import ParsedDocument, ParsedTurn

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Chromium/chromedriver not installed")

# Everything the server sends to the page, as text, in window.__qc.
CAPTURE = """
window.__qc = "";
const Orig = window.WebSocket;
const decoder = new TextDecoder();
function Wrapped(url, protocols) {
  const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string") { window.__qc += e.data; }
    else if (e.data instanceof ArrayBuffer) { window.__qc += decoder.decode(e.data, {stream: true}); }
    else if (e.data instanceof Blob) { e.data.text().then((t) => { window.__qc += t; }); }
  });
  return ws;
}
Wrapped.prototype = Orig.prototype;
Object.assign(Wrapped, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.WebSocket = Wrapped;
"""


def _doc(name: str, said: str) -> ParsedDocument:
    label = "Alice: "
    text = f"Interviewer: How was it?\n\n{label}{said}\n"
    q = len("Interviewer: ")
    start = text.index(said)
    turns = [
        ParsedTurn("Interviewer", q, q + len("How was it?"), role="interviewer"),
        ParsedTurn("Alice", start, start + len(said), role="participant", participant="Alice"),
    ]
    return ParsedDocument(name=name, kind="interview", text=text, turns=turns, participants={"Alice": {}})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path):
    """A two-document project served on a free loopback port."""
    from qualcode.store import open_project

    db = tmp_path / "study.db"
    with open_project(db) as project:
        project.documents.add(_doc("alpha_interview", "The feedback came five weeks late."))
        project.documents.add(_doc("beta_interview", "Scoring was inconsistent between tenders."))
        project.codes.add("Timeliness", key="1")
        project.codes.add("Scoring", key="2")
    port = _free_port()
    env = {**os.environ, "QUALCODE_CODER": "browser", "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualcode.cli.main", "serve", "-p", str(db), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    try:
        _wait_for(lambda: _listening(port) or proc.poll() is not None, 30, "the server")
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        yield db, f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _screen_text(driver) -> str:
    return ANSI.sub("", driver.execute_script("return window.__qc || ''"))


def _codings(db: Path) -> list[tuple[str, str, str]]:
    from qualcode.store import open_project

    with open_project(db, create=False) as p:
        return sorted(
            (p.documents.get(c.document_id).name, p.codes.get(c.code_id).name, c.coder) for c in p.codings.all()
        )


def _code_in_tab(driver, url: str, name: str, key: str):
    """Open ``url``, filter the document list to ``name``, open it, code Alice's turn with ``key``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE})  # per tab
    driver.get(url)
    _wait_for(
        lambda: "alpha_interview" in _screen_text(driver) and "beta_interview" in _screen_text(driver),
        60,
        "the document list in the page",
    )
    keyboard = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")  # where xterm.js reads keys
    keyboard.send_keys(name)
    time.sleep(0.5)
    keyboard.send_keys(Keys.ENTER)
    _wait_for(lambda: "turn 1/2" in _screen_text(driver), 30, f"{name} to open")  # the document's status bar
    keyboard.send_keys("]", key)
    return keyboard


def test_browser_codes_by_keyboard_in_two_tabs(served, browser, tmp_path):
    db, url = served
    keyboard = _code_in_tab(browser, url, "alpha_interview", "1")
    _wait_for(lambda: _codings(db), 30, "the first coding in the project")
    assert _codings(db) == [("alpha_interview", "Timeliness", "browser")]
    shot = tmp_path / "serve.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, out / "serve.png")

    first = browser.current_window_handle
    browser.switch_to.new_window("tab")  # a second session, its own process
    _code_in_tab(browser, url, "beta_interview", "2")
    _wait_for(lambda: len(_codings(db)) == 2, 30, "the second tab's coding")
    browser.switch_to.window(first)
    keyboard.send_keys("2")  # the first tab is still live: same turn, second code
    _wait_for(lambda: len(_codings(db)) == 3, 30, "the first tab's second coding")
    assert _codings(db) == [
        ("alpha_interview", "Scoring", "browser"),
        ("alpha_interview", "Timeliness", "browser"),
        ("beta_interview", "Scoring", "browser"),
    ]
