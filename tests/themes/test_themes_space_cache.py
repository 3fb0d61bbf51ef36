"""The embedding-space cache: a rerun reads the fitted space back and gives exactly a cold run's topics."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qualcode.store.space_cache import SpaceCache
from qualcode.text import lemma_text_many
from qualcode.themes import SuggestParams, run_segments, suggest
from qualcode.themes import lemmas as lemma_mod
from qualcode.themes import space as space_mod


def _topics(project, run):
    """What an analyst sees of a run: each topic's words, size, excerpts, and every membership."""
    shown = [(t.topic, t.label, t.keywords, t.size, [(e.document_id, e.start) for e in t.excerpts]) for t in run.topics]
    members = [(s.topic, s.document_id, s.start, s.end, s.probability) for s in run_segments(project, run.id)]
    return shown, members


def _fits(monkeypatch) -> list[int]:
    """Count space fits (a cache miss fits; a hit does not)."""
    calls: list[int] = []
    real = space_mod.fit_space

    def counting(lemmas, dims, random_state):
        calls.append(len(lemmas))
        return real(lemmas, dims, random_state)

    monkeypatch.setattr(space_mod, "fit_space", counting)
    return calls


@pytest.fixture
def themed(project, build_themes):
    build_themes(project)
    return project


def test_rerun_reads_the_space_and_matches_a_cold_run(themed, tmp_path, build_themes, monkeypatch):
    from qualcode.store import open_project

    fits = _fits(monkeypatch)
    first = suggest(themed, SuggestParams(guided=False, seed=3))
    assert fits == [60] and len(SpaceCache(themed).keys()) == 1  # 6 interviews x 10 participant turns
    lemmatised: list[int] = []
    monkeypatch.setattr(lemma_mod, "lookup_lemma_texts", lambda t: lemmatised.append(len(t)) or lemma_text_many(t))
    again = suggest(themed, SuggestParams(guided=False, seed=3))
    assert fits == [60] and lemmatised == []  # nothing fitted, nothing lemmatised
    assert _topics(themed, again) == _topics(themed, first)
    # Another seed and a fixed topic count reuse the same space.
    suggest(themed, SuggestParams(guided=False, seed=9))
    suggest(themed, SuggestParams(guided=False, topics=4))
    assert fits == [60] and len(SpaceCache(themed).keys()) == 1
    # A cold run on a project of its own (same texts, no cache) finds the same topics.
    with open_project(tmp_path / "cold.db") as cold:
        build_themes(cold)
        cold_run = suggest(cold, SuggestParams(guided=False, seed=3))
        assert fits == [60, 60]
        assert _topics(cold, cold_run)[1] == _topics(themed, first)[1]
        assert [t[1:4] for t in _topics(cold, cold_run)[0]] == [t[1:4] for t in _topics(themed, first)[0]]


def test_guided_rerun_matches_and_needs_no_fit(themed, monkeypatch):
    themed.codes.add("Water", None, keywords=["pipe", "leak"])
    fits = _fits(monkeypatch)
    first = suggest(themed, SuggestParams(seed=1))
    again = suggest(themed, SuggestParams(seed=1))
    assert len(fits) == 1
    assert _topics(themed, again) == _topics(themed, first)
    assert [(t.closest_code, t.similarity) for t in again.topics] == [
        (t.closest_code, t.similarity) for t in first.topics
    ]


def test_other_units_or_settings_miss_the_cache(themed, monkeypatch):
    fits = _fits(monkeypatch)
    suggest(themed, SuggestParams(guided=False))
    suggest(themed, SuggestParams(guided=False, documents=("int1", "int2", "int3")))  # other units
    assert fits == [60, 30]
    suggest(themed, SuggestParams(guided=False, svd_dims=20))  # other setting
    assert fits == [60, 30, 60]
    assert len(SpaceCache(themed).keys()) == 2  # only the newest two spaces are kept


