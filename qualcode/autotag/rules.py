"""Keyword rules from the codebook, matched with spaCy.

Why spaCy's matchers rather than ``str.find``: ``PhraseMatcher`` matches
whole tokens (``late feedback`` does not fire inside ``chocolate
feedbacks``), runs in C over thousands of units, and, over lemmas, lets a
keyword ``late feedback`` also catch "feedback came late"-style inflections
such as "late feedbacks". ``Matcher`` covers wildcards.

Keyword syntax (``codes.keywords``, one entry per keyword):

- ``late feedback``: a phrase, matched case-insensitively on whole tokens
  (confidence 1.0, rule ``kw:late feedback``), and on lemmas (confidence 0.9,
  rule ``lemma:late feedback``).
- ``/dead ?lines?/``: a regular expression (Python syntax, case-insensitive,
  searched anywhere in the unit), confidence 1.0, rule ``re:dead ?lines?``.
- ``feedback*`` or ``late * feedback``: wildcards; ``word*`` is a token
  prefix, a lone ``*`` any one token (confidence 0.8, rule ``wc:...``).
- ``-term`` or ``!term``: an exclusion; a unit matching it (with any of the
  forms above) gets no rule coding for this code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError

if TYPE_CHECKING:
    from qualcode.model import Code

CONFIDENCE = {"phrase": 1.0, "regex": 1.0, "lemma": 0.9, "wildcard": 0.8}
_PREFIX = {"phrase": "kw", "regex": "re", "lemma": "lemma", "wildcard": "wc"}


@dataclass(frozen=True, slots=True)
class Keyword:
    """One parsed codebook keyword."""

    kind: str  # phrase | regex | wildcard
    text: str
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule firing on a unit: the best (most confident) rule per unit and code."""

    unit: int
    code_id: int
    rule: str
    confidence: float


def parse_keyword(raw: str) -> Keyword | None:
    """Parse one keyword string; ``None`` for an empty one.

    Raises:
        ValidationError: a ``/regex/`` that does not compile.
    """
    text = raw.strip()
    exclude = False
    if text[:1] in ("-", "!") and len(text) > 1:
        exclude, text = True, text[1:].strip()
    if not text:
        return None
    if len(text) > 2 and text.startswith("/") and text.endswith("/"):
        pattern = text[1:-1]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValidationError(f"keyword {raw!r}: bad regular expression: {exc}") from None
        return Keyword("regex", pattern, exclude)
    if "*" in text:
        return Keyword("wildcard", text, exclude)
    return Keyword("phrase", text, exclude)


def rule_id(kind: str, text: str) -> str:
    """The id recorded on a coding, e.g. ``kw:late feedback``."""
    return f"{_PREFIX[kind]}:{text}"


