"""One auto-tagging run: units → candidates → guards → batched writes.

Precedence: when several methods propose the same code for the same unit,
one coding is written, from the first method in ``METHOD_ORDER`` (rules,
then model, then themes). Rules win because an analyst wrote them; the model
beats themes because it was trained on this project's own codes.

Guards, in order: a unit a human already coded with that code (confirmed
manual coding covering the unit) is skipped and counted in
``skipped_human``; a unit that already has a machine coding of that code
(pending, confirmed *or rejected*) is skipped and counted in
``skipped_existing``, which makes reruns idempotent and remembers rejections.

Writes go in batches of ``batch_size`` codings, each one ``add_many`` call =
one transaction = one undoable action. A crash loses at most the batch in
flight; ``undo_run`` removes whatever a run wrote.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import ValidationError

if TYPE_CHECKING:
    from qualcode.model import Code, Segment
    from qualcode.store import Project

METHODS: tuple[str, ...] = ("rules", "model", "themes")
METHOD_ORDER = {m: i for i, m in enumerate(METHODS)}
MODELS: tuple[str, ...] = ("hierarchy", "previous")
AUTOTAG_CODER = "autotag"
# Test hook: seconds to sleep after each committed batch (used to kill a run mid-way).
SLEEP_ENV = "QUALCODE_AUTOTAG_BATCH_SLEEP"

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class AutotagOptions:
    """What a run does; a spec file fills this, CLI flags override it."""

    methods: tuple[str, ...] = ("rules",)
    codes: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    unit: str = "turn"
    threshold: float | None = None
    seed: int = 0
    min_examples: int | None = None  # None: the model's default (5)
    batch_size: int = 5000
    include_interviewer: bool = False
    dry_run: bool = False
    model: str = "hierarchy"  # "previous": the one-vs-rest logistic model kept for comparison

    def validate(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ValidationError(f"unknown method {', '.join(unknown) or '(none)'}; use rules, model, themes or all")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ValidationError(f"threshold {self.threshold} is not within 0-1")
        if self.batch_size < 1:
            raise ValidationError("batch size must be at least 1")
        if self.min_examples is not None and self.min_examples < 1:
            raise ValidationError("min examples must be at least 1")
        if self.model not in MODELS:
            raise ValidationError(f"unknown model {self.model!r}; use {' or '.join(MODELS)}")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A method's proposal of one code for one unit."""

    unit: int
    code_id: int
    method: str
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class PlannedCoding:
    """A machine coding a run adds (or, in a dry run, would add)."""

    document_id: int
    document: str
    start: int
    end: int
    code_id: int
    code: str
    method: str
    rule: str
    confidence: float


