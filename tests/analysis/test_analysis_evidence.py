"""Evidence tables: counts equal the frequency table, quotes are representative (not longest),
attribution is complete, pseudonymisation replaces names."""

from __future__ import annotations

from qualcode.analysis import evidence, evidence_records, frequencies
from qualcode.model import ParsedDocument
from qualcode.store import NewCoding


def test_counts_and_attribution_match_the_fixture(project, build_study):
    s = build_study(project)
    ev = evidence(project, by=["org_size"], quotes=3)
    freq = frequencies(project, by=["org_size"])
    for col in ("codings", "documents", "participants", "org_size=SME: participants_percent"):
        assert list(ev[col]) == list(freq[col])
    cost = ev[ev["path"] == "Barriers > Cost"].iloc[0]
    assert cost["definition"] == "About cost."
    quotes = cost["quotes"]
    # Cost has 4 counted codings by Alice (2), Carol, Dan: 3 quotes, one per participant first.
    assert len(quotes) == 3
    assert sorted(q.participant for q in quotes) == ["Alice", "Carol", "Dan"]
    dan = next(q for q in quotes if q.participant == "Dan")
    assert (dan.text, dan.document, dan.speaker) == ("the price of compliance", "Interview 3", "R")
    assert (dan.start, dan.end) == (
        s.texts["Interview 3"].index("the price"),
        s.texts["Interview 3"].index("the price") + len("the price of compliance"),
    )
    assert dan.attributes == {"org_size": "multinational", "region": "South"}
    # Never a quote from a rejected (c7) or interviewer (c4) coding.
    support = ev[ev["path"] == "Enablers > Support"].iloc[0]["quotes"]
    assert [q.text for q in support] == ["The council helped us with a mentor."]
    rec = next(r for r in evidence_records(ev) if r["path"] == "Barriers > Cost")
    assert set(rec["quotes"][0]) >= {"text", "document", "participant", "start", "end"}
    assert rec["by"]["org_size"]["multinational"]["participants"] == 2


def test_quotes_are_chosen_by_representativeness_not_length(project):
    texts = {
        "P1": "The bid cost and the price of bidding are too high for us.",
        "P2": "Bidding cost us money: the price of each bid is high.",
        "P3": "High cost, high price, every bid drains money.",
        "P4": (
            "Honestly the weather in the north was terrible that winter and the car park at the council "
            "offices was flooded so nobody could get to the meeting about anything at all, which is a long "
            "story with many words and no relation to money."
        ),
    }
    code = project.codes.add("Cost")
    items = []
    for name, text in texts.items():
        doc, _ = project.documents.add(ParsedDocument(name=f"doc {name}", kind="survey", text=text, participant=name))
        items.append(NewCoding(code.id, doc.id, 0, len(text), coder="t"))
    project.codings.add_many(items)
    quotes = evidence(project, quotes=2).iloc[0]["quotes"]
    chosen = {q.participant for q in quotes}
    assert len(quotes) == 2
    assert "P4" not in chosen  # the longest answer is off-topic, hence far from the centroid
    assert quotes[0].score >= quotes[1].score > 0


def test_pseudonymise_names_in_text_and_attribution(project, build_study):
    s = build_study(project)
    text = s.texts["Interview 1"]
    # Code a participant turn that mentions Bob by name.
    doc, _ = project.documents.add(
        ParsedDocument(
            name="Note by Carol", kind="other", text="Bob said the cost was high; Carol agreed.", participant="Carol"
        )
    )
    project.codings.add_many([NewCoding(s.codes["Other"], doc.id, 0, len(doc.text), coder="t")])
    ev = evidence(project, quotes=3, pseudonymise=True)
    other = ev[ev["path"] == "Other"].iloc[0]["quotes"]
    # Participants were created Alice, Bob, Carol, Dan, Eve, Frank -> P01 … P06.
    assert [q.text for q in other] == ["P02 said the cost was high; P03 agreed."]
    assert other[0].participant == "P03" and other[0].document == "Note by P03"
    cost = ev[ev["path"] == "Barriers > Cost"].iloc[0]["quotes"]
    assert {q.participant for q in cost} == {"P01", "P03", "P04"}
    assert all("Alice" not in q.text and q.speaker != "Alice" for q in cost)
    assert text  # the fixture text itself is untouched
    assert ev.attrs["pseudonymised"] is True
