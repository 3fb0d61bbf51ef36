"""The codebook tree: paths, names, keys, rename/move/merge/delete with undo."""

from __future__ import annotations

import pytest

from qualcode.errors import AmbiguousNameError, NotFoundError, ValidationError


def test_paths_and_resolution(project):
    project.codes.ensure_path("Burden > Cost")
    project.codes.ensure_path("Feedback > Cost")
    assert [c.path for c in project.codes.all()] == ["Burden", "Burden > Cost", "Feedback", "Feedback > Cost"]
    with pytest.raises(AmbiguousNameError):
        project.codes.resolve("Cost")
    assert project.codes.resolve("feedback>cost").path == "Feedback > Cost"
    with pytest.raises(NotFoundError):
        project.codes.resolve("Nope")


def test_keys_are_unique_single_characters(project):
    project.codes.add("A", key="1")
    with pytest.raises(ValidationError):
        project.codes.add("B", key="1")
    with pytest.raises(ValidationError):
        project.codes.add("C", key="12")
    assert project.codes.by_key("1").name == "A"


def test_move_refuses_cycles_and_sibling_clash(project):
    project.codes.ensure_path("A > B > C")
    with pytest.raises(ValidationError):
        project.codes.move("A", "C")
    project.codes.add("C")
    with pytest.raises(ValidationError):
        project.codes.move("A > B > C", None)
    moved = project.codes.move("A > B", None)
    assert moved.path == "B"


def test_merge_moves_codings_drops_duplicates_and_undo_restores(project, transcript):
    doc, _ = project.documents.add(transcript("d", [("Ana", "late feedback and high cost")]))
    project.codes.add("Late")
    project.codes.add("Slow")
    project.codes.ensure_path("Slow > Weeks")
    project.codings.apply("d", 5, 9, ["Late", "Slow"])  # same span in both codes
    project.codings.apply("d", 10, 18, ["Late"])
    merged = project.codes.merge("Late", "Slow")
    spans = sorted((c.start, c.end) for c in project.codings.for_code(merged.id))
    assert spans == [(5, 9), (10, 18)]  # the duplicate 5-9 is kept once
    with pytest.raises(NotFoundError):
        project.codes.resolve("Late")
    project.history.undo()
    late = project.codes.resolve("Late")
    assert sorted((c.start, c.end) for c in project.codings.for_code(late.id)) == [(5, 9), (10, 18)]
    assert len(project.codings.for_code(project.codes.resolve("Slow").id)) == 1


def test_delete_refuses_codes_in_use(project, transcript):
    project.documents.add(transcript("d", [("Ana", "words here")]))
    project.codes.ensure_path("T > C")
    project.codings.apply("d", 5, 10, ["C"])
    with pytest.raises(ValidationError):
        project.codes.delete("T")
    with pytest.raises(ValidationError):
        project.codes.delete("C")
    project.codes.add("Unused")
    project.codes.delete("Unused")
    assert project.codes.find_path("Unused") is None


def test_rename_and_update_fields(project):
    project.codes.add("Old", description="d")
    code = project.codes.rename("Old", "New")
    assert code.name == "New" and code.description == "d"
    code = project.codes.update("New", keywords=["late", "weeks"], colour="#112233")
    assert code.keywords == ("late", "weeks") and code.colour == "#112233"
    with pytest.raises(ValidationError):
        project.codes.update("New", nonsense=1)