def test_an_edited_text_changes_the_key():
    lemmas = ["pipe leak sewer", "grant budget cost", "staff training crew"]
    key = space_mod.space_key(lemmas, 100)
    assert space_mod.space_key(list(lemmas), 100) == key
    assert space_mod.space_key([lemmas[0], "grant budget loan", lemmas[2]], 100) != key
    assert space_mod.space_key(lemmas[::-1], 100) != key  # units in another order are other units
    assert space_mod.space_key(lemmas, 50) != key


def test_undo_after_a_run_leaves_the_cache_harmless(themed, monkeypatch):
    from qualcode.themes import accept

    first = suggest(themed, SuggestParams(guided=False, seed=2))
    accept(themed, first.id, 0, "Pipes", apply=True)
    assert themed.history.undo() is not None
    assert themed.codes.all() == [] and themed.codings.all() == []
    fits = _fits(monkeypatch)
    again = suggest(themed, SuggestParams(guided=False, seed=2))
    assert fits == []
    assert _topics(themed, again) == _topics(themed, first)


def test_an_incomplete_entry_is_a_miss(themed, monkeypatch):
    suggest(themed, SuggestParams(guided=False))
    (key,) = SpaceCache(themed).keys()
    themed.db.execute("DELETE FROM space_cache_parts WHERE key = ? AND name = 'vectors'", [key])
    fits = _fits(monkeypatch)
    assert SpaceCache(themed).get(key) is None
    suggest(themed, SuggestParams(guided=False))
    assert len(fits) == 1 and SpaceCache(themed).get(key) is not None


def test_parts_larger_than_one_row_round_trip(project, monkeypatch):
    from qualcode.store import space_cache

    monkeypatch.setattr(space_cache, "PART_BYTES", 7)
    data = bytes(range(50))
    SpaceCache(project).put("k", {"rows": 1}, {"a": data, "empty": b""})
    got = SpaceCache(project).get("k")
    assert got is not None and got.parts["a"] == data and got.parts.get("empty", b"") == b""
    assert project.db.execute("SELECT count(*) FROM space_cache_parts WHERE name = 'a'").fetchone()[0] == 8


def test_cached_space_embeds_new_text_like_the_fitted_one():
    lemmas = lemma_text_many([f"the {w} and {v} again" for w in ("pipe", "leak", "grant", "loan") for v in ("a", "b")])
    space, vectors = space_mod.fit_space(lemmas, 5, 0)
    assert vectors.dtype == np.float32
    rebuilt = space_mod.TfidfSpace(list(space.vocabulary), space.idf.copy(), space.components.copy())
    words = ["pipe", "grant loan", "unknown"]
    assert np.array_equal(space.transform(words), rebuilt.transform(words))
    assert np.allclose(np.linalg.norm(space.transform(words[:2]), axis=1), 1.0)


def test_lookup_lemmas_equal_the_spacy_pipeline(demo_dir):
    texts = [
        "I've been running [inaudible] the 3 pumps, didn't they? Mice & geese ran.",
        "Well... UM, yeah: the Children were BETTER off; naïve café owners' crises.",
        "",
        "{vocalsound} 42 <noise> e-mail re-use mother-in-law's cars",
    ]
    for path in sorted(demo_dir.rglob("*.txt"))[:6]:
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) > 20
    assert lemma_mod.lookup_lemma_texts(texts) == lemma_text_many(texts)


