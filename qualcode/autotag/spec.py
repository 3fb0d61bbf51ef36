"""Run specs: a YAML file that pins an auto-tagging run.

Why: a methods section should say exactly how machine codings were made.
A spec under version control (methods, codes, thresholds, seed, unit)
reproduces the run; the run record stores the same parameters.

Example::

    methods: [rules, model]     # or "all"
    codes: ["Burden > Bid cost", Feedback]
    documents: []               # empty: every document
    unit: turn                  # turn | sentence
    threshold: 0.6              # optional: a fixed model threshold
    seed: 0
    min_examples: 5             # model: examples a code needs for its own threshold
    model: hierarchy            # or "previous" (the one-vs-rest model, for comparison)
    batch_size: 5000
    include_interviewer: false
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualcode.autotag.run import METHODS, AutotagOptions
from qualcode.errors import ValidationError

_KEYS = {
    "methods",
    "method",
    "codes",
    "documents",
    "unit",
    "threshold",
    "seed",
    "min_examples",
    "batch_size",
    "include_interviewer",
    "model",
}


def parse_methods(value: Any) -> tuple[str, ...]:
    """``all`` / a name / a list of names → a tuple in precedence order."""
    items = [value] if isinstance(value, str) else list(value or [])
    names: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip().lower()
            if part:
                names.extend(METHODS if part == "all" else [part])
    unknown = [n for n in names if n not in METHODS]
    if unknown or not names:
        raise ValidationError(f"unknown method {', '.join(unknown) or '(none)'}; use rules, model, themes or all")
    return tuple(m for m in METHODS if m in names)


def load_spec(path: str | Path) -> AutotagOptions:
    """Read a spec file into options.

    Raises:
        ValidationError: the file is missing, not YAML, or has unknown keys
            or bad values (the message names the file).
    """
    import yaml

    where = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValidationError(f"cannot read spec: {exc.strerror}", where=where) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 text (byte {exc.start})", where=where) from None
    except RecursionError:
        raise ValidationError("nested too deeply to read", where=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"{where}:{mark.line + 1}"
        raise ValidationError(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where) from None
    if not isinstance(data, dict):
        raise ValidationError("a spec is a mapping of options", where=where)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValidationError(f"unknown spec key(s): {', '.join(unknown)}", where=where)
    try:
        opts = AutotagOptions(
            methods=parse_methods(data.get("methods", data.get("method", "rules"))),
            codes=tuple(str(c) for c in data.get("codes") or ()),
            documents=tuple(str(d) for d in data.get("documents") or ()),
            unit=str(data.get("unit", "turn")),
            threshold=None if data.get("threshold") is None else float(data["threshold"]),
            seed=int(data.get("seed", 0)),
            min_examples=None if data.get("min_examples") is None else int(data["min_examples"]),
            batch_size=int(data.get("batch_size", 5000)),
            include_interviewer=bool(data.get("include_interviewer", False)),
            model=str(data.get("model", "hierarchy")),
        )
        opts.validate()
    except ValidationError as exc:
        raise ValidationError(exc.message, where=where) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"bad value: {exc}", where=where) from None
    return opts
