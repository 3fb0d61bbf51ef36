"""Importers: transcripts, documents, captions, tables and surveys → documents.

One module per source format, looked up by extension through
:data:`registry`; :func:`import_paths` stores each file all-or-nothing.
See README, "Importing data", for the rules (speaker turns, roles, participants).
"""

from qualcode.ingest.importer import import_file, import_paths, parse_file, walk
from qualcode.ingest.options import ImportOptions, ImportResult
from qualcode.ingest.participants import ParticipantMap, ParticipantRow, load_participants_file
from qualcode.ingest.registry import Format, Registry, register, registry

__all__ = [
    "Format",
    "ImportOptions",
    "ImportResult",
    "ParticipantMap",
    "ParticipantRow",
    "Registry",
    "import_file",
    "import_paths",
    "load_participants_file",
    "parse_file",
    "register",
    "registry",
    "walk",
]

# Registers every built-in format (the parsers import their libraries lazily).
import qualcode.ingest.formats  # noqa: E402,F401
