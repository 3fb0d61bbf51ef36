"""Reading ``project.qde`` as a stream: each case and text source handed over when complete, then dropped.

Why a stream: a consultation's ``project.qde`` is gigabytes (1.7 GB for 10^6
answers). :func:`scan_qde` reads it with ``lxml.etree.iterparse``, hands each
case and each text source to a callback as soon as it is complete and then
drops it, so memory holds one source at a time plus the small parts (users,
codebook, variables, notes). Entity declarations are refused, DTDs and the
network are never loaded. The records are those of :mod:`qualcode.exchange.qde`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import IO, Any

from qualcode.codebook.qdc import codebook_from_xml
from qualcode.codebook.tree import Codebook
from qualcode.errors import ImportFormatError
from qualcode.exchange.qde import (
    OTHER_PARTS,
    OTHER_SOURCES,
    QdeCase,
    QdeProject,
    QdeTextSource,
    case_of,
    code_guids,
    kids,
    local,
    norm_guid,
    note_of,
    text_of,
    text_source_of,
)

#: The ``<Project>`` blocks whose children are read (and dropped) one at a time.
_STREAMED = frozenset({"Users", "Variables", "Cases", "Sources", "Notes", *OTHER_PARTS})


def _codebook(qde: QdeProject, elem: Any, where: str) -> None:
    """The ``CodeBook`` element, read by the ``.qdc`` reader (line numbers kept by padding the snippet)."""
    from lxml import etree

    codes = kids(elem, "Codes")
    if not any(kids(c, "Code") for c in codes):
        return
    for block in codes:
        code_guids(block, "", qde.code_paths, qde.code_notes, where)
    snippet = b"\n" * max((elem.sourceline or 1) - 1, 0) + etree.tostring(elem)
    book = codebook_from_xml(snippet, where)
    book.name = book.name or qde.name
    qde.codebook = book


def _head(root: Any) -> QdeProject:
    return QdeProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users={},
        codebook=Codebook(name=root.get("name") or ""),
        code_paths={},
        code_notes={},
        sources=[],
        notes={},
        project_notes=[],
        cases=[],
        default_user=norm_guid(root.get("creatingUserGUID")),
        counts=Counter(),
        left_out=Counter(),
    )


def _check_root(elem: Any, where: str) -> Any:
    """The document's root, refused unless it is a ``<Project>`` without entity declarations."""
    tree = elem.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ImportFormatError("unsafe XML refused (EntitiesForbidden: entity declarations)", where=where)
    root = tree.getroot()
    if local(root.tag) != "Project":
        raise ImportFormatError(
            f"not a REFI-QDA project: root element is <{local(root.tag)}>, expected <Project>",
            where=f"{where}:{root.sourceline}",
        )
    return root


def _top(qde: QdeProject, kind: str, elem: Any, where: str) -> None:
    """A child of ``<Project>`` complete: the parts read whole (small ones)."""
    if kind == "CodeBook":
        _codebook(qde, elem, where)
    elif kind == "Description":
        qde.description = (elem.text or "").strip()
    elif kind == "NoteRef" and elem.get("targetGUID"):
        qde.project_notes.append(norm_guid(elem.get("targetGUID")))


#: The elements the stream stops at: ``<Project>``'s children and the items of its blocks.
_BLOCKS = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", *OTHER_PARTS, "Description", "NoteRef")
_ITEMS = ("User", "Variable", "Case", "TextSource", *OTHER_SOURCES, "Note", "Set", "Link", "Graph")


def _count(counts: Counter[str], elem: Any) -> None:
    for e in elem.iter():
        name = local(e.tag)
        if name:
            counts[name] += 1


def scan_qde(
    stream: IO[bytes],
    where: str,
    *,
    on_case: Callable[[QdeCase], None] | None = None,
    on_source: Callable[[QdeTextSource], None] | None = None,
    count: bool = False,
) -> QdeProject:
    """Read a ``project.qde`` as a stream; each case and text source goes to its callback, then is dropped.

    Without callbacks cases and sources are only counted (a first pass that
    checks the whole file and reads users, codebook, variables and notes).
    ``left_out`` covers the whole file either way, ``counts`` (every element
    by name) only with ``count``. Only the elements named in :data:`_BLOCKS`
    and :data:`_ITEMS` come back from the parser to Python (the rest is
    read with the item holding it), which keeps a pass over 10^6 sources fast.

    Raises:
        ImportFormatError: invalid XML (with its line), entity declarations,
            or the root is not a REFI-QDA ``<Project>``.
        CodebookFormatError: the codebook is malformed (a code without a name, twins).
    """
    from lxml import etree

    qde: QdeProject | None = None
    root: Any = None
    counts: Counter[str] = Counter()
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=[f"{{*}}{name}" for name in (*_BLOCKS, *_ITEMS)],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    try:
        for _, elem in events:
            if qde is None:
                root = _check_root(elem, where)
                qde = _head(root)
            parent = elem.getparent()
            if parent is None:
                continue
            kind = local(elem.tag)
            if parent is root:
                if count:
                    _count(counts, elem)
                _top(qde, kind, elem, where)
                elem.clear()
            elif parent.getparent() is root and local(parent.tag) in _STREAMED:
                if count:
                    _count(counts, elem)
                _item(qde, local(parent.tag), kind, elem, on_case, on_source)
                elem.clear()
                parent.remove(elem)
        if qde is None:
            root = _check_root(events.root, where)
            qde = _head(root)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"invalid XML: {exc.msg}", where=f"{where}:{exc.lineno or 1}") from None
    if count:
        counts[local(root.tag)] += 1
        qde.counts = counts
    return qde


def _item(
    qde: QdeProject,
    block: str,
    kind: str,
    elem: Any,
    on_case: Callable[[QdeCase], None] | None,
    on_source: Callable[[QdeTextSource], None] | None,
) -> None:
    """One child of a ``<Project>`` block (a user, a variable, a case, a source, a note …)."""
    if block == "Users" and kind == "User":
        qde.users[norm_guid(elem.get("guid"))] = (elem.get("name") or elem.get("id") or "").strip()
    elif block == "Variables" and kind == "Variable":
        qde.variables[norm_guid(elem.get("guid"))] = (elem.get("name") or "").strip()
        if text_of(elem, "Description").strip():
            qde.left_out["Variable Description"] += 1
    elif block == "Cases" and kind == "Case":
        case = case_of(elem, qde.variables, qde.left_out, on_case is not None)
        if on_case is not None and case is not None:
            on_case(case)
    elif block == "Sources" and kind == "TextSource":
        if on_source is not None:
            on_source(text_source_of(elem, qde.default_user, qde.variables))
    elif block == "Sources" and kind:
        qde.left_out[kind] += 1
    elif block == "Notes" and kind == "Note":
        note = note_of(elem, qde.default_user)
        qde.notes[note.guid] = note
    elif block in OTHER_PARTS and kind:
        qde.left_out[block[:-1]] += 1


def parse_qde(data: bytes, where: str) -> QdeProject:
    """Parse a whole ``project.qde`` held in memory, cases and sources included (small files, tests)."""
    import io

    cases: list[QdeCase] = []
    sources: list[QdeTextSource] = []
    qde = scan_qde(io.BytesIO(data), where, on_case=cases.append, on_source=sources.append, count=True)
    qde.cases, qde.sources = cases, sources
    return qde
