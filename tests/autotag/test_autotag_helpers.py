"""Builders shared by the auto-tagging tests, and tests of unit coverage."""

from __future__ import annotations


def test_covers_and_unit_codes(project, build_autotag) -> None:  # noqa: ANN001
    from qualcode.autotag.units import build_units, covers, unit_codes
    from qualcode.store.autotag import SpanKey

    assert covers(0, 10, 0, 10) and covers(0, 10, 4, 6)  # a coding inside the unit
    assert covers(0, 10, 5, 40)  # half the unit
    assert not covers(0, 10, 6, 40) and not covers(0, 10, 10, 20)
    turns = build_autotag(project, n_docs=2, coded_docs=0)
    units = build_units(project, "turn")
    assert [(u.document_id, u.start, u.end) for u in units] == [(d, s, e) for d, s, e, _ in turns]
    d, s, e, _ = turns[3]
    labels = unit_codes(units, [SpanKey(7, d, s, e), SpanKey(8, d, s + 1, s + 2)])
    assert labels[3] == {7, 8} and sum(map(len, labels)) == 2
    sentences = build_units(project, "sentence")
    assert len(sentences) >= len(units) and all(u.text.strip() for u in sentences)
    assert len(build_units(project, "turn", include_interviewer=True)) == 2 * len(units)
