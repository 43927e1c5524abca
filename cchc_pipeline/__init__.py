"""cchc-pipeline: assemble the provincial CCHC review report from department plugins.

The public API for plugin authors is re-exported here: the ``hookimpl`` marker and the data
objects hooks receive and return.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .markers import hookimpl, hookspec
from .model import ConversionJob, Department, Finding, Location, OutputFormat, Severity

__all__ = [
    "ConversionJob",
    "Department",
    "Finding",
    "Location",
    "OutputFormat",
    "Severity",
    "__version__",
    "hookimpl",
    "hookspec",
]
