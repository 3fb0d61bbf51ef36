"""Loading a codebook into a project: merge by path, --replace, key clashes, counts."""

from __future__ import annotations

import textwrap

import pytest

from qualcode.codebook import (
    Codebook,
    CodebookNode,
    apply_codebook,
    code_tree,
    codebook_from_project,
    load_codebook,
)
from qualcode.errors import CodebookFormatError
from qualcode.model import ParsedDocument, ParsedTurn

V1 = textwrap.dedent(
    """\
    codebook: Study
    themes:
      - name: Feedback
        key: f
        description: old text
        codes:
          - name: Timeliness
            key: t
          - name: Quality
      - name: Burden
        codes:
          - name: Cost
    """
)


def load_text(tmp_path, text, name="book.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_codebook(path)


def snapshot(project):
    return [(c.id, c.path, c.key, c.description, c.keywords) for c in project.codes.all()]


def add_doc(project, text="one two three four five six seven eight nine ten"):
    doc, _ = project.documents.add(
        ParsedDocument(name="d1", kind="interview", text=text, turns=[ParsedTurn("P", 0, len(text))])
    )
    return doc


def test_first_load_creates_everything_in_one_action(project, tmp_path):
    result = apply_codebook(project, load_text(tmp_path, V1))
    assert result.added == ["Feedback", "Feedback > Timeliness", "Feedback > Quality", "Burden", "Burden > Cost"]
    assert result.updated == result.unchanged == result.removed == []
    assert project.codes.resolve("Timeliness").key == "t"
    assert len(project.history.events()) == 1
    project.history.undo()
    assert project.codes.all() == []


def test_merge_by_path_keeps_ids_and_codings(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    doc = add_doc(project)
    timeliness = project.codes.resolve("Feedback > Timeliness")
    coding = project.codings.apply(doc.id, 0, 3, [timeliness.id])[0]
    before = {c.path: c.id for c in project.codes.all()}
    v2 = V1.replace("old text", "new text").replace(
        "      - name: Quality\n", "      - name: Quality\n        keywords: [vague]\n      - name: Tone\n"
    )
    result = apply_codebook(project, load_text(tmp_path, v2))
    assert result.added == ["Feedback > Tone"]
    assert result.updated == ["Feedback", "Feedback > Quality"]
    assert result.unchanged == ["Feedback > Timeliness", "Burden", "Burden > Cost"]
    after = {c.path: c.id for c in project.codes.all()}
    assert all(after[p] == i for p, i in before.items())
    assert project.codes.resolve("Feedback").description == "new text"
    assert project.codes.resolve("Quality").keywords == ("vague",)
    assert project.codings.get(coding.id).code_id == timeliness.id
    # fields the file does not set are left alone: this file has no keys at all
    apply_codebook(project, load_text(tmp_path, "themes:\n  - name: Feedback\n"))
    assert project.codes.resolve("Feedback").key == "f"


def test_case_only_difference_renames_in_place(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    old_id = project.codes.resolve("Cost").id
    result = apply_codebook(project, load_text(tmp_path, V1.replace("name: Cost", "name: cost")))
    assert result.updated == ["Burden > cost"] and result.added == []
    assert project.codes.resolve("Burden > cost").id == old_id
    assert project.codes.get(old_id).name == "cost"


def test_csv_without_fields_does_not_wipe(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    csv_book = load_text(tmp_path, "path\nFeedback > Timeliness\nNew > Leaf\n", name="b.csv")
    result = apply_codebook(project, csv_book)
    assert result.added == ["New", "New > Leaf"]
    assert project.codes.resolve("Timeliness").key == "t"
    assert project.codes.resolve("Feedback").description == "old text"


def test_replace_removes_only_uncoded(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    doc = add_doc(project)
    project.codings.apply(doc.id, 4, 7, ["Quality"])
    only_feedback = "themes:\n  - name: Feedback\n    codes:\n      - name: Timeliness\n"
    result = apply_codebook(project, load_text(tmp_path, only_feedback), replace=True)
    assert result.removed == ["Burden", "Burden > Cost"]
    assert result.kept == ["Feedback > Quality"]
    paths = [c.path for c in project.codes.all()]
    assert paths == ["Feedback", "Feedback > Timeliness", "Feedback > Quality"]
    # without replace nothing is removed
    apply_codebook(project, load_text(tmp_path, V1))
    result = apply_codebook(project, load_text(tmp_path, "themes:\n  - name: Feedback\n"))
    assert result.removed == [] and len(project.codes.all()) == 5


def test_replace_keeps_parents_of_coded_codes(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    doc = add_doc(project)
    project.codings.apply(doc.id, 0, 3, ["Burden > Cost"])
    result = apply_codebook(project, load_text(tmp_path, "themes:\n  - name: Other\n"), replace=True)
    assert result.removed == ["Feedback", "Feedback > Timeliness", "Feedback > Quality"]
    assert result.kept == ["Burden", "Burden > Cost"]
    assert [c.path for c in project.codes.all()] == ["Burden", "Burden > Cost", "Other"]


def test_key_clash_with_existing_code_changes_nothing(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    project.codes.add("Elsewhere", key="x")
    before = snapshot(project)
    events = len(project.history.events())
    clash = V1.replace("key: t", "key: x").replace("old text", "changed")
    with pytest.raises(CodebookFormatError) as info:
        apply_codebook(project, load_text(tmp_path, clash))
    assert "'x'" in info.value.message and "Elsewhere" in info.value.message
    assert info.value.where.endswith("book.yaml:7")
    assert snapshot(project) == before
    assert len(project.history.events()) == events


def test_keys_can_be_swapped_and_moved(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    swapped = V1.replace("key: f", "key: T").replace("key: t", "key: f").replace("key: T", "key: t")
    apply_codebook(project, load_text(tmp_path, swapped))
    assert project.codes.resolve("Feedback").key == "t"
    assert project.codes.resolve("Timeliness").key == "f"
    # a new code may take a key an existing code gives up (key: "") in the same file
    moved = swapped.replace("\n        key: f\n", '\n        key: ""\n') + "      - name: Fresh\n        key: f\n"
    assert "key: f" not in moved.split("Fresh")[0]
    result = apply_codebook(project, load_text(tmp_path, moved))
    assert result.added == ["Burden > Fresh"]
    assert project.codes.by_key("f").path == "Burden > Fresh"
    assert project.codes.resolve("Timeliness").key is None
    # leaving the key out (rather than clearing it) keeps the existing key, so this clashes
    clash = moved.replace("\n    key: t\n", "\n").replace("name: Fresh\n        key: f", "name: Fresh\n        key: t")
    assert clash.count("key: t") == 1
    with pytest.raises(CodebookFormatError, match="'Feedback' and 'Burden > Fresh'|'Burden > Fresh' and 'Feedback'"):
        apply_codebook(project, load_text(tmp_path, clash))


def test_invalid_tree_built_in_code_is_refused(project):
    book = Codebook("x", nodes=[CodebookNode("A"), CodebookNode("a")])
    with pytest.raises(CodebookFormatError, match="duplicate"):
        apply_codebook(project, book)
    assert project.codes.all() == []


def test_codebook_from_project_round_trip(project, tmp_path):
    book = load_text(tmp_path, V1)
    apply_codebook(project, book)
    back = codebook_from_project(project)
    assert back.nodes == book.nodes
    result = apply_codebook(project, back)
    assert result.added == result.updated == [] and len(result.unchanged) == 5


def test_code_tree_counts(project, tmp_path):
    apply_codebook(project, load_text(tmp_path, V1))
    doc = add_doc(project)
    doc2, _ = project.documents.add(
        ParsedDocument(name="d2", kind="interview", text="alpha beta gamma", turns=[ParsedTurn("P", 0, 16)])
    )
    from qualcode.store import NewCoding

    fb, tim, qual = (project.codes.resolve(p).id for p in ("Feedback", "Timeliness", "Quality"))
    project.codings.apply(doc.id, 0, 3, [fb])
    project.codings.apply(doc.id, 4, 7, [tim])
    project.codings.apply(doc2.id, 0, 5, [tim])
    ids = project.codings.add_many(
        [NewCoding(qual, doc.id, 8, 13, origin="auto"), NewCoding(qual, doc.id, 14, 18, origin="auto")]
    )
    project.codings.set_status([ids[1]], "rejected")
    tree = {n.code.name: n for n in code_tree(project)}
    feedback = tree["Feedback"]
    kids = {c.code.name: c for c in feedback.children}
    # Hand counts: Feedback 1 own; Timeliness 2 (two documents); Quality 1 pending, 1 rejected (not counted).
    assert (feedback.codings, feedback.codings_total) == (1, 4)
    assert (kids["Timeliness"].codings, kids["Timeliness"].documents) == (2, 2)
    assert (kids["Quality"].codings, kids["Quality"].pending) == (1, 1)
    assert (feedback.documents, feedback.documents_total) == (1, 2)
    assert tree["Burden"].codings_total == 0
    data = feedback.to_json()
    assert data["children"][0]["path"] == "Feedback > Timeliness"
