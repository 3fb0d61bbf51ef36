"""Small builders shared by tests (not fixtures, so tests read explicitly)."""

from __future__ import annotations

from qualcode.model import ParsedDocument, ParsedTurn


def transcript(name: str, turns: list[tuple[str, str]], *, interviewer: str = "Interviewer",
               kind: str = "interview", participants: dict[str, dict[str, str]] | None = None) -> ParsedDocument:
    """A ParsedDocument rendered as ``Speaker: text`` paragraphs.

    Speakers other than ``interviewer`` become participants of the same name.
    """
    text_parts: list[str] = []
    parsed: list[ParsedTurn] = []
    pos = 0
    for speaker, said in turns:
        label = f"{speaker}: "
        start = pos + len(label)
        text_parts.append(label + said)
        role = "interviewer" if speaker == interviewer else "participant"
        parsed.append(ParsedTurn(speaker, start, start + len(said), role=role,
                                 participant=None if role == "interviewer" else speaker))
        pos += len(label) + len(said) + 2
    return ParsedDocument(name=name, kind=kind, text="\n\n".join(text_parts), turns=parsed,
                          participants=participants or {}, sha256=name)
