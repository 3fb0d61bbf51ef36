"""REFI-QDA codebooks: ``.qdc`` files and the codebook inside a ``.qdpx``.

Why: REFI-QDA (qdasoftware.org) is the one exchange format NVivo, ATLAS.ti,
MAXQDA and QualCoder all read, so a codebook drafted here can travel. The
standard's ``Code`` has only a name, a colour and a ``Description``; our
include/exclude rules, examples, keywords and shortcut key are written as
labelled paragraphs at the end of that description, readable by a person in
any tool and parsed back on import, so a round trip keeps them::

    Late or missing feedback after a tender.

    Include: mentions of debriefs
    Exclude: feedback during the tender

    Examples:
    - "We never heard back."

    Keywords: late feedback; debrief

    Shortcut key: f

GUIDs are UUID 5 of the code path, so exporting the same codebook twice
gives the same file. XML is parsed with entity expansion and network access
off (defusedxml vets the document first).
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from pathlib import Path

from qualcode import __version__
from qualcode.codebook.tree import Codebook, CodebookNode, check_key, check_name, check_tree
from qualcode.errors import CodebookFormatError
from qualcode.limits import MAX_QDE_BYTES, MAX_XML_BYTES, CappedStream, check_entries, check_file_size

NS = "urn:QDA-XML:codebook:1.0"
_GUID_NS = uuid.UUID("5b1f6f0e-3c8a-4b59-9a55-7f0d4c1f2a10")
_LABELS = {
    "Include": "include",
    "Exclude": "exclude",
    "Examples": "examples",
    "Keywords": "keywords",
    "Shortcut key": "key",
}
_HEADER = re.compile(r"^(Include|Exclude|Examples|Keywords|Shortcut key):[ \t]?(.*)$")
_META = "qualcode-codebook "
_SHORT_RGB = re.compile(r"^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")


def guid_for(path: str) -> str:
    """A stable GUID for a code path (deterministic exports)."""
    return str(uuid.uuid5(_GUID_NS, path))


# -- description packing --------------------------------------------------------
def pack_description(node: CodebookNode) -> str:
    """The description text plus our extra fields as labelled paragraphs."""
    parts = [node.description.strip()] if node.description.strip() else []
    if node.include:
        parts.append(f"Include: {node.include}")
    if node.exclude:
        parts.append(f"Exclude: {node.exclude}")
    if node.examples:
        items = ["- " + e.replace("\n", "\n  ") for e in node.examples]
        parts.append("Examples:\n" + "\n".join(items))
    if node.keywords:
        parts.append("Keywords: " + "; ".join(node.keywords))
    if node.key:
        parts.append(f"Shortcut key: {node.key}")
    return "\n\n".join(parts)


def unpack_description(text: str) -> dict[str, object]:
    """Split a packed description back into fields.

    A section starts at a line ``Label: ...`` that opens the text or follows
    a blank line; everything before the first section is the description.
    Only the labels found are returned, so a plain description from another
    tool sets nothing else.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    sections: list[tuple[str, list[str]]] = [("description", [])]
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if match and (i == 0 or not lines[i - 1].strip()):
            sections.append((_LABELS[match.group(1)], [match.group(2)]))
        else:
            sections[-1][1].append(line)
    out: dict[str, object] = {}
    for name, body in sections:
        value = "\n".join(body).strip()
        if name == "examples":
            items: list[str] = []
            for line in value.split("\n"):
                if line.startswith("- "):
                    items.append(line[2:].strip())
                elif line.strip() and items:
                    items[-1] += "\n" + line.strip()
                elif line.strip():
                    items.append(line.strip())
            out[name] = items
        elif name == "keywords":
            out[name] = [k.strip() for k in value.split(";") if k.strip()]
        elif name != "description" or value or len(sections) == 1:
            out[name] = value
    out.setdefault("description", "")
    return out


