"""Codebook formats: YAML (with line-numbered errors), CSV, REFI-QDA .qdc."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.codebook import Codebook, CodebookNode, load_codebook, write_codebook
from qualcode.codebook.qdc import pack_description, unpack_description
from qualcode.errors import CodebookFormatError

SAMPLE = textwrap.dedent(
    """\
    codebook: Social value test
    description: A small codebook for tests.
    themes:
      - name: Feedback to unsuccessful bidders
        description: What losing bidders hear.
        colour: "#4e79a7"
        key: f
        include: Debriefs and award letters.
        exclude: Feedback during the tender -- not after.
        examples: ["We never heard back.", "It took five weeks; by then it was over."]
        keywords: ["late feedback", "debrief"]
        codes:
          - name: Feedback timeliness
            key: "1"
            codes:
              - name: Very late
                description: |
                  More than a month.

                  Include: this line is part of the description? No: a section.
          - name: Feedback quality
            colour: "#F28E2B"
      - name: Bid cost
        keywords: [cost, "bid team"]
      - name: "Café / überall"
        description: Non-ASCII names survive every format.
    """
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path: Path) -> CodebookFormatError:
    with pytest.raises(CodebookFormatError) as info:
        load_codebook(path)
    return info.value


@pytest.fixture
def sample(tmp_path) -> Codebook:
    # The sample's "Very late" description holds a blank line + "Include:", which the
    # .qdc packing would read back as a section; keep the tree free of that ambiguity.
    book = load_codebook(write(tmp_path, "sample.yaml", SAMPLE))
    book.find("Feedback to unsuccessful bidders > Feedback timeliness > Very late").description = "More than a month."
    return book


# -- YAML ------------------------------------------------------------------------------
def test_yaml_reads_tree_and_fields(tmp_path):
    book = load_codebook(write(tmp_path, "s.yaml", SAMPLE))
    assert book.name == "Social value test"
    assert [n.name for n in book.nodes] == ["Feedback to unsuccessful bidders", "Bid cost", "Café / überall"]
    assert book.count() == 6  # hand count: 4 under Feedback (incl. itself), Bid cost, Café
    top = book.nodes[0]
    assert (top.colour, top.key) == ("#4e79a7", "f")
    assert top.keywords == ["late feedback", "debrief"]
    assert top.examples[1] == "It took five weeks; by then it was over."
    assert book.find("feedback to unsuccessful bidders > feedback timeliness").key == "1"
    assert top.where == f"{tmp_path / 's.yaml'}:4"
    assert book.find("Bid cost").fields_set == {"keywords"}


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("themes:\n  - name: A\n  - description: no name here\n", 3, "code has no name"),
        ("themes:\n  - name: A\n    colur: '#ffffff'\n", 3, "did you mean 'colour'"),
        ("themes:\n  - name: A\n    codes:\n      - name: B\n        keywrods: [x]\n", 5, "did you mean 'keywords'"),
        ("themes:\n  - name: A\n  - name: a\n", 3, "duplicate code name"),
        ("themes:\n  - name: A\n    key: f\n  - name: B\n    key: f\n", 4, "already used by 'A'"),
        ("themes:\n  - name: A\n    key: ab\n", 3, "single character"),
        ("themes:\n  - name: A\n    colour: '#12345'\n", 3, "#rrggbb"),
        ("themes:\n  - name: A\n    colour: #4e79a7\n", 3, "quote it"),
        ("themes:\n  - name: A > B\n", 2, "contains '>'"),
        ("themes:\n  - name: A\n    keywords: late, debrief\n", 3, "must be a list"),
        ("themes:\n  - name: A\n    description: [a, b]\n", 3, "must be text"),
        ("themes:\n  - name: A\n    codes: B\n", 3, "list of codes"),
        ("themes:\n  - A\n", 2, "must be a mapping"),
        ("themes:\n  - name: A\n    name: B\n", 3, "duplicate key 'name'"),
        ("codebook: x\ncodes:\n  - name: A\n", 2, "did you mean 'themes'"),
        ("codebook: x\n", 1, "no 'themes:'"),
        ("themes:\n  - name: A\n    description: 'unclosed\n", 4, "invalid YAML"),
        ("themes:\n  - name: [A\n  - name: B\n", 3, "invalid YAML"),
        ("themes: &a\n  - name: A\n    codes: *a\n", 2, "YAML alias"),
    ],
)
def test_yaml_errors_name_file_and_line(tmp_path, body, line, fragment):
    path = write(tmp_path, "broken.yaml", body)
    err = error_of(path)
    assert err.where == f"{path}:{line}", str(err)
    assert fragment in err.message
    assert str(err).startswith(f"{path}:{line}: ") and str(err).endswith("[E201]")


def test_yaml_empty_and_not_utf8(tmp_path):
    assert "empty" in error_of(write(tmp_path, "e.yaml", "# only a comment\n")).message
    err = error_of(write(tmp_path, "l.yaml", "themes:\n  - name: Caf\xe9\n", encoding="latin-1"))
    assert err.where.endswith("l.yaml:2") and "UTF-8" in err.message


def test_yaml_write_read_round_trip(tmp_path, sample):
    out = tmp_path / "out.yaml"
    write_codebook(sample, out)
    again = load_codebook(out)
    assert again == sample


# -- REFI-QDA .qdc -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def codebook_xsd(shared_dir):
    xmlschema = pytest.importorskip("xmlschema")
    xsd = shared_dir / "refi-qda" / "Codebook.xsd"
    if not xsd.exists():
        pytest.skip("Codebook.xsd not found")
    return xmlschema.XMLSchema(str(xsd))


def test_yaml_to_qdc_is_schema_valid_and_round_trips(tmp_path, sample, codebook_xsd):
    qdc = tmp_path / "book.qdc"
    write_codebook(sample, qdc)
    codebook_xsd.validate(str(qdc))
    back = load_codebook(qdc)
    assert back == sample  # names, descriptions, include/exclude, examples, keywords, colours, keys
    yaml_again = tmp_path / "again.yaml"
    write_codebook(back, yaml_again)
    assert load_codebook(yaml_again) == sample
    # deterministic: the same codebook gives the same bytes (GUIDs from paths)
    qdc2 = tmp_path / "book2.qdc"
    write_codebook(back, qdc2)
    assert qdc.read_bytes() == qdc2.read_bytes()


def test_qdc_guids_are_unique_and_nested(tmp_path, sample):
    from lxml import etree

    qdc = tmp_path / "b.qdc"
    write_codebook(sample, qdc)
    root = etree.parse(str(qdc)).getroot()
    codes = root.findall(".//{urn:QDA-XML:codebook:1.0}Code")
    assert len(codes) == sample.count() == 6
    assert len({c.get("guid") for c in codes}) == 6
    very_late = [c for c in codes if c.get("name") == "Very late"][0]
    assert very_late.getparent().get("name") == "Feedback timeliness"


def test_real_codebooks_to_qdc_valid(tmp_path, codebooks_dir, codebook_xsd):
    files = [codebooks_dir / n for n in ("social_value.yaml", "thematic_starter.yaml")]
    if not all(f.exists() for f in files):
        pytest.skip("codebooks/ not written yet")
    for f in files:
        book = load_codebook(f)
        out = tmp_path / (f.stem + ".qdc")
        write_codebook(book, out)
        codebook_xsd.validate(str(out))
        assert load_codebook(out) == book


def test_description_packing_is_readable_and_reversible():
    node = CodebookNode(
        "X",
        description="Para one.\n\nPara two.",
        include="in",
        exclude="out",
        examples=["first", "two\nlines"],
        keywords=["a b", "c"],
        key="z",
    )
    text = pack_description(node)
    assert "Include: in" in text and "Keywords: a b; c" in text and "Shortcut key: z" in text
    fields = unpack_description(text)
    assert fields == {
        "description": "Para one.\n\nPara two.",
        "include": "in",
        "exclude": "out",
        "examples": ["first", "two\nlines"],
        "keywords": ["a b", "c"],
        "key": "z",
    }
    # a section runs to the next one; a label mid-paragraph is plain text
    assert unpack_description("Include: runs on\nto here\n\nKeywords: k") == {
        "description": "",
        "include": "runs on\nto here",
        "keywords": ["k"],
    }
    assert unpack_description("Text.\nInclude: not after a blank line") == {
        "description": "Text.\nInclude: not after a blank line"
    }
    # a foreign tool's plain description sets only the description
    assert unpack_description("Some text. Include: inline stays") == {"description": "Some text. Include: inline stays"}


def test_qdc_errors_and_safety(tmp_path):
    ns = 'xmlns="urn:QDA-XML:codebook:1.0"'
    bad = write(
        tmp_path,
        "b.qdc",
        f'<?xml version="1.0"?>\n<CodeBook {ns}>\n<Codes>\n<Code guid="x" isCodable="true"/>\n</Codes></CodeBook>',
    )
    err = error_of(bad)
    assert err.where == f"{bad}:4" and "no name" in err.message
    broken = write(tmp_path, "c.qdc", f"<CodeBook {ns}>\n<Codes>\n<Code name='a'>\n</Codes>")
    assert error_of(broken).where == f"{broken}:4"
    bomb = write(
        tmp_path,
        "d.qdc",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        f'<CodeBook {ns}><Codes><Code guid="x" name="&b;" isCodable="true"/></Codes></CodeBook>',
    )
    assert "unsafe XML" in error_of(bomb).message
    other = write(tmp_path, "e.qdc", "<Project/>")
    assert "no <CodeBook>" in error_of(other).message


def test_qdc_accepts_short_colours_and_sets(tmp_path):
    path = write(
        tmp_path,
        "s.qdc",
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">'
        '<Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="Economy" isCodable="true" color="#ff0"/>'
        "</Code></Codes>"
        '<Sets><Set guid="9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520" name="S"/></Sets></CodeBook>',
    )
    book = load_codebook(path)
    assert book.name == "s"
    assert [p for p, _ in book.walk()] == ["Topics", "Topics > Economy"]
    assert book.find("Topics > Economy").colour == "#ffff00"


def test_atlas_project_codebook(shared_dir):
    qdpx = shared_dir / "refi-qda" / "atlas-standard-project" / "ATLASti_standard_project.qdpx"
    if not qdpx.exists():
        pytest.skip("ATLAS.ti sample project not found")
    book = load_codebook(qdpx)
    # Hand count from Project.qde: 14 <Code> elements, all at the top level.
    assert book.count() == 14 and len(book.nodes) == 14
    assert book.name == "ATLAS.ti standard project"
    coke = book.find("Coke")
    assert coke.description == "the breakfast of champions" and coke.colour == "#966450"
    assert book.find("Coke::diet Coke").description == "non sucré"
    assert book.find("milk").colour is None
    assert book.find('"rushed"') is not None


# -- CSV ---------------------------------------------------------------------------------
def test_yaml_to_csv_round_trip(tmp_path, sample):
    out = tmp_path / "book.csv"
    write_codebook(sample, out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = load_codebook(out)
    assert back.nodes == sample.nodes  # CSV carries every node field
    assert back.name == "book"  # but not the title


def test_csv_path_layout_implies_parents(tmp_path):
    path = write(
        tmp_path,
        "p.csv",
        "path;description;keywords;key\n"
        'Burden > Cost > Bid team;People who write bids;"bid team; writer ";b\n'
        "Burden;Time and money;;\n"
        "\n"
        "Other;;;\n",
    )
    book = load_codebook(path)
    assert [p for p, _ in book.walk()] == ["Burden", "Burden > Cost", "Burden > Cost > Bid team", "Other"]
    leaf = book.find("Burden > Cost > Bid team")
    assert leaf.keywords == ["bid team", "writer"] and leaf.key == "b"
    assert book.find("Burden").description == "Time and money"
    assert book.find("Burden > Cost").fields_set == frozenset()  # implied: sets nothing


def test_csv_taguette_export_is_flat(tmp_path):
    path = write(
        tmp_path,
        "tags.csv",
        "tag,description,number of highlights\n"
        "interesting,Stuff worth a second look,4\n"
        "people/managers,Slash is part of the name,2\n",
    )
    book = load_codebook(path)
    assert [n.name for n in book.nodes] == ["interesting", "people/managers"]
    assert all(not n.children for n in book.nodes)
    assert book.nodes[0].fields_set == {"description"}


@pytest.mark.parametrize(
    ("body", "row", "fragment"),
    [
        ("path,key\nA,a\nB,a\n", 3, "already used"),
        ("path,key\nA,ab\n", 2, "single character"),
        ("path,colour\nA,#fff\nB,#12345g\n", 2, "#rrggbb"),
        ("path\nA\nB\na\n", 4, "appears twice"),
        ("path,description\nA,x\n,y\n", 3, "no path"),
        ("tag\nA > B\n", 2, "contains '>'"),
        ("label,description\nA,x\n", 1, "no code column"),
    ],
)
def test_csv_errors_name_the_row(tmp_path, body, row, fragment):
    path = write(tmp_path, "bad.csv", body)
    err = error_of(path)
    assert err.where == f"{path}:row {row}", str(err)
    assert fragment in err.message


def test_csv_encodings(tmp_path, codebooks_dir):
    cp = write(tmp_path, "cp.csv", "tag,description\nCafé,naïve\n", encoding="cp1252")
    assert load_codebook(cp).nodes[0].name == "Café"
    bom = write(tmp_path, "bom.csv", "\ufeffpath,description\nCafé > Crème,x\n")
    assert load_codebook(bom).find("Café > Crème") is not None


def test_real_csv_matches_real_yaml(codebooks_dir):
    yaml_file, csv_file = codebooks_dir / "social_value.yaml", codebooks_dir / "social_value.csv"
    if not (yaml_file.exists() and csv_file.exists()):
        pytest.skip("codebooks/ not written yet")
    from_yaml, from_csv = load_codebook(yaml_file), load_codebook(csv_file)
    assert [p for p, _ in from_csv.walk()] == [p for p, _ in from_yaml.walk()]
    for (_, a), (_, b) in zip(from_yaml.walk(), from_csv.walk()):
        for field in b.fields_set:
            assert getattr(a, field) == getattr(b, field), field


def test_unknown_extension_and_missing_file(tmp_path):
    assert "unknown codebook format" in error_of(write(tmp_path, "x.txt", "a")).message
    assert "no such file" in error_of(tmp_path / "nope.yaml").message
    with pytest.raises(CodebookFormatError, match="at least one code"):
        write_codebook(Codebook("empty"), tmp_path / "e.qdc")
    assert not (tmp_path / "e.qdc").exists()
