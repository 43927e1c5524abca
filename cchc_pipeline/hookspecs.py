"""Every hook a plugin can implement, grouped by the stage of a build that calls it.

A build runs the hooks in this order (the order is part of the contract; docs/plugins.md
describes it with examples):

1. loading: each plugin is imported and registered, and its ``cchc_department`` is asked;
2. set-up, every plugin: ``cchc_configure``, then ``cchc_template_filters`` and
   ``cchc_template_globals``; ``cchc_output_formats`` when the build starts;
3. ``cchc_build_started``, every plugin;
4. ``cchc_collect``, each section plugin (concurrently, one thread per section), then
   ``cchc_validate``, each in the configured order;
5. ``cchc_render``, each section plugin in the configured order (all data is collected by
   then, so a plugin may read other sections, as the coordinator's summary does);
6. the formats convert the assembled Markdown in parallel;
7. ``cchc_build_finished``, every plugin, also when the build failed.

``cchc_catalogue`` is not part of a build: ``cchc form`` asks it of one plugin. A rebuild
skips steps 4 and 5 for what did not change (:mod:`cchc_pipeline.stagecache`): a section's
collection is reused while its plugin's files, its submission folder and the config are the
same, so ``cchc_collect`` must depend on nothing else, and its result must be picklable to
be kept (otherwise it is simply collected every time).

The section hooks (4 and 5) are called for one plugin at a time, so that a fault is pinned
to the plugin that raised it and ``--keep-going`` can carry on with the others. Within a
stage that calls every plugin, pluggy's order applies: plugins registered later run first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .markers import hookspec

if TYPE_CHECKING:
    from .catalogue import Catalogue
    from .config import ReportConfig
    from .model import Department, Finding, OutputFormat
    from .report import Report, Section


# --------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------


@hookspec
def cchc_configure(config: ReportConfig) -> None:
    """Receive the validated report configuration before anything else runs.

    :param config: the report's configuration (``config.toml``), read-only.
    :return: nothing. Called once per build, for every plugin.
    """


@hookspec
def cchc_department() -> Department | None:
    """Say which department owns this plugin and which reform field it reports on.

    Implemented by section plugins; shown by ``cchc plugins`` and used for the field's
    heading in the report.

    :return: a :class:`~cchc_pipeline.model.Department`. Called once per plugin, for that
        plugin only.
    """


@hookspec
def cchc_output_formats() -> list[OutputFormat]:
    """Contribute output formats (the built-in md, docx, pdf, html and pptx are plugins too).

    :return: a list of :class:`~cchc_pipeline.model.OutputFormat`. Called once per build,
        every plugin; a format name given twice is an error naming both plugins.
    """


@hookspec
def cchc_template_filters() -> Mapping[str, Callable[..., Any]]:
    """Contribute Jinja2 filters available in every template (core and plugins).

    :return: a mapping of filter name to function. Called once per build, every plugin;
        a later-registered plugin's filter of the same name wins.
    """


@hookspec
def cchc_template_globals() -> Mapping[str, Any]:
    """Contribute Jinja2 global variables available in every template.

    :return: a mapping of name to value. Called once per build, every plugin.
    """


# --------------------------------------------------------------------------------------
# Build lifecycle
# --------------------------------------------------------------------------------------


@hookspec
def cchc_build_started(report: Report) -> None:
    """A build begins: plugins are loaded and configured, nothing has been collected yet.

    :param report: the build's report, with its sections (not yet collected).
    :return: nothing. Called once, every plugin.
    """


@hookspec
def cchc_build_finished(report: Report, outputs: Mapping[str, Path], success: bool) -> None:
    """A build ended, successfully or not.

    :param report: the build's report, with every section's data, findings and fragments.
    :param outputs: format name to the written file, and ``data.json`` to the data export
        (empty when nothing was written).
    :param success: whether every stage and format succeeded.
    :return: nothing. Called once, every plugin, also after a failure.
    """


# --------------------------------------------------------------------------------------
# Section stages: called for one plugin at a time, in the configured order
# --------------------------------------------------------------------------------------


@hookspec
def cchc_collect(section: Section) -> Any:
    """Read the department's submission into structured data.

    :param section: this plugin's section; ``section.submission`` is the submission folder
        from the configuration. Problems found while reading (a missing sheet, a cell that
        is not a number) are added with ``section.error(...)`` / ``section.warning(...)``.
    :return: any object; it is passed unchanged to ``cchc_validate`` and ``cchc_render``
        and stored as ``section.data``.
    """


@hookspec
def cchc_validate(section: Section, data: Any, report: Report) -> list[Finding] | None:
    """Check the collected data against the field's rules.

    :param section: this plugin's section.
    :param data: what ``cchc_collect`` returned.
    :param report: the whole report, every section collected (for checks across sections,
        such as the coordinator's merged commendation list).
    :return: a list of findings, each located to a file and sheet/cell, line or heading.
        Findings of severity error stop the build (exit code 1).
    """


@hookspec
def cchc_render(section: Section, data: Any, report: Report) -> Mapping[str, str] | None:
    """Render this plugin's contributions as Pandoc Markdown fragments.

    Use ``section.render("template.md.j2", ...)``: the plugin's ``templates/`` folder (and a
    project's override folder) is searched, values are escaped so that submitted text
    stays text.

    :param section: this plugin's section.
    :param data: what ``cchc_collect`` returned.
    :param report: the whole report, every section collected and validated.
    :return: a mapping of slot name to Markdown; the slots are listed in
        :data:`cchc_pipeline.report.SLOTS` (an unknown slot is an error).
    """


# --------------------------------------------------------------------------------------
# Forms: not part of a build
# --------------------------------------------------------------------------------------


@hookspec
def cchc_catalogue() -> Catalogue | None:
    """Give the plugin's indicator catalogue, from which ``cchc form`` makes its Excel form.

    Implemented by department plugins (``return CATALOGUE``, the catalogue their collect and
    validate hooks use), so that the form asks exactly for what the plugin reads.

    :return: a :class:`~cchc_pipeline.catalogue.Catalogue` as loaded from ``catalogue.toml``
        (``{cap}`` not yet replaced: the core localizes it for the report's level), or
        ``None`` for a plugin with no yearly figures. Called for one plugin at a time, by
        ``cchc form`` only (never during a build).
    """
