"""The parts of a REFI-QDA ``project.qde`` that qualcode can use, as plain records.

Why a parse step apart from the import: reading the XML (lenient about what
tools vary: GUIDs in any case or in braces, ``Project.qde`` capitalised,
missing optional attributes) is separate from deciding what to store, so the
parsed project can be counted and checked in tests without a database, and
the import can refuse a broken file before it touches the project.

What is read: users, the codebook (through :mod:`qualcode.codebook.qdc`, the
``Codes`` element being the same in both schemas), text sources with their
plain-text selections and codings, notes and where they are referenced,
cases with their variable values. What is not (picture, PDF, audio and video
sources, sets, links, graphs) is counted in :attr:`QdeProject.left_out` so the
import can say what it discarded, as the standard's section 7 asks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qualcode.codebook.qdc import codebook_from_xml
from qualcode.codebook.tree import Codebook, check_name
from qualcode.errors import ImportFormatError

NS = "urn:QDA-XML:project:1.0"
#: Source kinds other than TextSource: skipped on import, reported as warnings.
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_OTHER_PARTS = ("Sets", "Links", "Graphs")


def norm_guid(value: str | None) -> str:
    """A GUID in one spelling (lower case, no braces), so references match."""
    return (value or "").strip().strip("{}").lower()


def local(tag: object) -> str:
    """An element's name without its namespace (comments have no string tag)."""
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c.tag) == name]


def _text_of(elem: Any, name: str) -> str:
    found = _kids(elem, name)
    return (found[0].text or "") if found else ""


def _refs(elem: Any, name: str = "NoteRef") -> list[str]:
    return [norm_guid(r.get("targetGUID")) for r in _kids(elem, name) if r.get("targetGUID")]


