"""Theme suggestion: embed → reduce → cluster → represent, through BERTopic.

Public API (for the CLI, the TUI Themes screen and auto-tagging)::

    suggest(project, params, on_progress=None) -> SuggestionRun
    accept(project, run_id, topic, name, parent=None, apply=False) -> AcceptResult
    reject(project, run_id, topic) -> TopicSuggestion
    merge(project, run_id, target, sources) -> TopicSuggestion
    list_runs(project) -> list[Run]
    load_run(project, run_id) -> SuggestionRun
    run_segments(project, run_id, topic=None) -> list[SuggestionSegment]
    embed_texts(texts, params=None, project=None) -> numpy array

Importing this package loads no spaCy, scikit-learn or BERTopic; they are
imported by the functions that need them.
"""

from qualcode.themes.decisions import AcceptResult, accept, merge, reject
from qualcode.themes.embed import embed_texts, make_embedder
from qualcode.themes.params import Excerpt, SuggestionRun, SuggestParams, TopicSuggestion, Unit
from qualcode.themes.run import list_runs, load_run, run_segments, suggest

__all__ = [
    "AcceptResult",
    "Excerpt",
    "SuggestParams",
    "SuggestionRun",
    "TopicSuggestion",
    "Unit",
    "accept",
    "embed_texts",
    "list_runs",
    "load_run",
    "make_embedder",
    "merge",
    "reject",
    "run_segments",
    "suggest",
]
