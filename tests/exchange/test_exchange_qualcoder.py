"""Optional: the REFI-QDA round trip through QualCoder (scripts/qualcoder_interop.py).

Skips unless ``QUALCODER_SRC`` points at a QualCoder checkout's ``src/`` and
``QUALCODER_PYTHON`` (default: this Python) has PyQt6. See README,
"Interoperability check against QualCoder".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_through_qualcoder_keeps_sources_codes_codings_and_attributes(tmp_path):
    src = os.environ.get("QUALCODER_SRC")
    if not src or not (Path(src) / "qualcoder" / "refi.py").is_file():
        pytest.skip("QUALCODER_SRC is not set to a QualCoder checkout's src/ folder")
    python = os.environ.get("QUALCODER_PYTHON", sys.executable)
    if subprocess.run([python, "-c", "import PyQt6.QtWidgets"], capture_output=True).returncode != 0:
        pytest.skip(f"PyQt6 is not installed for {python}")
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "qualcoder_interop.py"), "--json", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads(out.stdout)
    rows = {r["what"]: r for r in data["rows"]}
    for what in ("sources", "codes", "codings", "attributes"):
        assert rows[what]["kept"] == rows[what]["ours"] > 0, rows[what]  # identical text, offsets, coder
    for target in ("coding", "document", "project", "turn"):
        assert rows[f"memos on {target}"]["kept"] == rows[f"memos on {target}"]["ours"] == 1
    assert data["merge_back"]["documents_added"] == 0 and data["merge_back"]["codings_added"] == 0
