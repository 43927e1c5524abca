"""cchc-pipeline: assemble the provincial CCHC review report from department plugins.

The public API for plugin authors is re-exported here: the ``hookimpl`` marker and the data
objects hooks receive and return.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .markers import hookimpl, hookspec

if TYPE_CHECKING:
    from .model import ConversionJob, Department, Finding, Location, OutputFormat, Severity

_MODEL = frozenset(
    {"ConversionJob", "Department", "Finding", "Location", "OutputFormat", "Severity"}
)


def __getattr__(name: str) -> Any:
    """The data objects, imported on first use: ``cchc --help`` needs none of them."""
    if name in _MODEL:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
