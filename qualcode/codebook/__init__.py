"""Codebooks: YAML, CSV and REFI-QDA ``.qdc`` files, and merging them into a project.

The formats read into one in-memory tree (:class:`Codebook` of
:class:`CodebookNode`), independent of the store; :func:`apply_codebook`
maps a tree onto a project by code path and :func:`codebook_from_project`
reads it back. Format modules import their parsers (PyYAML, lxml) only when
used.
"""

from qualcode.codebook.counts import CodeCount, code_tree
from qualcode.codebook.io import dump_codebook, load_codebook, write_codebook
from qualcode.codebook.merge import ApplyResult, apply_codebook, codebook_from_project
from qualcode.codebook.tree import Codebook, CodebookNode, check_tree, codebook_from_pairs

__all__ = [
    "ApplyResult",
    "CodeCount",
    "Codebook",
    "CodebookNode",
    "apply_codebook",
    "check_tree",
    "code_tree",
    "codebook_from_pairs",
    "codebook_from_project",
    "dump_codebook",
    "load_codebook",
    "write_codebook",
]
