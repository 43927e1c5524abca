"""One build: load plugins, collect and validate each section, render, convert, publish.

The stages and the order of hook calls are described in :mod:`cchc_pipeline.hookspecs`.
Section hooks run one plugin at a time in the main process (a plugin manager cannot cross
processes); only the format conversions, which are external programs, run in parallel.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import resources
from .cache import CACHE_DIR, Cache, digest, usable_root
from .cache import set_warning as set_cache_warning
from .checks.agencies import check_agencies, known_agencies
from .checks.districts import cross_check
from .config import ReportConfig, did_you_mean, report_epoch
from .console import SILENT, Console
from .department import FieldData
from .errors import CchcError, ConfigError, PluginError, ValidationFailed
from .inputs import InputFile, input_files, revision, shown_path
from .intake import limits as intake_limits
from .intake.discovery import warn_unused
from .model import Finding, OutputFormat, Severity
from .plugins import PluginInfo, PluginSet, load_plugins
from .publish.commendations import commendations as commendation_documents
from .publish.comparison import DraftRound
from .publish.comparison import plan as plan_drafts
from .publish.documents import Document, DocumentInfo, department_info, programme_info
from .publish.drafts import DraftStore
from .publish.export import build_export, dump_export, export_name
from .publish.formats import pandoc_service
from .publish.manifest import sealer
from .publish.outputs import convert_and_publish
from .render.appendices import resolve as resolve_appendices
from .render.charts import ChartDrawer
from .render.districts import DistrictsView
from .render.numbering import number_tables_and_figures
from .render.programme import gather as gather_programme
from .render.templating import Markdown, Templates, compiled_folder, escape
from .report import SLOTS, Report, Section
from .stagecache import (
    COLLECTED,
    StageCache,
    collected_state,
    core_digest,
    folder_digest,
    restore_collected,
)

STAGE_NAMES = {
    "cchc_collect": "thu thập dữ liệu",
    "cchc_validate": "kiểm tra dữ liệu",
    "cchc_render": "kết xuất nội dung",
}
REPORT_TEMPLATE = "report.md.j2"
THEMATIC_TEMPLATE = "chuyen-de.md.j2"
COMMENDATIONS_TEMPLATE = "khen-thuong.md.j2"
PROGRAMME_TEMPLATE = "chuong-trinh.md.j2"
# the commendation documents besides the list: (key, template, [output] key)
COMMENDATION_DOCUMENTS = (
    ("to-trinh-khen-thuong", "to-trinh-khen-thuong.md.j2", "to_trinh"),
    ("quyet-dinh-khen-thuong", "quyet-dinh-khen-thuong.md.j2", "quyet_dinh"),
)


@dataclass
class BuildResult:
    """What a build produced: the report (with findings) and the files written."""

    report: Report
    outputs: dict[str, Path] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # hook faults tolerated by --keep-going

    @property
    def success(self) -> bool:
        return not self.failures and not self.report.errors


class Pipeline:
    """The stages of a build over one configuration and its plugins."""

    def __init__(
        self,
        config: ReportConfig,
        plugins: PluginSet | None = None,
        console: Console = SILENT,
        keep_going: bool = False,
        use_cache: bool = True,
        drafts: bool = False,
        charts: ChartDrawer | None = None,
    ) -> None:
        """``charts``: a drawer the caller keeps across builds (``cchc preview``); the
        build draws into its own chart cache with it."""
        self.config = config
        self.record_drafts = drafts  # store this build's draft, compare it with the previous
        self.draft_round: DraftRound | None = None
        self.plugins = plugins or load_plugins(config)
        self.console = console
        self.keep_going = keep_going
        self.failures: list[str] = []
        self.plugins.pm.hook.cchc_configure(config=config)
        self.filters = _merged(self.plugins.pm.hook.cchc_template_filters())
        self.globals = {
            "level": config.document["level"],
            **_merged(self.plugins.pm.hook.cchc_template_globals()),
        }
        self._inputs: list[InputFile] | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="cchc-build-"))
        set_cache_warning(None if console is SILENT else console.warn)
        self.cache_root = usable_root(config.project_dir / CACHE_DIR) if use_cache else None
        chart_cache = self.cache_root / "charts" if self.cache_root else None
        if charts is None:
            charts = ChartDrawer(cache=chart_cache)
        else:
            charts.cache = chart_cache
        self.charts = charts
        self.report = Report(config=config, sections=self._sections())
        self.stages = StageCache(self.cache_root, config.path.read_bytes())
        self._keys: dict[str, str] = {}  # section → its collection key in the stage cache
        self._districts_key: str | None = None  # the roll-up's key (its exports' digests)
        self._district_files: list[InputFile] | None = None

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the chart workers and remove the build's scratch folder."""
        self.charts.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- set-up -------------------------------------------------------------------------

    def _project_templates(self) -> Path:
        return self.config.project_dir / "templates"

    def _templates_for(self, info: PluginInfo | None) -> Templates:
        """Search path: the project's override folder, the plugin's own, the core's."""
        folders = []
        if info is not None:
            folders.append(self._project_templates() / info.name)
            plugin_file = getattr(info.plugin, "__file__", None)
            if plugin_file:
                folders.append(Path(plugin_file).parent / "templates")
        folders += [self._project_templates(), resources.templates_dir()]
        if info is not None:  # a field's default templates, which plugins override by name
            folders.append(resources.templates_dir() / "field")
        compiled = compiled_folder() if self.cache_root else None
        return Templates(
            [f for f in folders if f.is_dir()], self.filters, self.globals, cache=compiled
        )

    def _submission_for(self, info: PluginInfo) -> Path | None:
        configured = self.config.submissions.get(info.name)
        if configured is not None:
            return configured
        default = self.config.project_dir / "submissions" / info.name
        if default.is_dir():
            return default.resolve()
        if "cchc_collect" not in info.hooks:
            return None
        raise ConfigError(
            f"{self.config.where('submissions')}: plugin “{info.name}” cần thư mục bài nộp "
            f"nhưng chưa được khai báo, và không có thư mục mặc định submissions/{info.name}.",
            f'Thêm dòng {info.name} = "đường/dẫn/thư/mục" vào mục [submissions].',
        )

    def _sections(self) -> dict[str, Section]:
        infos = self.plugins.sections()
        names = {info.name for info in infos}
        for name in self.config.submissions:
            if name not in names:
                raise ConfigError(
                    f"{self.config.where('submissions', name)}: không có plugin “{name}” "
                    f"(trong [submissions]).{did_you_mean(name, names)}",
                    "Xem danh sách plugin bằng “cchc plugins”, hoặc xóa dòng này.",
                )
        return {
            info.name: Section(
                name=info.name,
                number=number,
                department=info.department,
                submission=self._submission_for(info),
                config=self.config,
                templates=self._templates_for(info),
                workdir=self.workdir,
                charts=self.charts,
                cache=self.cache_root,
            )
            for number, info in enumerate(infos, start=1)
        }

    # -- stages -------------------------------------------------------------------------

    def _call(self, owner: Section, hook: str, **kwargs: Any) -> Any:
        """One plugin's hook; a raised exception becomes a fault pinned to plugin and stage."""
        section = owner
        info = self.plugins.infos[section.name]
        try:
            return self.plugins.call(info, hook, **kwargs)
        except (CchcError, KeyboardInterrupt):
            raise
        except Exception as exc:
            message = (
                f"Plugin “{section.name}” gặp lỗi ở bước {STAGE_NAMES[hook]}: "
                f"{type(exc).__name__}: {exc}"
            )
            if not self.keep_going:
                raise PluginError(
                    message,
                    "Báo cho đơn vị phụ trách plugin; dùng --keep-going để vẫn dựng các phần khác.",
                ) from exc
            section.failure = message
            self.failures.append(message)
            self.console.error(message)
            return None

    def collect_and_validate(self, keep_processes: bool = False) -> list[Finding]:
        """Run collection then validation for each section, in report order (each from the
        stage cache when its inputs did not change, see :mod:`cchc_pipeline.stagecache`).
        ``keep_processes``: the kept pandoc processes stay for what follows (a build's
        conversions) instead of ending once the narratives are read."""
        self.console.stage("Thu thập và kiểm tra bài nộp")
        sections = list(self.report.sections.values())
        pending = [s for s in sections if not self._restore_collected(s)]
        # Collection reads files and runs pandoc (narratives): one thread per section overlaps
        # that waiting. Each hook touches only its own section; validation stays sequential.
        workers = max(1, min(len(pending), os.cpu_count() or 2))  # pandoc is CPU-bound
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(self._call, section, "cchc_collect", section=section)
                for section in pending
            ]
            for section, future in zip(pending, futures, strict=True):
                self.console.progress(f"{section.name}: thu thập")
                section.data = future.result()
                if section.failure is None and self._keys.get(section.name):
                    media = self.workdir / section.media_prefix
                    self.stages.store(self._keys[section.name], collected_state(section), media)
        if not keep_processes:  # the narratives are read: none waits idle (a portal)
            pandoc_service.stop()
        self._read_districts()
        validated = self._report_key("validate", self._districts_key or "")
        state = self.stages.load(validated, self.report.sections) if validated else None
        if state is not None and _validated_shape(state, sections):
            for section in sections:
                section.findings, section.targets, section.unused_files = state[section.name]
            self.console.progress("kiểm tra: không đổi (bộ nhớ đệm)")
            return self.report.findings
        agencies = known_agencies(self.report)
        for section in sections:
            if section.failure:
                continue
            self.console.progress(f"{section.name}: kiểm tra")
            self._validate(section)
            check_agencies(section, agencies)
            warn_unused(section)  # after validation, which reads van-ban.toml
        cross_check(self.report)  # the province's figures against its districts' sums
        if validated and not self.failures:
            self.stages.store(
                validated, {s.name: (s.findings, s.targets, s.unused_files) for s in sections}
            )
        return self.report.findings

    def collect_and_validate_section(self, name: str) -> list[Finding]:
        """Collect (from the stage cache when unchanged) and validate one section alone: what
        the portal does after a department's upload. Checks across sections see only it."""
        section = self.report.sections[name]
        if not self._restore_collected(section):
            section.data = self._call(section, "cchc_collect", section=section)
            if section.failure is None and self._keys.get(name):
                media = self.workdir / section.media_prefix
                self.stages.store(self._keys[name], collected_state(section), media)
        if section.failure is None:
            self._validate(section)
            warn_unused(section)
        return list(section.findings)

    def render_section(self, name: str) -> Markdown:
        """One collected section's fragments in slot order (the portal's preview)."""
        section = self.report.sections[name]
        if section.failure is None and not section.fragments:
            self._render(section)
        return Markdown("\n\n".join(section.fragments[s] for s in SLOTS if s in section.fragments))

    def _restore_collected(self, section: Section) -> bool:
        """Put a section's cached collection back; False when it must be collected."""
        if not self.stages.enabled:
            return False
        key = self.stages.collect_key(section, self.plugins.infos[section.name])
        self._keys[section.name] = key
        state = self.stages.load(key, COLLECTED)
        if state is None or not isinstance(state["findings"], list):
            return False
        restore_collected(section, state, self.stages.media_of(key))
        self.console.progress(f"{section.name}: không đổi (bộ nhớ đệm)")
        return True

    def _report_key(self, stage: str, *more: str) -> str | None:
        """A whole-report stage's key: every section's collection key (None without cache)."""
        keys = [self._keys.get(name) for name in self.report.sections]
        if not self.stages.enabled or None in keys:
            return None
        return self.stages.report_key(stage, [k for k in keys if k], *more)

    def _validate(self, section: Section) -> None:
        found = self._call(
            section, "cchc_validate", section=section, data=section.data, report=self.report
        )
        for finding in found or ():
            if not isinstance(finding, Finding):
                raise PluginError(
                    f"Plugin “{section.name}”: cchc_validate trả về {finding!r}, "
                    "không phải Finding.",
                    "Hook cchc_validate phải trả về danh sách cchc_pipeline.Finding.",
                )
            if not finding.plugin:
                finding = Finding(
                    finding.severity,
                    finding.message,
                    section.name,
                    finding.location,
                    finding.hint,
                )
            section.findings.append(finding)

    def render(self) -> Markdown:
        """Render every section's fragments, then the whole report's Markdown."""
        self.console.stage("Kết xuất nội dung")
        plugins = [self.stages.plugin_key(info) for info in self.plugins.infos.values()]
        templates = [folder_digest(f) for f in self._template_folders()]
        rendered = self._report_key("render", *plugins, *templates, self._districts_key or "")
        state = self.stages.load(rendered, self.report.sections) if rendered else None
        if state is not None and not _rendered_shape(state):
            state = None
        for section in self.report.sections.values():
            if state is not None:
                section.fragments = state[section.name]["fragments"]
                for job, name in state[section.name]["charts"]:
                    section.chart(job, name)
                continue
            if section.failure is None:
                self.console.progress(f"{section.name}: kết xuất")
                self._render(section)
            if section.failure is not None:
                section.fragments["results"] = Markdown(
                    "::: placeholder\n**[CHƯA DỰNG ĐƯỢC PHẦN NÀY]** "
                    f"{escape(section.failure)}\n:::\n"
                )
        if state is not None:
            self.console.progress("kết xuất: không đổi (bộ nhớ đệm)")
        elif rendered and not self.failures:
            self.stages.store(
                rendered,
                {s.name: {"fragments": s.fragments, "charts": s.chart_requests}
                 for s in self.report.sections.values()},
            )  # fmt: skip
        districts = DistrictsView(self.report.rollup, self._field_catalogues(),
                                  self.config.document["period"][1])  # fmt: skip
        chart = (
            districts.chart(self.charts, self.workdir / "media" / "districts") if districts else ""
        )
        info = DocumentInfo.of_report(self.config)
        return self._render_document(
            REPORT_TEMPLATE, info, self.revision,
            report=self.report, districts=districts, district_chart=chart,
            programme=gather_programme(self.report, programme_info(self.config, info)),
        )  # fmt: skip

    def _render(self, section: Section) -> None:
        fragments = self._call(
            section, "cchc_render", section=section, data=section.data, report=self.report
        )
        for slot, text in (fragments or {}).items():
            if slot not in SLOTS:
                raise PluginError(
                    f"Plugin “{section.name}” trả về phần “{slot}” không có trong báo "
                    f"cáo.{did_you_mean(slot, SLOTS)}",
                    "Các phần hợp lệ: " + ", ".join(SLOTS) + ".",
                )
            section.fragments[slot] = Markdown(text)

    def _render_document(
        self, template: str, info: DocumentInfo, revision: str, **context: Any
    ) -> Markdown:
        """One document's Markdown from a core template, its tables, figures and appendix
        references numbered (a mismatch of appendices and references fails the build)."""
        markdown = self._templates_for(None).render(
            template, config=self.config, info=info, revision=revision, **context
        )
        return resolve_appendices(
            number_tables_and_figures(markdown), f"{info.kind} {info.symbol} (mẫu {template})"
        )

    def documents(
        self, report_markdown: Markdown, chosen: list[str], restrict: set[str] | None = None
    ) -> list[Document]:
        """The report, each department's thematic report, the commendation list and the
        2021–2030 programme (when some department sent tasks)."""
        output = self.config.output
        available_names = [*output["thematic"], *output["commendations"], *output["to_trinh"],
                           *output["quyet_dinh"], *output["programme"]]  # fmt: skip
        wanted = set(available_names)
        if restrict is not None:
            wanted = {name for name in available_names if name in restrict}
        info = DocumentInfo.of_report(self.config)
        found = [
            Document("report", output["name"], report_markdown, tuple(chosen), None,
                     self._metadata(info, self.revision)),
        ]  # fmt: skip
        thematic = tuple(f for f in output["thematic"] if f in wanted)
        for section in self.report.sections.values():
            if not thematic or section.failure or not isinstance(section.data, FieldData):
                continue
            own = department_info(section, info)
            rev = self.section_revision(section)
            markdown = self._render_document(
                THEMATIC_TEMPLATE, own, rev, section=section, data=section.data
            )
            found.append(
                Document(f"chuyen-de-{section.name}", f"{output['name']}-chuyen-de-{section.name}",
                         markdown, thematic, None, self._metadata(own, rev))
            )  # fmt: skip
        if self.report.nominations:
            found += self._commendation_documents(wanted)
        programme = tuple(f for f in output["programme"] if f in wanted)
        if programme and gather_programme(self.report).tasks:
            own = programme_info(self.config, info)
            content = gather_programme(self.report, own)
            rev = self._content_revision(content.fingerprint())
            markdown = self._render_document(PROGRAMME_TEMPLATE, own, rev, programme=content)
            found.append(
                Document("chuong-trinh", f"{output['name']}-chuong-trinh-2021-2030", markdown,
                         programme, None, self._metadata(own, rev))
            )  # fmt: skip
        return found

    def _commendation_documents(self, wanted: set[str]) -> list[Document]:
        """The Tờ trình, the Quyết định (each with the list attached) and the list on its own
        (also as a spreadsheet), all from the same groups of nominations."""
        output = self.config.output
        nominations = self.report.nominations
        awards = commendation_documents(self.config, nominations)
        listed = [asdict(n) for n in nominations]
        rev = self._content_revision(listed)
        found = []
        documents = [
            *((key, template, awards.proposal if name == "to_trinh" else awards.decision, name)
              for key, template, name in COMMENDATION_DOCUMENTS),
            ("khen-thuong", COMMENDATIONS_TEMPLATE, awards.listing, "commendations"),
        ]  # fmt: skip
        for key, template, own, name in documents:
            formats = tuple(f for f in output[name] if f in wanted)
            if not formats:
                continue
            markdown = self._render_document(
                template, own, rev, awards=awards, nominations=nominations
            )
            data = None
            if key == "khen-thuong":
                data = {"groups": _grouped(awards.groups), "show_proposer": awards.show_proposer}
            found.append(
                Document(key, f"{output['name']}-{key}", markdown, formats, data,
                         self._metadata(own, rev))
            )  # fmt: skip
        return found

    def build(
        self,
        formats: Iterable[str] | None,
        output_dir: Path,
        extra_formats: dict[str, OutputFormat] | None = None,
    ) -> BuildResult:
        """The whole build; raises on the first fault unless ``keep_going``.

        ``formats`` chosen on the command line restrict every document; ``None`` builds the
        report in the config's formats and the other documents in theirs. ``extra_formats``
        are formats of the caller's own (the preview's page), beside the plugins'.
        """
        result = BuildResult(report=self.report, failures=self.failures)
        available = {**self.plugins.formats(), **(extra_formats or {})}
        restrict = None if formats is None else set(formats)
        chosen = list(dict.fromkeys(self.config.output["formats"] if formats is None else formats))
        output = self.config.output
        others = [*output["thematic"], *output["commendations"], *output["to_trinh"],
                  *output["quyet_dinh"], *output["programme"]]  # fmt: skip
        for name in [*chosen, *others]:
            if name not in available:
                raise ConfigError(
                    f"Không có định dạng “{name}”.{did_you_mean(name, available)}",
                    "Các định dạng có: " + ", ".join(sorted(available)) + ".",
                )
        hook = self.plugins.pm.hook
        hook.cchc_build_started(report=self.report)
        completed = False
        try:
            if self.charts.cold(self.revision):
                self.charts.start()  # workers import matplotlib while submissions are read
            self.collect_and_validate(keep_processes=True)  # ended in `finally`
            if self.report.errors and not self.keep_going:
                raise ValidationFailed(
                    f"Bài nộp có {len(self.report.errors)} lỗi; báo cáo chưa được dựng.",
                    "Xem danh sách bằng “cchc validate”, sửa rồi dựng lại (hoặc --keep-going).",
                )
            markdown = self.render()
            documents = self.documents(markdown, chosen, restrict)
            comparisons = None
            if self.record_drafts:  # compared with the previous draft while the rest converts

                def comparisons() -> list[Document]:
                    self.draft_round = self._draft_round(documents)
                    return self.draft_round.documents

            self.console.stage("Chuyển đổi định dạng")  # the charts are drawn meanwhile
            self.charts.all_asked()
            result.outputs = convert_and_publish(
                documents=documents,
                formats=available,
                output_dir=output_dir,
                templates=self._template_folders(),
                epoch=report_epoch(self.config),
                console=self.console,
                media=self.workdir / "media",
                cache=Cache(self.cache_root, "outputs"),
                seal=sealer(self),
                limits=intake_limits.of(self.config),
                extra={"data.json": (export_name(self.config.output["name"]), self.export_bytes())},
                pictures=self.charts,
                later=comparisons,
            )
            self.charts.close()
            self.charts.note(self.revision)
            if self.draft_round is not None:
                self.draft_round.finish(output_dir, result.outputs)
            completed = True
        finally:
            pandoc_service.stop()
            hook.cchc_build_finished(
                report=self.report,
                outputs=dict(result.outputs),
                success=completed and result.success,
            )
        return result

    # -- the districts ([districts]) and the data export ----------------------------------

    def _field_catalogues(self) -> dict[str, Any]:
        """The province's field catalogues by section, in report order (the roll-up's columns)."""
        return {
            s.name: s.data.catalogue
            for s in self.report.sections.values()
            if s.failure is None and isinstance(s.data, FieldData)
        }

    def _read_districts(self) -> None:
        """Read the ``[districts]`` exports (from the stage cache when none changed); the
        console says which districts are used."""
        from .intake.districts import export_files, read_districts

        self._districts_key = None
        if not self.config.districts:
            return
        memo: dict[Path, tuple[Path, bool]] = {}

        def staleness(folder: Path) -> tuple[Path, bool]:
            if folder not in memo:
                memo[folder] = district_staleness(folder)
            return memo[folder]

        catalogues = self._field_catalogues()
        shared = [f"{n}\0{_catalogue_key(c)}" for n, c in catalogues.items()]

        def key_of(files: dict[str, tuple[Path, bool]]) -> str:
            parts = [f"{n}\0{p}\0{old}\0{_file_state(p)}" for n, (p, old) in files.items()]
            return digest("districts", core_digest(), self.stages.config_bytes, *parts, *shared)

        key = key_of(export_files(self.config, staleness))
        state = self.stages.load(key, ("rollup",)) if self.stages.enabled else None
        if state is not None:
            self.report.rollup = state["rollup"]
        else:
            self.report.rollup = read_districts(self.config, catalogues, build_district, staleness)
            if any(d.built for d in self.report.rollup.districts):
                # a district built just now: its export (an input) changed; key by it now
                memo.clear()
                self._inputs = self._district_files = None
            key = key_of(export_files(self.config, staleness))
            self.stages.store(key, {"rollup": self.report.rollup})
        self._districts_key = key
        rollup = self.report.rollup
        used = [d.name for d in rollup.used]
        self.console.progress(
            f"cấp huyện: dùng {len(used)}/{len(rollup.districts)} đơn vị"
            + (f" ({', '.join(used)})" if used else "")
            + (f"; chưa dùng được: {', '.join(d.name for d in rollup.missing)}"
               if rollup.missing else "")
        )  # fmt: skip

    def export_bytes(self) -> bytes:
        """``<name>.data.json``: this build's figures (see :mod:`cchc_pipeline.publish.export`)."""
        versions = {i.name: i.version for i in self.plugins.infos.values()}
        return dump_export(build_export(self.report, self.revision, versions))

    def _draft_round(self, documents: list[Document]) -> DraftRound:
        """This build among the project's drafts (see :mod:`.publish.comparison`)."""
        self.console.stage("So sánh với bản dự thảo trước")
        store = DraftStore(self.config.project_dir, self.config.document["drafts_kept"],
                           warn=self.console.warn)  # fmt: skip
        return plan_drafts(
            store,
            documents,
            list(self.report.sections.values()),
            revision=self.revision,
            final=self.config.final or bool(self.failures),  # placeholders are no draft
            author=self.config.document["changes_author"],
            workdir=self.workdir,
            limits=intake_limits.of(self.config),
            cache=Cache(self.cache_root, "comparisons"),
            warn=self.console.warn,
        )

    @property
    def inputs(self) -> list[InputFile]:
        """Every input file of this build (computed once)."""
        if self._inputs is None:
            folders = [s.submission for s in self.report.sections.values() if s.submission]
            found = input_files(self.config.project_dir, self.config.path, folders)
            self._inputs = sorted({*found, *self.district_inputs()}, key=lambda f: f.path)
        return self._inputs

    def district_inputs(self) -> list[InputFile]:
        """The districts' exports present: inputs of the report (its revision, its manifest),
        known from the config before any is read (computed once, again after a district was
        built)."""
        if self._district_files is None:
            self._district_files = self._find_district_inputs()
        return self._district_files

    def _find_district_inputs(self) -> list[InputFile]:
        from .inputs import file_digest
        from .intake.districts import export_files

        project = self.config.project_dir
        files = export_files(self.config, lambda folder: (district_export(folder), False))
        paths = [path for path, _ in files.values() if path.suffix == ".json" and path.is_file()]
        return [InputFile(shown_path(p, project), p.stat().st_size, file_digest(p))
                for p in paths]  # fmt: skip

    @property
    def revision(self) -> str:
        """The draft's revision: a fingerprint of the inputs and the plugins' versions."""
        plugins = [(i.name, i.version) for i in self.plugins.infos.values()]
        return revision(self.inputs, plugins)

    def section_revision(self, section: Section) -> str:
        """A thematic report's revision: the config and its own department's inputs only, so
        that a correction in one department leaves the others' reports (and their cached
        conversions) as they were."""
        project = self.config.project_dir
        config = shown_path(self.config.path, project)
        folder = shown_path(section.submission, project) + "/" if section.submission else None
        files = [f for f in self.inputs
                 if f.path == config or (folder and f.path.startswith(folder))]  # fmt: skip
        info = self.plugins.infos[section.name]
        return revision(files, [(info.name, info.version)])

    def _content_revision(self, content: Any) -> str:
        """The revision of a document made from every department's data (the commendation
        list): the config, the plugins and the content itself."""
        config = shown_path(self.config.path, self.config.project_dir)
        plugins = [(i.name, i.version) for i in self.plugins.infos.values()]
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        own = revision([f for f in self.inputs if f.path == config], plugins)
        return digest(own, text)[:10]

    def _template_folders(self) -> tuple[Path, ...]:
        folders = (self._project_templates(), resources.templates_dir())
        return tuple(f for f in folders if f.is_dir())

    def _metadata(self, info: DocumentInfo, revision: str) -> dict[str, Any]:
        return {
            "title": info.kind,
            "summary": info.summary,
            "agency": " ".join(info.agency),
            "date": info.date.isoformat(),
            "final": info.final,
            "revision": revision,
        }


