"""Exchanging whole projects with other QDA tools through the REFI-QDA Project standard (``.qdpx``).

NVivo, ATLAS.ti, MAXQDA and QualCoder all read and write REFI-QDA projects:
a zip holding ``project.qde`` (XML) and a ``sources/`` folder. :func:`export_qdpx`
writes a project as one; :func:`import_qdpx` reads one into a project, all or
nothing; :func:`read_qdpx` parses one without touching any project. The
codebook part is shared with :mod:`qualcode.codebook.qdc` (``.qdc`` files).
"""

from qualcode.exchange.qde import QdeProject
from qualcode.exchange.qdpx_read import import_qdpx, read_qdpx
from qualcode.exchange.qdpx_write import SOURCE_LAYOUTS, build_qde, export_qdpx, stable_guid
from qualcode.exchange.summary import ExchangeSummary

__all__ = [
    "SOURCE_LAYOUTS",
    "ExchangeSummary",
    "QdeProject",
    "build_qde",
    "export_qdpx",
    "import_qdpx",
    "read_qdpx",
    "stable_guid",
]
