"""The project schema, as ordered sqlite-utils migrations.

Why migrations from day one: a project file outlives the version of qualcode
that created it. Each function below runs once per file, inside a
transaction, and is recorded in ``_sqlite_migrations``; a new column or table
is always a *new* function appended here, never an edit of an old one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from qualcode.store.document_search import create_name_index

migrations = Migrations("qualcode")

SCHEMA_VERSION_TABLES = (
    "meta",
    "participants",
    "documents",
    "turns",
    "codes",
    "codings",
    "memos",
    "events",
    "runs",
    "suggestions",
    "suggestion_segments",
    "embeddings",
)


@migrations()
def m001_core(db: Database) -> None:
    """Documents, participants, turns, codebook, codings, memos, event log."""
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["participants"].create(
        {"id": int, "name": str, "attributes": str, "created_at": str},
        pk="id",
        not_null={"name"},
    )
    db["participants"].create_index(["name"], unique=True)
    db["documents"].create(
        {
            "id": int,
            "name": str,
            "kind": str,
            "source_path": str,
            "sha256": str,
            "text": str,
            "imported_at": str,
            "participant_id": int,
            "metadata": str,
        },
        pk="id",
        not_null={"name", "kind", "text"},
        foreign_keys=[("participant_id", "participants", "id")],
    )
    db["documents"].create_index(["name"], unique=True)
    db["documents"].create_index(["sha256"])
    db["turns"].create(
        {
            "id": int,
            "document_id": int,
            "seq": int,
            "speaker": str,
            "role": str,
            "participant_id": int,
            "start": int,
            "end": int,
            "time_start": str,
            "time_end": str,
            "text": str,
        },
        pk="id",
        not_null={"document_id", "seq", "start", "end"},
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("participant_id", "participants", "id"),
        ],
    )
    db["turns"].create_index(["document_id", "start"])
    db["turns"].enable_fts(["text", "speaker"], fts_version="FTS5", create_triggers=True, tokenize="porter")
    db["codes"].create(
        {
            "id": int,
            "name": str,
            "parent_id": int,
            "description": str,
            "include": str,
            "exclude": str,
            "examples": str,
            "keywords": str,
            "colour": str,
            "key": str,
            "sort": int,
        },
        pk="id",
        not_null={"name"},
        foreign_keys=[("parent_id", "codes", "id")],
    )
    db["codes"].create_index(["parent_id", "name"])
    db["codings"].create(
        {
            "id": int,
            "code_id": int,
            "document_id": int,
            "start": int,
            "end": int,
            "coder": str,
            "origin": str,
            "status": str,
            "method": str,
            "rule": str,
            "confidence": float,
            "run_id": int,
            "created_at": str,
        },
        pk="id",
        not_null={"code_id", "document_id", "start", "end", "coder", "origin", "status"},
        foreign_keys=[
            ("code_id", "codes", "id"),
            ("document_id", "documents", "id"),
        ],
    )
    db["codings"].create_index(["document_id", "start"])
    db["codings"].create_index(["code_id"])
    db["codings"].create_index(["run_id"])
    db["memos"].create(
        {
            "id": int,
            "target": str,
            "target_id": int,
            "text": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        not_null={"target", "text"},
    )
    db["memos"].create_index(["target", "target_id"])
    db["events"].create(
        {
            "id": int,
            "action": str,
            "summary": str,
            "actor": str,
            "created_at": str,
            "state": str,
            "changes": str,
            "undo_of": int,
            "run_id": int,
        },
        pk="id",
        not_null={"action", "state"},
    )
    db["events"].create_index(["state"])


@migrations()
def m002_runs_and_suggestions(db: Database) -> None:
    """Machine runs (themes, auto-tagging), theme suggestions, embedding cache."""
    db["runs"].create(
        {
            "id": int,
            "kind": str,
            "params": str,
            "summary": str,
            "created_at": str,
            "status": str,
        },
        pk="id",
        not_null={"kind"},
    )
    db["suggestions"].create(
        {
            "id": int,
            "run_id": int,
            "topic": int,
            "label": str,
            "keywords": str,
            "size": int,
            "status": str,
            "closest_code": str,
            "similarity": float,
            "code_id": int,
            "data": str,
        },
        pk="id",
        not_null={"run_id", "topic"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["suggestions"].create_index(["run_id", "topic"], unique=True)
    db["suggestion_segments"].create(
        {
            "id": int,
            "run_id": int,
            "topic": int,
            "document_id": int,
            "start": int,
            "end": int,
            "probability": float,
        },
        pk="id",
        not_null={"run_id", "topic", "document_id", "start", "end"},
        foreign_keys=[("run_id", "runs", "id"), ("document_id", "documents", "id")],
    )
    db["suggestion_segments"].create_index(["run_id", "topic"])
    db["embeddings"].create(
        {"model": str, "text_sha": str, "dim": int, "vector": bytes},
        pk=("model", "text_sha"),
    )


@migrations()
def m003_document_words(db: Database) -> None:
    """A stored word count per document, so listings need not read every text."""
    db["documents"].add_column("words", int)
    for row in list(db.query("SELECT id, text FROM documents")):
        db.execute("UPDATE documents SET words = ? WHERE id = ?", [len((row["text"] or "").split()), row["id"]])


@migrations()
def m004_document_text_sha256(db: Database) -> None:
    """The sha256 of each document's stored text, so a merge or a REFI import finds the same document by content.

    Why not ``sha256``: that one hashes the source *file* (a survey sheet holds
    many documents, a REFI round trip changes the file), while two copies of a
    study agree on the text itself.
    """
    import hashlib

    db["documents"].add_column("text_sha256", str)
    for row in list(db.query("SELECT id, text FROM documents")):
        digest = hashlib.sha256((row["text"] or "").encode("utf-8")).hexdigest()
        db.execute("UPDATE documents SET text_sha256 = ? WHERE id = ?", [digest, row["id"]])
    db["documents"].create_index(["text_sha256"])


@migrations()
def m005_reconcile_decisions(db: Database) -> None:
    """Reconciliation progress: one row per disagreement decided (and one ``seed`` row per session)."""
    db["reconcile_decisions"].create(
        {
            "id": int,
            "coder_a": str,
            "coder_b": str,
            "consensus": str,
            "unit": str,
            "code_id": int,
            "document_id": int,
            "start": int,
            "end": int,
            "choice": str,
            "created_at": str,
        },
        pk="id",
        not_null={"coder_a", "coder_b", "consensus", "unit", "choice"},
    )
    db["reconcile_decisions"].create_index(["consensus", "coder_a", "coder_b", "unit"])


@migrations()
def m006_undone_rows(db: Database) -> None:
    """Rows of undone bulk inserts, kept for redo; a name index for paged listings.

    Why: a bulk insert is logged as an id range, not row by row; undo moves
    its rows here and redo moves them back (see ``store/history.py``).
    """
    db["undone_rows"].create(
        {"event_id": int, "tbl": str, "row_id": int, "data": str},
        not_null={"event_id", "tbl", "row_id", "data"},
    )
    db["undone_rows"].create_index(["event_id", "tbl", "row_id"])
    # Document listings are paged in name order (case-insensitive).
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_name_nocase ON documents (name COLLATE NOCASE)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_participants_name_nocase ON participants (name COLLATE NOCASE)")
    # Who speaks where, without scanning every turn.
    db.execute("CREATE INDEX IF NOT EXISTS idx_turns_participant ON turns (participant_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_participant ON documents (participant_id)")
    # Counted codings per document from the index alone.
    db.execute("CREATE INDEX IF NOT EXISTS idx_codings_document_status ON codings (document_id, status)")


@migrations()
def m007_lemma_cache(db: Database) -> None:
    """Lemmas of unit texts, keyed by pipeline and text hash.

    Why: lemmatising is the slow part of a theme suggestion; a rerun (new
    seed, topic count) on the same units reads them back. Keyed by the hash
    of the text, an edited or re-imported text simply misses the cache.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS lemma_cache (model TEXT NOT NULL, text_sha TEXT NOT NULL, lemmas TEXT NOT NULL,"
        " PRIMARY KEY (model, text_sha)) WITHOUT ROWID"
    )


