"""Theme suggestion over a synthetic study with three planted themes."""

from __future__ import annotations

import socket

import pytest

from qualcode.errors import DependencyError, ValidationError
from qualcode.themes import SuggestParams, accept, load_run, merge, reject, run_segments, suggest


def _theme_of(text: str, planted_themes) -> str:
    hits = {name: sum(w in text for w in vocab) for name, vocab in planted_themes.items()}
    return max(hits, key=hits.get)


@pytest.fixture
def study(project, build_themes):
    build_themes(project)
    return project


def test_finds_planted_themes_without_interviewer_turns(unguided_run, planted_themes) -> None:
    study, srun = unguided_run  # fitted once per session
    real = [t for t in srun.topics if t.topic >= 0]
    assert len(real) == 3 and srun.units == 60
    segs = run_segments(study, srun.id)
    assert len(segs) == 60
    interviewer = {(t.document_id, t.start) for t in study.documents.all_turns() if t.role == "interviewer"}
    assert not any((s.document_id, s.start) in interviewer for s in segs)
    # Each topic holds exactly one planted theme, 20 turns each (hand count).
    for t in real:
        members = run_segments(study, srun.id, t.topic)
        texts = [study.documents.get(s.document_id).text[s.start : s.end] for s in members]
        assert len({_theme_of(x, planted_themes) for x in texts}) == 1
        assert t.size == len(members) == 20
        assert t.documents == 6 and t.participants == 6 and t.participant_share == 1.0
        assert 3 <= len(t.excerpts) <= 5
        assert all(e.speaker.startswith("P") for e in t.excerpts)
        assert all(0.0 <= (s.probability or 0) <= 1.0 for s in members)


def test_same_seed_same_topics(study) -> None:
    a = suggest(study, SuggestParams(seed=11, guided=False))
    b = suggest(study, SuggestParams(seed=11, guided=False))
    assert a.id != b.id
    assert [(t.topic, t.keywords, t.size) for t in a.topics] == [(t.topic, t.keywords, t.size) for t in b.topics]
    seg = lambda r: [(s.topic, s.document_id, s.start, s.probability) for s in run_segments(study, r.id)]  # noqa: E731
    assert seg(a) == seg(b)
    stored = load_run(study, a.id)
    assert stored.params.seed == 11 and stored.run.params["versions"]["bertopic"]
    assert [t.label for t in stored.topics] == [t.label for t in a.topics]


def test_guided_maps_planted_theme_to_code(study, planted_themes) -> None:
    study.codes.add("Funding", description="Money: grants, loans and the budget", keywords=["grant", "budget", "loan"])
    srun = suggest(study, SuggestParams())
    by_code = {}
    for t in srun.topics:
        members = run_segments(study, srun.id, t.topic)
        theme = _theme_of(
            study.documents.get(members[0].document_id).text[members[0].start : members[0].end], planted_themes
        )
        by_code[theme] = t
    assert by_code["money"].closest_code == "Funding"
    assert by_code["money"].similarity > 0.3 and not by_code["money"].new_theme
    assert by_code["water"].new_theme and by_code["water"].similarity < by_code["money"].similarity


def test_where_filter_and_documents(study) -> None:
    srun = suggest(study, SuggestParams(where=(("org_size", "SME"),), guided=False))
    docs = {s.document_id for s in run_segments(study, srun.id)}
    assert {study.documents.get(d).name for d in docs} == {"int1", "int3", "int5"}
    assert srun.units == 30
    with pytest.raises(ValidationError):
        suggest(study, SuggestParams(kinds=("survey",)))


def test_accept_creates_code_and_pending_codings(unguided_run) -> None:
    study, srun = unguided_run  # fitted once per session
    topic = srun.topics[0]
    result = accept(study, srun.id, topic.topic, "Suggested theme", apply=True)
    assert result.code.keywords == topic.keywords
    assert result.code.description.startswith(f"Suggested by run {srun.id} from {topic.size} excerpts; top terms:")
    codings = study.codings.for_code(result.code.id)
    assert len(codings) == topic.size == len(result.coding_ids)
    assert {(c.origin, c.status, c.method, c.run_id) for c in codings} == {("suggested", "pending", "themes", srun.id)}
    probs = {(s.document_id, s.start): s.probability for s in run_segments(study, srun.id, topic.topic)}
    assert all(c.confidence == pytest.approx(probs[(c.document_id, c.start)]) for c in codings)
    assert load_run(study, srun.id).topics[0].status == "accepted"
    with pytest.raises(ValidationError):
        accept(study, srun.id, topic.topic, "Again")
    study.history.undo()
    assert study.codings.all() == [] and study.codes.find_path("Suggested theme") is None
    assert load_run(study, srun.id).topics[0].status == "open"


def test_reject_and_merge(unguided_run) -> None:
    study, srun = unguided_run  # fitted once per session
    assert reject(study, srun.id, 2).status == "rejected"
    merged = merge(study, srun.id, 0, [1])
    assert merged.size == 40 and len(run_segments(study, srun.id, 0)) == 40
    assert run_segments(study, srun.id, 1) == []
    assert set(srun.topics[1].keywords[:3]) <= set(merged.keywords)
    assert load_run(study, srun.id).topics[1].status == "merged"
    with pytest.raises(ValidationError):
        merge(study, srun.id, 0, [0])


def test_sentence_units_and_hdbscan(study) -> None:
    srun = suggest(study, SuggestParams(unit="sentence", clusterer="hdbscan", min_topic_size=5, guided=False))
    assert srun.units == 60  # one sentence per participant turn
    assert sum(t.size for t in srun.topics) == 60


def test_no_network_during_a_run(study, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    srun = suggest(study, SuggestParams(seed=5))
    assert len(srun.topics) == 3


def test_neural_backend_fails_clearly(study) -> None:
    with pytest.raises(DependencyError):
        suggest(study, SuggestParams(embedder="sentence-transformers", model="/no/such/model"))
    with pytest.raises(DependencyError):
        suggest(study, SuggestParams(embedder="sentence-transformers"))