# -- reading --------------------------------------------------------------------
def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _parse(data: bytes, source: str):  # noqa: ANN202 - lxml element type
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException
    from lxml import etree

    try:
        safe_et.fromstring(data)
    except DefusedXmlException as exc:
        raise CodebookFormatError(f"unsafe XML refused ({exc.__class__.__name__})", where=source) from None
    except Exception:
        pass  # syntax errors are reported below, with a line number
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise CodebookFormatError(f"invalid XML: {exc.msg}", where=f"{source}:{line}") from None


def _code(elem, source: str) -> CodebookNode:  # noqa: ANN001 - lxml element
    where = f"{source}:{elem.sourceline}"
    name = check_name(elem.get("name") or "", where)
    colour = elem.get("color") or None
    if colour:
        short = _SHORT_RGB.match(colour.strip())
        colour = "#" + "".join(c * 2 for c in short.groups()) if short else colour.strip()
    node = CodebookNode(name=name, colour=colour, where=where)
    fields = {"description", "colour"}
    for child in elem:
        tag = _local(child.tag)
        if tag == "Description":
            unpacked = unpack_description(child.text or "")
            fields |= set(unpacked)
            node.description = str(unpacked["description"])
            node.include = str(unpacked.get("include", ""))
            node.exclude = str(unpacked.get("exclude", ""))
            node.examples = list(unpacked.get("examples", []))  # type: ignore[arg-type]
            node.keywords = list(unpacked.get("keywords", []))  # type: ignore[arg-type]
            node.key = check_key(str(unpacked.get("key", "")), where)
        elif tag == "Code":
            node.children.append(_code(child, source))
    node.fields_set = frozenset(fields)
    return node


def codebook_from_xml(data: bytes, source: str) -> Codebook:
    """A codebook from ``.qdc`` XML, or from a ``.qde`` project's ``<CodeBook>``.

    Lenient about what REFI-QDA allows tools to vary (namespace prefixes,
    ``#rgb`` colours, sets, which are ignored); strict about what we need
    (every code has a name, siblings are distinct).
    """
    return _codebook_from_root(_parse(data, source), source)


def _codebook_from_root(root, source: str) -> Codebook:  # noqa: ANN001 - lxml element
    book = Codebook()
    if _local(root.tag) == "Project":
        book.name = root.get("name") or ""
        found = [c for c in root if _local(c.tag) == "CodeBook"]
        if not found:
            raise CodebookFormatError("the project has no <CodeBook>", where=f"{source}:{root.sourceline}")
        root = found[0]
    elif _local(root.tag) != "CodeBook":
        raise CodebookFormatError(
            f"not a REFI-QDA codebook: root element is <{_local(root.tag)}>, expected <CodeBook>",
            where=f"{source}:{root.sourceline}",
        )
    for child in root:
        comment = (child.text or "").strip() if not isinstance(child.tag, str) else ""
        if comment.startswith(_META):
            try:
                meta = json.loads(comment[len(_META) :])
                book.name = str(meta.get("codebook", "")) or book.name
                book.description = str(meta.get("description", ""))
            except (ValueError, AttributeError):
                pass  # a foreign comment: ignore
        elif _local(child.tag) == "Codes":
            book.nodes.extend(_code(c, source) for c in child if _local(c.tag) == "Code")
    check_tree(book)
    return book


def read_qdc(path: str | Path) -> Codebook:
    """Read a ``.qdc`` codebook (or the codebook of a ``.qde``/``.qdpx`` project)."""
    path = Path(path)
    source = str(path)
    try:
        if path.suffix.casefold() == ".qdpx":
            return read_qdpx_codebook(path)
        check_file_size(path, MAX_XML_BYTES, CodebookFormatError)
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookFormatError(f"cannot read file: {exc.strerror}", where=source) from None
    book = codebook_from_xml(data, source)
    book.name = book.name or path.stem
    return book