@dataclass(slots=True)
class AutotagResult:
    """What a run did: counts, the codings it added, the model it used."""

    run_id: int | None
    added: int
    skipped_human: int
    skipped_existing: int
    units: int
    codings: list[PlannedCoding]
    dry_run: bool = False
    model_id: str | None = None
    skipped_codes: dict[str, int] = field(default_factory=dict)
    by_method: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The scripting contract of ``qualcode autotag --json``."""
        return {
            "run": self.run_id,
            "dry_run": self.dry_run,
            "added": self.added,
            "skipped_human": self.skipped_human,
            "skipped_existing": self.skipped_existing,
            "units": self.units,
            "model": self.model_id,
            "skipped_codes": self.skipped_codes,
            "by_method": self.by_method,
            "codings": [
                {
                    "document": c.document,
                    "start": c.start,
                    "end": c.end,
                    "code": c.code,
                    "method": c.method,
                    "rule": c.rule,
                    "confidence": round(c.confidence, 4),
                }
                for c in self.codings
            ],
        }


def resolve_scope(project: "Project", options: AutotagOptions) -> tuple[list["Code"], list[int] | None]:
    """The codes and document ids a run covers (all of them when none named)."""
    codes = [project.codes.resolve(c) for c in options.codes] if options.codes else project.codes.all()
    docs = [project.documents.resolve(d).id for d in options.documents] if options.documents else None
    return codes, docs


def training_set(
    project: "Project", unit: str, include_interviewer: bool = False
) -> tuple[list["Segment"], list[set[int]]]:
    """Units of every document that has a confirmed manual coding, with their codes.

    Why only coded documents: in a document nobody has coded yet, an
    uncoded unit says nothing; in a coded one it is a negative example.
    """
    from qualcode.autotag.units import build_units, unit_codes

    spans = project.autotag.human_spans()
    coded_docs = sorted({s.document_id for s in spans})
    units = build_units(project, unit, document_ids=coded_docs, include_interviewer=include_interviewer)
    return units, unit_codes(units, spans)


def model_candidates(
    project: "Project", units: Sequence["Segment"], codes: Sequence["Code"], options: AutotagOptions
) -> tuple[list[Candidate], Any]:
    """Train on the human codings (and the codebook), then predict every unit in bulk."""
    from qualcode.autotag.classifier import lemmatise

    train_units, labels = training_set(project, options.unit, options.include_interviewer)
    train_lemmas = lemmatise([u.text for u in train_units])
    out: list[Candidate] = []
    if options.model == "previous":
        from qualcode.autotag.classifier import ModelParams, train

        params = ModelParams(min_examples=options.min_examples or 5, seed=options.seed, threshold=options.threshold)
        model = train(train_lemmas, labels, [c.id for c in codes], params)
        if model.code_ids and units:
            proba = model.probabilities(lemmatise([u.text for u in units]))
            for i, k in zip(*model.decisions(proba).nonzero()):
                out.append(Candidate(int(i), model.code_ids[k], "model", model.model_id, float(proba[i, k])))
        return out, model
    from qualcode.autotag.tagger import TaggerParams, train_tagger

    tp = TaggerParams(
        seed=options.seed,
        threshold=options.threshold,
        **({"min_examples": options.min_examples} if options.min_examples else {}),
    )
    tagger = train_tagger(train_lemmas, labels, codes, tp, groups=[u.document_id for u in train_units])
    if units:
        for p in tagger.propose(lemmatise([u.text for u in units]), [u.text for u in units]):
            out.append(Candidate(p.unit, p.code_id, "model", p.rule, p.confidence))
    return out, tagger


def theme_candidates(project: "Project", units: Sequence["Segment"], code_ids: set[int]) -> list[Candidate]:
    """Accepted theme suggestions' member spans, mapped onto units."""
    from qualcode.autotag.units import UnitIndex

    index = UnitIndex(units)
    out: list[Candidate] = []
    for m in project.autotag.accepted_theme_memberships():
        if m.code_id not in code_ids:
            continue
        conf = 1.0 if m.probability is None else min(1.0, max(0.0, float(m.probability)))
        for i in index.covering(m.document_id, m.start, m.end):
            out.append(Candidate(i, m.code_id, "themes", f"theme:run{m.run_id}:topic{m.topic}", conf))
    return out


def combine(candidates: Sequence[Candidate]) -> dict[tuple[int, int], Candidate]:
    """One candidate per (unit, code): the highest-precedence method, then confidence."""
    best: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        key = (c.unit, c.code_id)
        old = best.get(key)
        if old is None or (METHOD_ORDER[c.method], -c.confidence) < (METHOD_ORDER[old.method], -old.confidence):
            best[key] = c
    return best


