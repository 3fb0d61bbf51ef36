"""Codings applied from an accepted theme go through the same review queue."""

from __future__ import annotations

import pytest

from qualcode.autotag import accept as accept_codings
from qualcode.autotag import reject as reject_codings
from qualcode.autotag import review_queue
from qualcode.errors import ValidationError
from qualcode.themes import SuggestParams, accept, suggest


def test_suggested_codings_are_reviewable_and_human_ones_are_not(project, build_themes):
    build_themes(project)
    srun = suggest(project, SuggestParams(guided=False, seed=3))
    topic = srun.topics[0]
    result = accept(project, srun.id, topic.topic, "From themes", apply=True)
    queue = review_queue(project)
    assert {item.id for item in queue} >= set(result.coding_ids)
    first, second = result.coding_ids[:2]
    accept_codings(project, [first])
    reject_codings(project, [second])
    assert project.codings.get(first).status == "confirmed"
    assert project.codings.get(second).status == "rejected"
    assert project.codings.get(first).origin == "suggested"  # provenance kept
    doc = project.documents.all()[0]
    turn = [t for t in project.documents.turns(doc.id) if t.role == "participant"][0]
    (human,) = project.codings.apply(doc.id, turn.start, turn.end, ["From themes"])
    with pytest.raises(ValidationError):
        accept_codings(project, [human.id])
