"""Opening project files: creation, migration, refusal of foreign files, search."""

from __future__ import annotations

import sqlite3

import pytest

from qualcode.errors import ProjectError
from qualcode.store import open_project


def test_new_project_is_wal_with_foreign_keys(tmp_path):
    with open_project(tmp_path / "p.db") as p:
        assert p.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        applied = [m["name"] for m in p.query("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert applied[0] == "m001_core"


def test_reopening_applies_no_migration_twice(tmp_path):
    open_project(tmp_path / "p.db").close()
    with open_project(tmp_path / "p.db") as p:
        names = [m["name"] for m in p.query("SELECT name FROM _sqlite_migrations")]
        assert len(names) == len(set(names))


def test_foreign_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="not a qualcode project"):
        open_project(other)


def test_missing_project_without_create(tmp_path):
    with pytest.raises(ProjectError):
        open_project(tmp_path / "none.db", create=False)


def test_not_sqlite_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ProjectError):
        open_project(junk)


def test_search_snippets_and_odd_queries(project, transcript):
    project.documents.add(
        transcript("d", [("Ana", "Feedback to unsuccessful bidders was late."), ("Ben", "We didn't get any debrief.")])
    )
    hits = project.search("bidders")
    assert len(hits) == 1 and "[bidders]" in hits[0].snippet and hits[0].speaker == "Ana"
    assert project.search("didn't")[0].speaker == "Ben"  # not valid FTS syntax: searched as words
    assert project.search("   ") == []