def autotag(project: "Project", options: AutotagOptions, on_progress: Progress | None = None) -> AutotagResult:
    """Run the chosen methods and write their codings (unless a dry run).

    Raises:
        ValidationError, NotFoundError: bad options, unknown codes or documents.
    """
    from qualcode.autotag.evidence import CodeTree
    from qualcode.autotag.rules import RuleMatcher, check_keywords
    from qualcode.autotag.units import build_units, unit_codes
    from qualcode.store import NewCoding
    from qualcode.store.autotag import SpanKey

    options.validate()
    codes, doc_ids = resolve_scope(project, options)
    check_keywords(codes)
    units = build_units(project, options.unit, document_ids=doc_ids, include_interviewer=options.include_interviewer)
    texts = [u.text for u in units]
    candidates: list[Candidate] = []
    model = None
    if "rules" in options.methods:
        for h in RuleMatcher(codes).match(texts):
            candidates.append(Candidate(h.unit, h.code_id, "rules", h.rule, h.confidence))
    if "model" in options.methods:
        found, model = model_candidates(project, units, codes, options)
        candidates.extend(found)
    if "themes" in options.methods:
        candidates.extend(theme_candidates(project, units, {c.id for c in codes}))

    store = project.autotag
    tree = CodeTree.of(project.codes.all())
    # A unit a human coded with a code *or one under it* already has that code (a back-off to the
    # theme would only restate it).
    human = [tree.expand(h) for h in unit_codes(units, store.human_spans())]
    machine = store.machine_keys()
    names = {d.id: d.name for d in project.documents.headers()}
    paths = {c.id: c.path for c in project.codes.all()}
    planned: list[PlannedCoding] = []
    skipped_human = skipped_existing = 0
    for (i, code_id), cand in sorted(combine(candidates).items()):
        u = units[i]
        if code_id in human[i]:
            skipped_human += 1
        elif SpanKey(code_id, u.document_id, u.start, u.end) in machine:
            skipped_existing += 1
        else:
            planned.append(
                PlannedCoding(
                    u.document_id,
                    names[u.document_id],
                    u.start,
                    u.end,
                    code_id,
                    paths[code_id],
                    cand.method,
                    cand.rule,
                    cand.confidence,
                )
            )
    by_method: dict[str, int] = {}
    for p in planned:
        by_method[p.method] = by_method.get(p.method, 0) + 1
    result = AutotagResult(
        None,
        len(planned),
        skipped_human,
        skipped_existing,
        len(units),
        planned,
        options.dry_run,
        model.model_id if model else None,
        {paths[c]: n for c, n in (model.skipped.items() if model else [])},
        by_method,
    )
    if options.dry_run:
        return result

    params = _params(options, model)
    run = project.runs.start("autotag", params)
    result.run_id = run.id
    delay = float(os.environ.get(SLEEP_ENV) or 0)
    done = 0
    try:
        for b in range(0, len(planned), options.batch_size):
            batch = planned[b : b + options.batch_size]
            project.codings.add_many(
                [
                    NewCoding(
                        p.code_id,
                        p.document_id,
                        p.start,
                        p.end,
                        coder=AUTOTAG_CODER,
                        origin="auto",
                        status="pending",
                        method=p.method,
                        rule=p.rule,
                        confidence=p.confidence,
                        run_id=run.id,
                    )
                    for p in batch
                ],
                summary=f"autotag run {run.id}: {len(batch)} codings",
                action="autotag",
                run_id=run.id,
            )
            done += len(batch)
            if on_progress:
                on_progress(done, len(planned))
            if delay:
                time.sleep(delay)
    except BaseException:
        project.runs.finish(run.id, {"added": done, "error": "interrupted"}, status="failed")
        raise
    project.runs.finish(
        run.id,
        {
            "added": done,
            "skipped_human": skipped_human,
            "skipped_existing": skipped_existing,
            "units": len(units),
            "by_method": by_method,
            "skipped_codes": result.skipped_codes,
        },
    )
    return result


def _params(options: AutotagOptions, model: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "methods": list(options.methods),
        "codes": list(options.codes),
        "documents": list(options.documents),
        "unit": options.unit,
        "threshold": options.threshold,
        "seed": options.seed,
        "min_examples": options.min_examples,
        "batch_size": options.batch_size,
        "include_interviewer": options.include_interviewer,
        "model_kind": options.model,
        "precedence": list(METHODS),
    }
    if model is not None and hasattr(model, "profile_ids"):  # the hierarchy tagger
        from dataclasses import asdict

        params["model"] = {
            "id": model.model_id,
            "kind": "hierarchy",
            "params": asdict(model.params),
            "thresholds": {str(k): v for k, v in model.thresholds.items()},
            "skipped_codes": {str(k): v for k, v in model.skipped.items()},
            "calibration": {"a": model.calibration[0], "b": model.calibration[1]},
        }
    elif model is not None:
        params["model"] = {
            "id": model.model_id,
            "kind": "previous",
            "thresholds": {str(k): v for k, v in model.thresholds.items()},
            "skipped_codes": {str(k): v for k, v in model.skipped.items()},
            "C": getattr(model, "C", None),
            "floor": getattr(model, "floor", None),
            "calibration": (
                {"a": model.calibration.a, "b": model.calibration.b}
                if getattr(model, "calibration", None) is not None
                else None
            ),
        }
    return params