@dataclass
class QdeCoding:
    """A ``<Coding>``: a code applied to the selection (or source) it sits in."""

    guid: str
    code: str
    user: str
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class QdeSelection:
    """A ``<PlainTextSelection>``: code points ``start``..``end`` (end exclusive, Annex A)."""

    guid: str
    name: str
    start: int | None
    end: int | None
    user: str
    created: str | None
    description: str
    codings: list[QdeCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class QdeTextSource:
    """A ``<TextSource>``: its text is inline (``PlainTextContent``) or in ``plainTextPath``."""

    guid: str
    name: str
    content: str | None
    text_path: str | None
    user: str
    created: str | None
    description: str
    selections: list[QdeSelection] = field(default_factory=list)
    codings: list[QdeCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass
class QdeNote:
    """A ``<Note>`` (the standard's memo): a title, a description and text."""

    guid: str
    name: str
    description: str
    content: str | None
    text_path: str | None
    user: str
    created: str | None
    #: Spans of the note's own ``PlainTextSelection`` children: where a
    #: QualCoder annotation sits in the source that references the note.
    anchors: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class QdeCase:
    """A ``<Case>``: a participant, its variable values and its sources."""

    guid: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class QdeProject:
    """Everything qualcode reads from one ``project.qde``.

    ``users`` maps user GUID to name; ``code_paths`` maps code GUID to its
    path in :attr:`codebook`; ``code_notes`` maps code path to note GUIDs.
    ``counts`` holds element counts (``TextSource``, ``PlainTextSelection``,
    ``Coding``, ``Code`` …) over the whole file, including parts not imported.
    """

    name: str
    origin: str
    users: dict[str, str]
    codebook: Codebook
    code_paths: dict[str, str]
    code_notes: dict[str, list[str]]
    sources: list[QdeTextSource]
    notes: dict[str, QdeNote]
    project_notes: list[str]
    cases: list[QdeCase]
    default_user: str
    counts: Counter[str]
    left_out: Counter[str]
    description: str = ""


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _coding(elem: Any, fallback_user: str) -> QdeCoding | None:
    refs = _refs(elem, "CodeRef")
    if not refs:
        return None
    return QdeCoding(
        guid=norm_guid(elem.get("guid")),
        code=refs[0],
        user=norm_guid(elem.get("creatingUser")) or fallback_user,
        created=elem.get("creationDateTime"),
        notes=_refs(elem),
    )


def _variable_values(elem: Any, variables: dict[str, str]) -> dict[str, str]:
    """``<VariableValue>`` children as ``{variable name: value as text}``."""
    out: dict[str, str] = {}
    for value in _kids(elem, "VariableValue"):
        refs = _refs(value, "VariableRef")
        if not refs:
            continue
        name = variables.get(refs[0], refs[0])
        typed = [c for c in value if local(c.tag).endswith("Value")]
        out[name] = (typed[0].text or "").strip() if typed else ""
    return out


def _text_source(elem: Any, default_user: str, variables: dict[str, str]) -> QdeTextSource:
    user = norm_guid(elem.get("creatingUser")) or default_user
    content = [c for c in elem if local(c.tag) == "PlainTextContent"]
    source = QdeTextSource(
        guid=norm_guid(elem.get("guid")),
        name=(elem.get("name") or "").strip(),
        content=(content[0].text or "") if content else None,
        text_path=elem.get("plainTextPath"),
        user=user,
        created=elem.get("creationDateTime"),
        description=_text_of(elem, "Description"),
        notes=_refs(elem),
        variables=_variable_values(elem, variables),
        line=elem.sourceline or 0,
    )
    for sel in _kids(elem, "PlainTextSelection"):
        sel_user = norm_guid(sel.get("creatingUser")) or user
        selection = QdeSelection(
            guid=norm_guid(sel.get("guid")),
            name=sel.get("name") or "",
            start=_int(sel.get("startPosition")),
            end=_int(sel.get("endPosition")),
            user=sel_user,
            created=sel.get("creationDateTime"),
            description=_text_of(sel, "Description"),
            notes=_refs(sel),
            line=sel.sourceline or 0,
        )
        selection.codings = [c for c in (_coding(k, sel_user) for k in _kids(sel, "Coding")) if c]
        source.selections.append(selection)
    source.codings = [c for c in (_coding(k, user) for k in _kids(elem, "Coding")) if c]
    return source


def _code_guids(codes: Any, prefix: str, paths: dict[str, str], notes: dict[str, list[str]], where: str) -> None:
    """GUID → path for a ``<Codes>``/``<Code>`` subtree, named as the codebook reader names them."""
    for code in _kids(codes, "Code"):
        name = check_name(code.get("name") or "", f"{where}:{code.sourceline}")
        path = f"{prefix} > {name}" if prefix else name
        paths[norm_guid(code.get("guid"))] = path
        if _refs(code):
            notes[path] = _refs(code)
        _code_guids(code, path, paths, notes, where)


def parse_qde(data: bytes, where: str) -> QdeProject:
    """Parse a ``project.qde``.

    Raises:
        ImportFormatError: invalid XML, or the root is not a REFI-QDA ``<Project>``.
        CodebookFormatError: the codebook is malformed (a code without a name, twins).
    """
    from qualcode.exchange.archive import parse_xml

    root = parse_xml(data, where)
    if local(root.tag) != "Project":
        raise ImportFormatError(
            f"not a REFI-QDA project: root element is <{local(root.tag)}>, expected <Project>",
            where=f"{where}:{root.sourceline}",
        )
    counts: Counter[str] = Counter(local(e.tag) for e in root.iter() if local(e.tag))
    users = {
        norm_guid(u.get("guid")): (u.get("name") or u.get("id") or "").strip()
        for users in _kids(root, "Users")
        for u in _kids(users, "User")
    }
    default_user = norm_guid(root.get("creatingUserGUID"))
    codebook = Codebook(name=root.get("name") or "")
    code_paths: dict[str, str] = {}
    code_notes: dict[str, list[str]] = {}
    books = _kids(root, "CodeBook")
    if books and any(_kids(c, "Code") for c in _kids(books[0], "Codes")):
        codebook = codebook_from_xml(data, where)
        for codes in _kids(books[0], "Codes"):
            _code_guids(codes, "", code_paths, code_notes, where)
    variables = {
        norm_guid(v.get("guid")): (v.get("name") or "").strip()
        for block in _kids(root, "Variables")
        for v in _kids(block, "Variable")
    }
    sources: list[QdeTextSource] = []
    left_out: Counter[str] = Counter()
    described = sum(
        1 for block in _kids(root, "Variables") for v in _kids(block, "Variable") if _text_of(v, "Description").strip()
    )
    if described:
        left_out["Variable Description"] = described
    for block in _kids(root, "Sources"):
        for elem in block:
            kind = local(elem.tag)
            if kind == "TextSource":
                sources.append(_text_source(elem, default_user, variables))
            elif kind:
                left_out[kind] += 1
    notes: dict[str, QdeNote] = {}
    for block in _kids(root, "Notes"):
        for elem in _kids(block, "Note"):
            content = [c for c in elem if local(c.tag) == "PlainTextContent"]
            note = QdeNote(
                guid=norm_guid(elem.get("guid")),
                name=(elem.get("name") or "").strip(),
                description=_text_of(elem, "Description"),
                content=(content[0].text or "") if content else None,
                text_path=elem.get("plainTextPath"),
                user=norm_guid(elem.get("creatingUser")) or default_user,
                created=elem.get("creationDateTime"),
                anchors=[
                    (start, end)
                    for sel in _kids(elem, "PlainTextSelection")
                    for start, end in [(_int(sel.get("startPosition")), _int(sel.get("endPosition")))]
                    if start is not None and end is not None
                ],
            )
            notes[note.guid] = note
    cases: list[QdeCase] = []
    for block in _kids(root, "Cases"):
        for elem in _kids(block, "Case"):
            for ref in ("CodeRef", "SelectionRef"):
                if _kids(elem, ref):
                    left_out[f"Case {ref}"] += len(_kids(elem, ref))
            cases.append(
                QdeCase(
                    guid=norm_guid(elem.get("guid")),
                    name=(elem.get("name") or "").strip(),
                    values=_variable_values(elem, variables),
                    sources=_refs(elem, "SourceRef"),
                    description=_text_of(elem, "Description").strip(),
                )
            )
    for part in _OTHER_PARTS:
        for block in _kids(root, part):
            left_out[part[:-1]] += len([c for c in block if local(c.tag)])
    return QdeProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users=users,
        codebook=codebook,
        code_paths=code_paths,
        code_notes=code_notes,
        sources=sources,
        notes=notes,
        project_notes=_refs(root),
        cases=cases,
        default_user=default_user,
        counts=counts,
        left_out=left_out,
        description=_text_of(root, "Description").strip(),
    )