class RuleMatcher:
    """Every code's keywords compiled once, matched over many units."""

    def __init__(self, codes: Sequence["Code"], *, names_as_keywords: bool = False) -> None:
        """Compile the codebook's keywords.

        Args:
            codes: the codes to match (codes without keywords never fire).
            names_as_keywords: use a code's own name as a phrase when it has
                no keywords (the evaluation's keyword baseline does this).
        """
        from spacy.matcher import Matcher, PhraseMatcher

        from qualcode.text import get_nlp

        self.nlp = get_nlp()
        vocab = self.nlp.vocab
        self._orth = PhraseMatcher(vocab, attr="ORTH")  # on lower-cased text == LOWER
        # NORM carries our lemma (see _lemmatise): the lookup lemmatizer is
        # context-free and not idempotent ("meetings" -> "meeting" -> "meet"),
        # so texts and patterns are both lemmatised to a fixpoint.
        self._lemma = PhraseMatcher(vocab, attr="NORM")
        self._table = self._lookup_table()
        self._wild = Matcher(vocab)
        self._regex: list[tuple[str, re.Pattern[str]]] = []
        self._labels: dict[str, tuple[int, str, str, bool]] = {}  # label -> code, kind, text, exclude
        self.code_ids: list[int] = []
        for code in codes:
            keywords = [k for k in (parse_keyword(w) for w in code.keywords) if k is not None]
            if not keywords and names_as_keywords:
                keywords = [Keyword("phrase", code.name)]
            if not any(not k.exclude for k in keywords):
                continue
            self.code_ids.append(code.id)
            for n, kw in enumerate(keywords):
                label = f"{code.id}|{n}"
                if kw.kind == "regex":
                    self._regex.append((label, re.compile(kw.text, re.IGNORECASE)))
                    self._labels[label] = (code.id, "regex", kw.text, kw.exclude)
                elif kw.kind == "wildcard":
                    self._wild.add(label, [self._wild_pattern(kw.text)])
                    self._labels[label] = (code.id, "wildcard", kw.text, kw.exclude)
                else:
                    lowered = kw.text.lower()
                    self._orth.add(label, [self.nlp.make_doc(lowered)])
                    self._lemma.add(label + "|L", [self._lemmatise(self.nlp.make_doc(lowered))])
                    self._labels[label] = (code.id, "phrase", kw.text, kw.exclude)
                    self._labels[label + "|L"] = (code.id, "lemma", kw.text, kw.exclude)

    def _lookup_table(self) -> dict[str, str]:
        try:
            table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        except Exception:  # pragma: no cover - spacy-lookups-data missing
            return {}
        return dict(table.items()) if not isinstance(table, dict) else table

    def _lemma_of(self, word: str) -> str:
        first = self._table.get(word, word)
        return self._table.get(first, first)

    def _lemmatise(self, doc):  # noqa: ANN001, ANN202 - spaCy Doc, imported lazily
        for tok in doc:
            tok.norm_ = self._lemma_of(tok.text)
        return doc

    def _wild_pattern(self, text: str) -> list[dict[str, object]]:
        pattern: list[dict[str, object]] = []
        for word in text.lower().split():
            if word == "*":
                pattern.append({})
            elif word.endswith("*"):
                pattern.append({"LOWER": {"REGEX": "^" + re.escape(word.rstrip("*"))}})
            else:
                pattern.extend({"LOWER": tok.text} for tok in self.nlp.make_doc(word))
        return pattern

    def match(self, texts: Sequence[str]) -> list[RuleHit]:
        """The best rule hit per (unit, code), exclusions applied."""
        if not self.code_ids:
            return []
        vocab = self.nlp.vocab
        best: dict[tuple[int, int], RuleHit] = {}
        excluded: set[tuple[int, int]] = set()

        def note(unit: int, label: str) -> None:
            code_id, kind, text, exclude = self._labels[label]
            key = (unit, code_id)
            if exclude:
                excluded.add(key)
                return
            hit = RuleHit(unit, code_id, rule_id(kind, text), CONFIDENCE[kind])
            old = best.get(key)
            if old is None or hit.confidence > old.confidence:
                best[key] = hit

        for unit, text in enumerate(texts):
            doc = self.nlp.make_doc(text.lower())
            for match_id, _, _ in self._orth(doc):
                note(unit, vocab.strings[match_id])
            for match_id, _, _ in self._lemma(self._lemmatise(doc)):
                note(unit, vocab.strings[match_id])
            if len(self._wild):
                for match_id, _, _ in self._wild(doc):
                    note(unit, vocab.strings[match_id])
        for unit, text in enumerate(texts):
            for label, rx in self._regex:
                if rx.search(text):
                    note(unit, label)
        return [hit for key, hit in sorted(best.items()) if key not in excluded]


def check_keywords(codes: Sequence["Code"]) -> None:
    """Parse every keyword so a bad regex fails before any work is done."""
    for code in codes:
        for kw in code.keywords:
            try:
                parse_keyword(kw)
            except ValidationError as exc:
                raise ValidationError(f"code {code.path}: {exc.message}") from None