def _file_state(path: Path) -> str:
    """A file's content digest for a cache key ("-" when it cannot be read)."""
    from .inputs import file_digest

    try:
        return file_digest(path) if path.is_file() else "-"
    except OSError:
        return "-"


def _catalogue_key(catalogue: Any) -> str:
    from .catalogue import catalogue_digest

    return catalogue_digest(catalogue) + "".join(
        f"|{i.id}:{i.rollup}:{i.label}" for i in catalogue.rolled_up
    )


def district_export(folder: Path) -> Path:
    """Where a district's project writes its data export."""
    from .config import load_config

    config = load_config(folder / "config.toml")
    return config.output_dir / export_name(config.output["name"])


def district_staleness(folder: Path) -> tuple[Path, bool]:
    """A district project's export and whether it must be built first: missing, unreadable, or
    of another revision than the project's inputs now."""
    from .config import load_config

    config = load_config(folder / "config.toml")
    export = config.output_dir / export_name(config.output["name"])
    try:
        recorded = json.loads(export.read_text(encoding="utf-8"))["report"]["revision"]
    except (OSError, ValueError, KeyError, TypeError):
        return export, True
    with Pipeline(config, use_cache=False) as district:
        return export, district.revision != recorded


def build_district(folder: Path) -> Path:
    """Build a district's project in its own folder (its own lock and outputs); its export."""
    from .config import load_config
    from .lock import ProjectLock

    config = load_config(folder / "config.toml")
    with ProjectLock(config.project_dir, wait=60), Pipeline(config) as district:
        district.build(None, config.output_dir)
    return config.output_dir / export_name(config.output["name"])


def _grouped(groups: Iterable[Any]) -> list[dict[str, Any]]:
    """The list's groups as plain data for the spreadsheet (and the conversion cache key)."""
    return [
        {"form": g.form,
         "kinds": [{"kind": k.kind, "items": [asdict(i) for i in k.items]} for k in g.kinds]}
        for g in groups
    ]  # fmt: skip


def _validated_shape(state: dict[str, Any], sections: list[Section]) -> bool:
    """Whether a cached validation holds (findings, targets, unused files) for every section."""
    return all(
        isinstance(state.get(s.name), tuple)
        and len(state[s.name]) == 3
        and all(isinstance(f, Finding) for f in state[s.name][0])
        for s in sections
    )


def _rendered_shape(state: dict[str, Any]) -> bool:
    """Whether a cached rendering holds fragments and chart requests for every section."""
    return all(
        isinstance(value, dict)
        and isinstance(value.get("fragments"), dict)
        and isinstance(value.get("charts"), list)
        for value in state.values()
    )


def _merged(results: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge hook results so that the plugin registered last wins (pluggy calls it first)."""
    merged: dict[str, Any] = {}
    for mapping in reversed(results):
        merged.update(mapping or {})
    return merged


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
