"""Human wording for report tables, sentences and quote attributions.

Why a module of its own: the analysis tables name their columns for scripts
(``org_size=SME: participants_percent``); a report for a policy team must say
"SME n (%)" and "Raised by 7 of 22 SME participants (31.8%)". Every renderer
(Markdown, HTML, DOCX) and every chart takes its wording from here, so the
three formats and the figures always say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MISSING_GROUP = "(missing)"


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """One group of an analysis table (``frame.attrs["groups"]``) in human terms."""

    label: str  # the column prefix in the analysis table, e.g. "org_size=SME"
    attrs: tuple[str, ...]
    values: tuple[str, ...]
    base: int

    @property
    def name(self) -> str:
        """The group's values only: ``SME`` or ``SME & London``."""
        return " & ".join(self.values)

    @property
    def about(self) -> str:
        """The attributes split by, in words: ``org size`` or ``org size and region``."""
        return " and ".join(humanise(a) for a in self.attrs)

    def people(self) -> str:
        """Who the group is, as a noun phrase: ``SME participants``, ``participants with no org size``."""
        if MISSING_GROUP in self.values:
            return f"participants with no {self.about}"
        return f"{self.name} participants"


def groups_of(attrs: Mapping[str, Any], *, single_only: bool = False) -> list[GroupInfo]:
    """The groups of a table, largest base first (the missing group last), attribute by attribute."""
    found = [
        GroupInfo(g["label"], tuple(g["attrs"]), tuple(g["values"]), int(g["base"])) for g in attrs.get("groups", [])
    ]
    if single_only:
        found = [g for g in found if len(g.attrs) == 1]
    order = {a: i for i, a in enumerate(dict.fromkeys(g.attrs for g in found))}
    return sorted(found, key=lambda g: (order[g.attrs], MISSING_GROUP in g.values, -g.base, g.name.casefold()))


def humanise(name: str) -> str:
    """A column or attribute name for people: underscores and hyphens to spaces."""
    text = re.sub(r"[_]+", " ", str(name)).strip()
    return text or str(name)


def capitalise(text: str) -> str:
    """First letter upper case, the rest untouched (``SME`` stays ``SME``)."""
    return text[:1].upper() + text[1:]


def is_number(value: Any) -> bool:
    """A real number that is not NaN (None, NaN and pandas' NA are not)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return number == number


def pct(value: Any, *, sign: bool = False) -> str:
    """A percentage to one decimal (``31.8`` or ``31.8%``); empty when unknown."""
    if not is_number(value):
        return ""
    return f"{float(value):.1f}" + ("%" if sign else "")


def count(value: Any) -> str:
    """An integer count as text; empty when unknown."""
    return str(int(float(value))) if is_number(value) else ""


def n_pct(n: Any, percent: Any) -> str:
    """``7 (31.8%)``, or just ``7`` when the percentage is unknown (empty base)."""
    share = pct(percent, sign=True)
    return f"{count(n)} ({share})" if share else count(n)


def share_phrase(n: Any, base: Any, percent: Any, who: str) -> str:
    """``7 of 22 SME participants (31.8%)``."""
    share = pct(percent, sign=True)
    return f"{count(n)} of {count(base)} {who}" + (f" ({share})" if share else "")


def join_words(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def counts_sentence(row: Mapping[str, Any], base: int) -> str:
    """The one sentence report writers paste: who raised a code, where, how often."""
    docs = count(row.get("documents"))
    codings = count(row.get("codings"))
    where = f" in {docs} document{'s' if docs != '1' else ''}" if docs else ""
    times = f" ({codings} coding{'s' if codings != '1' else ''})" if codings else ""
    return (
        f"Raised by {share_phrase(row.get('participants'), base, row.get('participants_percent'), 'participants')}"
        f"{where}{times}."
    )


def group_sentences(row: Mapping[str, Any], groups: list[GroupInfo]) -> list[str]:
    """One sentence per attribute (or pair of attributes) split by, groups largest first."""
    by_about: dict[tuple[str, ...], list[GroupInfo]] = {}
    for group in groups:
        by_about.setdefault(group.attrs, []).append(group)
    sentences = []
    for members in by_about.values():
        parts = [
            share_phrase(
                row.get(f"{g.label}: participants"), g.base, row.get(f"{g.label}: participants_percent"), g.people()
            )
            for g in members
        ]
        sentences.append(f"By {members[0].about}: {join_words(parts)}.")
    return sentences


def item_label(item: Any) -> str:
    """A Likert item (a column name) for people: ``q1_feedback_robust`` → ``q1 feedback robust``."""
    return humanise(str(item))


def quote_attributes(quotes: Iterable[Any], by: list[str], *, extra: int = 1, exclude: Iterable[str] = ()) -> list[str]:
    """Which participant attributes a quote's attribution shows.

    The ``--by`` attributes first (the reader is comparing those groups),
    then ``extra`` more chosen from the quoted participants: the attribute
    most of them have, among those with few distinct, short values (a sector,
    a region; not a job title or a free-text answer).
    """
    chosen = list(by)
    skip = set(chosen) | set(exclude)
    seen: dict[str, list[str]] = {}
    people: dict[str, dict[str, str]] = {}
    for q in quotes:
        people[q.participant or f"#{id(q)}"] = dict(q.attributes)
    for attributes in people.values():
        for name, value in attributes.items():
            if name not in skip and value:
                seen.setdefault(name, []).append(str(value))
    candidates = []
    for name, values in seen.items():
        distinct = set(values)
        short = sum(len(v) for v in values) / len(values) <= 20
        if short and 1 < len(distinct) <= max(6, len(people) // 2):
            candidates.append((-len(values), len(distinct), name))
    chosen += [name for *_, name in sorted(candidates)[:extra]]
    return chosen


def quote_source(quote: Any, attributes: list[str], turn: int | None = None) -> str:
    """``Tomas, SME, cybersecurity · interview_03_sme_cybersecurity, turn 12``."""
    who = [quote.participant or (quote.speaker or "unattributed")]
    who += [str(quote.attributes[a]) for a in attributes if quote.attributes.get(a)]
    where = quote.document + (f", turn {turn}" if turn else "")
    return ", ".join(who) + " · " + where


def slug(text: str, used: set[str]) -> str:
    """An HTML id for a heading, unique within the report."""
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "section"
    candidate, i = base, 2
    while candidate in used:
        candidate, i = f"{base}-{i}", i + 1
    used.add(candidate)
    return candidate
