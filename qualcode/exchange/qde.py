"""The parts of a REFI-QDA ``project.qde`` that qualcode can use, as plain records.

Why a parse step apart from the import: reading the XML (lenient about what
tools vary: GUIDs in any case or in braces, ``Project.qde`` capitalised,
missing optional attributes) is separate from deciding what to store, so the
parsed project can be counted and checked in tests without a database, and
the import can refuse a broken file before it touches the project.

The file is read as a stream by :mod:`qualcode.exchange.qde_scan`; the
functions here turn one complete element into its record.

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

from qualcode.codebook.tree import Codebook, check_name

NS = "urn:QDA-XML:project:1.0"
#: Source kinds other than TextSource: skipped on import, reported as warnings.
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
OTHER_PARTS = ("Sets", "Links", "Graphs")


def norm_guid(value: str | None) -> str:
    """A GUID in one spelling (lower case, no braces), so references match."""
    return (value or "").strip().strip("{}").lower()


_LOCAL: dict[object, str] = {}


def local(tag: object) -> str:
    """An element's name without its namespace (comments have no string tag); remembered per tag."""
    try:
        return _LOCAL[tag]
    except KeyError:
        name = tag.split("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL) < 10_000:  # a hostile file's made-up tags do not grow it without end
            _LOCAL[tag] = name
        return name


def _group(elem: Any) -> dict[str, list[Any]]:
    """An element's children by name, in one pass (a source is read with one look at each child)."""
    out: dict[str, list[Any]] = {}
    for child in elem:
        out.setdefault(local(child.tag), []).append(child)
    return out


def kids(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c.tag) == name]


def _first_text(kids: dict[str, list[Any]], name: str) -> str:
    found = kids.get(name)
    return (found[0].text or "") if found else ""


def text_of(elem: Any, name: str) -> str:
    found = kids(elem, name)
    return (found[0].text or "") if found else ""


def _guids(found: list[Any] | None) -> list[str]:
    return [norm_guid(r.get("targetGUID")) for r in found or () if r.get("targetGUID")]


def _refs(elem: Any, name: str = "NoteRef") -> list[str]:
    return _guids(kids(elem, name))


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
    #: Variable GUID → name (the ``Variables`` block), for cases and sources read later.
    variables: dict[str, str] = field(default_factory=dict)


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _coding(elem: Any, fallback_user: str) -> QdeCoding | None:
    kids = _group(elem)
    refs = _guids(kids.get("CodeRef"))
    if not refs:
        return None
    return QdeCoding(
        guid=norm_guid(elem.get("guid")),
        code=refs[0],
        user=norm_guid(elem.get("creatingUser")) or fallback_user,
        created=elem.get("creationDateTime"),
        notes=_guids(kids.get("NoteRef")),
    )


def _variable_values(values: list[Any] | None, variables: dict[str, str]) -> dict[str, str]:
    """``<VariableValue>`` elements as ``{variable name: value as text}``."""
    out: dict[str, str] = {}
    for value in values or ():
        refs = _refs(value, "VariableRef")
        if not refs:
            continue
        name = variables.get(refs[0], refs[0])
        typed = [c for c in value if local(c.tag).endswith("Value")]
        out[name] = (typed[0].text or "").strip() if typed else ""
    return out


def text_source_of(elem: Any, default_user: str, variables: dict[str, str]) -> QdeTextSource:
    user = norm_guid(elem.get("creatingUser")) or default_user
    kids = _group(elem)
    content = kids.get("PlainTextContent")
    source = QdeTextSource(
        guid=norm_guid(elem.get("guid")),
        name=(elem.get("name") or "").strip(),
        content=(content[0].text or "") if content else None,
        text_path=elem.get("plainTextPath"),
        user=user,
        created=elem.get("creationDateTime"),
        description=_first_text(kids, "Description"),
        notes=_guids(kids.get("NoteRef")),
        variables=_variable_values(kids.get("VariableValue"), variables),
        line=elem.sourceline or 0,
    )
    for sel in kids.get("PlainTextSelection", ()):
        sel_user = norm_guid(sel.get("creatingUser")) or user
        sel_kids = _group(sel)
        selection = QdeSelection(
            guid=norm_guid(sel.get("guid")),
            name=sel.get("name") or "",
            start=_int(sel.get("startPosition")),
            end=_int(sel.get("endPosition")),
            user=sel_user,
            created=sel.get("creationDateTime"),
            description=_first_text(sel_kids, "Description"),
            notes=_guids(sel_kids.get("NoteRef")),
            line=sel.sourceline or 0,
        )
        selection.codings = [c for c in (_coding(k, sel_user) for k in sel_kids.get("Coding", ())) if c]
        source.selections.append(selection)
    source.codings = [c for c in (_coding(k, user) for k in kids.get("Coding", ())) if c]
    return source


def code_guids(codes: Any, prefix: str, paths: dict[str, str], notes: dict[str, list[str]], where: str) -> None:
    """GUID → path for a ``<Codes>``/``<Code>`` subtree, named as the codebook reader names them."""
    for code in kids(codes, "Code"):
        name = check_name(code.get("name") or "", f"{where}:{code.sourceline}")
        path = f"{prefix} > {name}" if prefix else name
        paths[norm_guid(code.get("guid"))] = path
        if _refs(code):
            notes[path] = _refs(code)
        code_guids(code, path, paths, notes, where)


def note_of(elem: Any, default_user: str) -> QdeNote:
    content = [c for c in elem if local(c.tag) == "PlainTextContent"]
    return QdeNote(
        guid=norm_guid(elem.get("guid")),
        name=(elem.get("name") or "").strip(),
        description=text_of(elem, "Description"),
        content=(content[0].text or "") if content else None,
        text_path=elem.get("plainTextPath"),
        user=norm_guid(elem.get("creatingUser")) or default_user,
        created=elem.get("creationDateTime"),
        anchors=[
            (start, end)
            for sel in kids(elem, "PlainTextSelection")
            for start, end in [(_int(sel.get("startPosition")), _int(sel.get("endPosition")))]
            if start is not None and end is not None
        ],
    )


def case_of(elem: Any, variables: dict[str, str], left_out: Counter[str], build: bool) -> QdeCase | None:
    """A ``<Case>`` (``None`` unless ``build``: a first pass only counts what it leaves out)."""
    kids = _group(elem)
    for ref in ("CodeRef", "SelectionRef"):
        if kids.get(ref):
            left_out[f"Case {ref}"] += len(kids[ref])
    if not build:
        return None
    return QdeCase(
        guid=norm_guid(elem.get("guid")),
        name=(elem.get("name") or "").strip(),
        values=_variable_values(kids.get("VariableValue"), variables),
        sources=_guids(kids.get("SourceRef")),
        description=_first_text(kids, "Description").strip(),
    )