def read_qdpx_codebook(path: str | Path) -> Codebook:
    """The codebook of a REFI-QDA project archive (its ``project.qde``, any case)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            # The same caps as 'refi import' (qualcode.limits): entries, size, zip-bomb ratio.
            infos = archive.infolist()
            check_entries(infos, str(path), CodebookFormatError)
            found = [i for i in infos if i.filename.rsplit("/", 1)[-1].casefold() == "project.qde"]
            if not found:
                raise CodebookFormatError("no project.qde inside the .qdpx archive", where=str(path))
            where = f"{path}/{found[0].filename}"
            with CappedStream(archive, found[0], MAX_QDE_BYTES, where, CodebookFormatError) as stream:
                book = _stream_codebook(stream, where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise CodebookFormatError("not a .qdpx archive (not a zip file)", where=str(path)) from None
    book.name = book.name or path.stem
    return book


def _stream_codebook(stream: CappedStream, where: str) -> Codebook:
    """The ``<CodeBook>`` of a streamed ``project.qde``, read up to its end tag.

    Why streamed: a project of 10^6 survey answers exports a ``project.qde``
    of gigabytes, and the codebook comes before the sources (REFI-QDA's
    element order), so it is read without holding, or even reading, the rest.
    Entities are never resolved, nor DTDs or the network loaded.
    """
    from lxml import etree

    events = etree.iterparse(
        stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        for _, elem in events:
            if not isinstance(elem.tag, str):
                continue
            if _local(elem.tag) == "CodeBook":
                parent = elem.getparent()
                if parent is None:  # a bare codebook, not a project
                    return _codebook_from_root(elem, where)
                # Only the codebook is wanted; later siblings (sources) are never read.
                for later in list(parent)[list(parent).index(elem) + 1 :]:
                    parent.remove(later)
                return _codebook_from_root(parent, where)
            if elem.getparent() is not None and elem.getparent().getparent() is None:
                elem.clear()  # a finished top-level block before the codebook (users)
        root = events.root
    except etree.XMLSyntaxError as exc:
        raise CodebookFormatError(f"invalid XML: {exc.msg}", where=f"{where}:{exc.lineno or 1}") from None
    return _codebook_from_root(root, where)


# -- writing --------------------------------------------------------------------
def dump_qdc(codebook: Codebook) -> bytes:
    """The ``.qdc`` XML (valid against the REFI-QDA 1.5 Codebook.xsd).

    Raises:
        CodebookFormatError: the codebook is empty (the schema requires a code).
    """
    from lxml import etree

    if not codebook.nodes:
        raise CodebookFormatError("a REFI-QDA codebook needs at least one code; this codebook is empty")
    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS})
    root.set("origin", f"qualcode {__version__}")
    meta = json.dumps({"codebook": codebook.name, "description": codebook.description}, ensure_ascii=False)
    # REFI-QDA has no place for a codebook's title; a comment keeps it for our
    # own round trip and is ignored by other tools ("--" is escaped for XML).
    root.append(etree.Comment(_META + meta.replace("-", "\\u002d")))
    codes = etree.SubElement(root, f"{{{NS}}}Codes")

    def add(parent, node: CodebookNode, path: str) -> None:  # noqa: ANN001 - lxml element
        elem = etree.SubElement(parent, f"{{{NS}}}Code")
        elem.set("guid", guid_for(path))
        elem.set("name", node.name)
        elem.set("isCodable", "true")
        if node.colour:
            elem.set("color", node.colour)
        text = pack_description(node)
        if text:
            etree.SubElement(elem, f"{{{NS}}}Description").text = text
        for child in node.children:
            add(elem, child, f"{path} > {child.name}")

    for node in codebook.nodes:
        add(codes, node, node.name)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(codebook: Codebook, path: str | Path) -> None:
    """Write a ``.qdc`` file."""
    Path(path).write_bytes(dump_qdc(codebook))