MOVED_COLUMNS = 40
"""Value columns of ``moved_rows``: a table with more columns is logged row by row as JSON instead."""


@migrations()
def m008_moved_rows(db: Database) -> None:
    """Rows moved out of their table by a bulk delete (kept for undo) or by undoing a bulk insert (kept for redo).

    Why untyped positional columns ``c0`` … ``c39`` instead of JSON: rows are
    moved with ``INSERT … SELECT`` inside SQLite, so replacing a survey of 10^6
    answers never brings its old rows into Python, and every value (floats,
    blobs) comes back exactly. ``step`` is the index of the change in the
    event's log; which column each ``cN`` holds is recorded there.
    """
    values = ", ".join(f"c{i}" for i in range(MOVED_COLUMNS))
    db.execute(
        "CREATE TABLE IF NOT EXISTS moved_rows (event_id INTEGER NOT NULL, step INTEGER NOT NULL,"
        f" tbl TEXT NOT NULL, row_id INTEGER NOT NULL, {values})"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_moved_rows ON moved_rows (event_id, step, row_id)")


@migrations()
def m009_document_search(db: Database) -> None:
    """Trigram indexes over document and participant names; documents by kind in name order.

    Why: the home screen's filter looked for a fragment with ``LIKE '%q%'``
    over every document (1-2 s a keystroke at 10^6 survey answers); see
    ``store/document_search.py``. Skipped (the filter scans) where SQLite has
    no trigram tokenizer.
    """
    create_name_index(db.conn)
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_kind_name ON documents (kind, name COLLATE NOCASE)")


@migrations()
def m011_space_cache(db: Database) -> None:
    """Fitted embedding spaces of theme suggestion (unit vectors and what embeds new text in the same space).

    Why: fitting TF-IDF and SVD over every unit is most of a rerun's time; a
    rerun on the same units (new seed, new topic count) reads the space back.
    Keyed by a hash of the units' lemmas and the settings (``store/space_cache.py``).
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS space_cache (key TEXT PRIMARY KEY, created_at TEXT NOT NULL, meta TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS space_cache_parts (key TEXT NOT NULL, name TEXT NOT NULL, part INTEGER NOT NULL,"
        " data BLOB NOT NULL)"
    )
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_space_cache_parts ON space_cache_parts (key, name, part)")


ID_MARK_TABLES = (
    "participants",
    "documents",
    "turns",
    "codes",
    "codings",
    "memos",
    "runs",
    "suggestions",
    "suggestion_segments",
    "reconcile_decisions",
)
"""Tables whose ids :class:`~qualcode.store.action.Action` allocates above the highest id ever given."""


@migrations()
def m013_id_marks(db: Database) -> None:
    """The highest id ever given in each table, so a deleted row's id is never given again.

    Why: SQLite gives a new row the table's largest id + 1, so after the row
    with the largest id was deleted its id went to the next new row, and
    undoing the deletion (Ann's removed coding, after Bob coded something)
    failed on the taken id. Started from the ids in the tables and in the
    rows kept for undo/redo.
    """
    db.execute("CREATE TABLE IF NOT EXISTS id_marks (tbl TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID")
    names = set(db.table_names())
    for table in ID_MARK_TABLES:
        if table not in names:
            continue
        kept = [f"(SELECT MAX(id) FROM [{table}])"]
        for side in ("moved_rows", "undone_rows"):
            if side in names:
                kept.append(f"(SELECT MAX(row_id) FROM {side} WHERE tbl = '{table}')")
        last = db.execute("SELECT " + " , ".join(f"coalesce({k}, 0)" for k in kept)).fetchone()
        db.execute("INSERT OR REPLACE INTO id_marks (tbl, last) VALUES (?, ?)", [table, max(last)])
