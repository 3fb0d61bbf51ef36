"""Auto-tagging: keyword rules, a classifier trained on the human codings, and
accepted themes, written as pending machine codings with full provenance.

Public API (heavy libraries load only when a function runs)::

    autotag(project, AutotagOptions(...), on_progress=None) -> AutotagResult
    evaluate(project, folds=5, unit="turn", method="model", ...) -> Evaluation
    review_queue(project, run_id=None, code=None, limit=None) -> list[ReviewItem]
    accept(project, ids) / reject(project, ids) / bulk_ids(project, ...) -> ...
    undo_run(project, run_id) -> int
    load_spec(path) -> AutotagOptions
"""

from qualcode.autotag.evaluate import Evaluation, Scores, cohen_kappa, evaluate
from qualcode.autotag.review import ReviewItem, accept, bulk_ids, reject, review_queue, undo_run
from qualcode.autotag.run import METHODS, AutotagOptions, AutotagResult, PlannedCoding, autotag
from qualcode.autotag.spec import load_spec, parse_methods

__all__ = [
    "METHODS",
    "AutotagOptions",
    "AutotagResult",
    "Evaluation",
    "PlannedCoding",
    "ReviewItem",
    "Scores",
    "accept",
    "autotag",
    "bulk_ids",
    "cohen_kappa",
    "evaluate",
    "load_spec",
    "parse_methods",
    "reject",
    "review_queue",
    "undo_run",
]