def test_lookup_lemmas_equal_on_real_answers(corpora_dir):
    import csv

    with (corpora_dir / "banking77" / "train.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for _, row in zip(range(3000), csv.DictReader(fh))]
    assert lemma_mod.lookup_lemma_texts(texts) == lemma_text_many(texts)


def test_run_json_keeps_its_shape_with_segments_on_one_line(unguided_run, capsys):
    from qualcode.cli._common import print_json
    from qualcode.cli.themes import print_run_json, run_json

    project, run = unguided_run
    data = run_json(project, run)
    print_run_json(data)
    fast = capsys.readouterr().out
    print_json(data)
    slow = capsys.readouterr().out
    assert json.loads(fast) == json.loads(slow) == json.loads(json.dumps(data, default=str))
    assert sum(len(t["segments"]) for t in data["topics"]) == run.units
    assert fast.count("\n") < slow.count("\n")


def test_word_by_word_lemmas_equal_whole_text_lemmas(project):
    texts = [
        "card lose find again",
        "I've been running the 3 pumps, didn't they?  Mice\tgeese\nran.",
        "the [inaudible part] was cannot e-mail",
        "",
        "Children's BETTER crises",
    ]
    assert lemma_mod.word_lemma_texts(project, texts) == lemma_text_many(texts)
    assert lemma_mod.word_lemma_texts(None, texts) == lemma_text_many(texts)


def test_a_reimported_text_misses_the_cache(project, monkeypatch):
    from qualcode.model import ParsedDocument

    vocab = ["grant budget loan funding cost", "hire recruit skill staff training", "law rule permit audit licence"]

    def doc(i: int, text: str) -> ParsedDocument:
        return ParsedDocument(name=f"a{i:02d}", kind="survey", text=text, participant=f"R{i}", sha256=text)

    project.documents.add_many([doc(i, f"{vocab[i % 3]} again {i}.") for i in range(30)])
    fits = _fits(monkeypatch)
    suggest(project, SuggestParams(guided=False))
    suggest(project, SuggestParams(guided=False, seed=5))
    assert len(fits) == 1
    project.documents.add(doc(0, "pipe leak sewer drain pump."), replace=True)
    run = suggest(project, SuggestParams(guided=False, seed=5))
    assert len(fits) == 2 and run.units == 30


@pytest.mark.parametrize("asked", [12, 3])  # 12 of 15 cached: one scan; 3 of 15: IN-lists
def test_cached_lemmas_by_scan_or_lookup_give_the_asked_subset(project, monkeypatch, asked):
    from qualcode.store import suggestions

    monkeypatch.setattr(suggestions, "LEMMA_SCAN_ABOVE", 2)
    store = project.suggestions
    store.cache_lemmas("m", {f"sha{i}": f"lemma {i}" for i in range(15)})
    store.cache_lemmas("other", {"sha1": "not this model"})
    shas = [f"sha{i}" for i in range(asked)] + ["missing", "sha0"]
    assert store.cached_lemmas("m", shas) == {f"sha{i}": f"lemma {i}" for i in range(asked)}


def test_bertopic_imports_without_spacy_and_part_of_speech_still_works():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from qualcode.themes.pipeline import defer_bertopic_plotting\n"
        "defer_bertopic_plotting()\n"
        "import bertopic\n"
        "assert 'spacy' not in sys.modules and 'plotly' not in sys.modules, 'loaded eagerly'\n"
        "from bertopic.representation import PartOfSpeech\n"
        "import spacy\n"
        "pos = PartOfSpeech(spacy.blank('en'))\n"
        "assert type(pos).__module__ == 'bertopic.representation._pos', type(pos)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def _first_turn(project, document: str):
    doc = project.documents.resolve(document)
    return project.db.execute(
        "SELECT id, text FROM turns WHERE document_id = ? AND role = 'participant' ORDER BY seq LIMIT 1", [doc.id]
    ).fetchone()


def test_a_rerun_builds_no_units_and_its_units_equal_built_ones(themed, monkeypatch):
    from qualcode.themes import units as units_mod
    from qualcode.themes.embed import TfidfSvdEmbedder
    from qualcode.themes.run import _units_and_vectors

    params = SuggestParams(guided=False)
    built, built_lemmas = units_mod.build_units_with_lemmas(themed, params)
    suggest(themed, params)
    monkeypatch.setattr(units_mod, "select_turns", lambda *a, **k: pytest.fail("a cached rerun read the turns"))
    units, lemmas, vectors = _units_and_vectors(themed, params, TfidfSvdEmbedder(project=themed))
    assert vectors is not None and vectors.shape[0] == len(built) == 60
    assert list(units) == built and lemmas == built_lemmas  # every field: ids, names, offsets, speakers, texts
    assert units[-1] == built[-1] and units[2:4] == built[2:4]


def test_an_edited_turn_text_misses_the_cache(themed, monkeypatch):
    fits = _fits(monkeypatch)
    suggest(themed, SuggestParams(guided=False))
    turn_id, text = _first_turn(themed, "int1")
    themed.db.execute("UPDATE turns SET text = ? WHERE id = ?", [text.replace("e", "a", 1), turn_id])
    suggest(themed, SuggestParams(guided=False))
    assert fits == [60, 60]


def test_a_changed_role_or_interviewer_setting_misses_the_cache(themed, monkeypatch):
    fits = _fits(monkeypatch)
    suggest(themed, SuggestParams(guided=False))
    suggest(themed, SuggestParams(guided=False, include_interviewer=True))
    assert len(fits) == 2 and fits[1] > 60  # the interviewer's questions are units too
    turn_id, _ = _first_turn(themed, "int1")
    themed.speakers.update_turns([turn_id], {"role": "interviewer"})
    run = suggest(themed, SuggestParams(guided=False))
    assert len(fits) == 3 and run.units == 59


def test_a_removed_document_misses_and_its_undo_hits_again(themed, monkeypatch):
    from qualcode.themes.unit_cache import units_key

    params = SuggestParams(guided=False, seed=4)
    fits = _fits(monkeypatch)
    first = suggest(themed, params)
    key = units_key(themed, params, None)
    themed.documents.remove("int6")
    assert units_key(themed, params, None) != key
    # (No run between the removal and its undo: undoing a removal whose run rows' ids a later run reused fails.)
    assert themed.history.undo() is not None
    assert units_key(themed, params, None) == key
    again = suggest(themed, params)
    assert fits == [60]  # the same turns again: the first space is read back
    assert _topics(themed, again) == _topics(themed, first)
    themed.documents.remove("int6")
    assert suggest(themed, params).units == 50 and fits == [60, 50]


def test_where_filters_key_on_the_participants_attributes(themed, monkeypatch):
    people = themed.participants.all()
    for i, p in enumerate(people):
        themed.participants.set_attributes(p.name, {"site": "north" if i % 2 else "south"})
    fits = _fits(monkeypatch)
    suggest(themed, SuggestParams(guided=False, where=(("site", "north"),)))
    suggest(themed, SuggestParams(guided=False, where=(("site", "north"),), seed=8))
    assert len(fits) == 1
    themed.participants.set_attributes(people[0].name, {"site": "north" if len(people) % 2 else "west"})
    themed.participants.set_attributes(people[1].name, {"site": "south"})
    suggest(themed, SuggestParams(guided=False, where=(("site", "north"),)))
    assert len(fits) == 2


def test_array_guided_step_equals_bertopics_loops():
    from bertopic import BERTopic

    from qualcode.themes.pipeline import _topic_model_class

    class Backend:
        def embed(self, documents, verbose=False):
            rng = np.random.default_rng(len(documents))
            return rng.normal(size=(len(documents), 8))

    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(200, 8))
    seeds = [["pipe", "leak"], ["grant"], ["staff", "crew", "hire"]]
    results = []
    for cls in (BERTopic, _topic_model_class()):
        model = cls(seed_topic_list=seeds)
        model._extract_embeddings = lambda docs, verbose=False: Backend().embed(docs)  # noqa: B023
        labels, blended = model._guided_topic_modeling(embeddings.copy())
        results.append(([int(v) for v in labels], blended))
    assert results[0][0] == results[1][0] and -1 in results[0][0] and {0, 1, 2} <= set(results[0][0])
    assert np.array_equal(results[0][1], results[1][1])
