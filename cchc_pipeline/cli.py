"""The ``cchc`` command. Messages are Vietnamese; heavy modules load inside the commands.

Exit codes (also in the README): 0 success; 1 the submissions hold errors (for ``verify``:
the outputs do not match their manifest; for ``diff``: no earlier draft to compare with);
2 wrong usage or configuration; 3 a plugin, pandoc or typst failed or an output could not
be written; 130 interrupted. No traceback is shown unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import click

from . import __version__
from .errors import CchcError, ExitCode

CONFIG_HELP = "Tệp cấu hình của báo cáo (mặc định: config.toml trong thư mục hiện tại)."


class _Formatter(click.HelpFormatter):
    """Click's help layout with Vietnamese headings."""

    _HEADINGS: ClassVar[dict[str, str]] = {
        "Options": "Tùy chọn",
        "Commands": "Lệnh",
        "Arguments": "Tham số",
    }

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Cách dùng: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self._HEADINGS.get(heading, heading))


class _Context(click.Context):
    formatter_class = _Formatter


def _vietnamese_help(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = "Hiện hướng dẫn này rồi thoát."
    return option


class _Command(click.Command):
    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _vietnamese_help(super().get_help_option(ctx))


class _Group(click.Group):
    context_class = _Context
    command_class = _Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM_SỐ]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _vietnamese_help(super().get_help_option(ctx))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's main loop, with its usage errors told in Vietnamese (exit code 2)."""
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.UsageError as exc:
            click.echo(f"Lỗi cách dùng: {_usage_message(exc)}", err=True)
            command = exc.ctx.command_path if exc.ctx else "cchc"
            click.echo(f"  → Xem hướng dẫn: {command} --help", err=True)
            sys.exit(int(ExitCode.USAGE))
        except click.exceptions.Abort:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc: click.exceptions.UsageError) -> str:
    """A Vietnamese rendering of click's usage errors."""
    if isinstance(exc, click.exceptions.NoSuchOption):
        text = f"không có tùy chọn {exc.option_name}."
        if exc.possibilities:
            text += " Có phải ý bạn là " + ", ".join(sorted(exc.possibilities)) + "?"
        return text
    if isinstance(exc, click.exceptions.MissingParameter):
        name = exc.param.human_readable_name if exc.param else "tham số"
        return f"thiếu {name}."
    if isinstance(exc, click.exceptions.BadParameter):
        name = exc.param.opts[0] if exc.param and exc.param.opts else "tham số"
        choice = re.match(r"'(.*)' is not one of (.*)\.$", exc.message)
        if choice:
            return f"{name} không nhận “{choice.group(1)}”; chọn một trong: {choice.group(2)}."
        return f"giá trị không hợp lệ cho {name}: {exc.message}"
    match = re.match(r"No such command '(.+)'", exc.message)
    if match:
        names = exc.ctx.command.list_commands(exc.ctx) if exc.ctx else []
        return f"không có lệnh “{match.group(1)}”.{_did_you_mean(match.group(1), names)}"
    if exc.message.startswith("Got unexpected extra argument"):
        return "thừa tham số: " + exc.message.split("(", 1)[-1].rstrip(")")
    return exc.message


def _did_you_mean(word: str, choices: list[str]) -> str:
    from .config import did_you_mean

    return did_you_mean(word, choices)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--debug`` and ``-q`` on every command, and the mapping of failures to exit codes."""

    @click.option("--debug", is_flag=True, help="Hiện chi tiết kỹ thuật (traceback) khi có lỗi.")
    @click.option("-q", "--quiet", is_flag=True, help="Không hiện tiến trình.")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, debug: bool, quiet: bool, **kwargs: Any) -> Any:
        debug = debug or bool(ctx.obj and ctx.obj.get("debug"))
        quiet = quiet or bool(ctx.obj and ctx.obj.get("quiet"))
        try:
            code = ctx.invoke(func, quiet=quiet, **kwargs)
        except CchcError as exc:
            if debug:
                raise
            click.echo(f"Lỗi: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"  → {exc.hint}", err=True)
            ctx.exit(int(exc.exit_code))
        except BrokenPipeError:  # the reader of our output went away (`| head`): not an error
            sys.stderr.close()
            ctx.exit(int(ExitCode.OK))
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; kết quả cũ vẫn giữ nguyên.", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as exc:
            if debug:
                raise
            from .plugins import blame

            fault = blame(exc)  # a plugin's hook raised outside a build stage
            if fault is not None:
                click.echo(f"Lỗi: {fault.message}\n  → {fault.hint}", err=True)
                ctx.exit(int(fault.exit_code))
            click.echo(f"Lỗi không mong đợi: {type(exc).__name__}: {exc}", err=True)
            click.echo("  → Chạy lại với --debug và gửi kết quả cho người phát triển.", err=True)
            ctx.exit(int(ExitCode.BUILD))
        ctx.exit(int(code or 0))

    return wrapper


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    "-V",
    "--version",
    message="cchc-pipeline %(version)s",
    help="Hiện phiên bản rồi thoát.",
)
@click.option("--debug", is_flag=True, help="Hiện chi tiết kỹ thuật (traceback) khi có lỗi.")
@click.option("-q", "--quiet", is_flag=True, help="Không hiện tiến trình.")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Dựng báo cáo tổng kết cải cách hành chính từ bài nộp của các sở, ngành.

    Mỗi sở duy trì một plugin cho lĩnh vực của mình; cơ quan tổng hợp chạy “cchc build”
    để có báo cáo ở mọi định dạng (DOCX, PDF, HTML, PPTX, Markdown).

    \b
    Mã thoát: 0 thành công; 1 bài nộp có lỗi (verify: kết quả không khớp bản kê; diff:
    chưa có bản dự thảo trước); 2 sai cách dùng hoặc cấu hình; 3 plugin, pandoc hoặc typst
    gặp lỗi, hoặc không ghi được kết quả; 130 bị dừng.
    """
    ctx.obj = {"debug": debug, "quiet": quiet}


def _config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("config.toml"),
        metavar="TỆP",
        help=CONFIG_HELP,
    )(func)


def _output_option(help_text: str) -> Callable[..., Any]:
    """``-o DIR``: the output folder instead of the config's."""
    return click.option(
        "-o",
        "--output",
        "output_dir",
        type=click.Path(path_type=Path),
        metavar="THƯ_MỤC",
        help=help_text,
    )


def _wait_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--wait SECONDS``: how long to wait for another build of the same project."""
    from .lock import DEFAULT_WAIT

    return click.option(
        "--wait",
        type=float,
        callback=lambda ctx, param, value: _wait(value),
        default=DEFAULT_WAIT,
        show_default=True,
        metavar="GIÂY",
        help="Chờ tối đa GIÂY giây khi một lần dựng khác của dự án đang chạy (0: không chờ).",
    )(func)


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise click.BadParameter(f"cổng phải là số nguyên từ 1 đến 65535 (đã cho {value}).")
    return value


def _wait(value: float) -> float:
    if not 0 <= value <= 86400:
        raise click.BadParameter(f"số giây chờ phải từ 0 đến 86400 (đã cho {value:g}).")
    return value


def _project_lock(
    project_dir: Path, wait: float, quiet: bool, purpose: str = "dựng báo cáo"
) -> Any:
    """The project's build lock, its messages on standard error."""
    from .lock import ProjectLock

    def notify(text: str) -> None:
        if not quiet or text.startswith("Cảnh báo"):
            click.echo(text, err=True)

    return ProjectLock(project_dir, wait=wait, notify=notify, purpose=purpose)


@main.command()
@_config_option
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="ĐỊNH_DẠNG",
    help="md, docx, pdf, html hoặc pptx; lặp lại để chọn nhiều (mặc định: theo cấu hình).",
)
@_output_option("Thư mục ghi kết quả (mặc định: theo cấu hình).")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Vẫn dựng báo cáo khi một plugin gặp lỗi (phần đó được đánh dấu); mã thoát vẫn báo lỗi.",
)
@click.option("--final", is_flag=True, help="Dựng bản chính thức (bỏ dấu DỰ THẢO).")
@click.option("--no-cache", is_flag=True, help="Không dùng bộ nhớ đệm (dựng lại mọi thứ từ đầu).")
@_wait_option
@_common
def build(
    config_path: Path,
    formats: tuple[str, ...],
    output_dir: Path | None,
    keep_going: bool,
    final: bool,
    no_cache: bool,
    wait: float,
    quiet: bool,
) -> int:
    """Dựng báo cáo ở các định dạng đã chọn."""
    from .config import check_output_folder, load_config
    from .publish.uptodate import UpToDate

    config = load_config(config_path)
    if final:
        config = config.with_overrides(document={"final": True})
    target = output_dir.absolute() if output_dir else config.output_dir
    if output_dir:
        check_output_folder(config, target)
    options = {"formats": formats, "keep_going": keep_going, "final": final, "quiet": quiet}
    latest = UpToDate(config, target, options)
    with _project_lock(config.project_dir, wait, quiet):
        recorded = None if no_cache else latest.recorded()
        if recorded is not None:  # nothing changed since the last build: its result stands
            for line in recorded.err:
                click.echo(line, err=True)
            click.echo("Không có gì thay đổi từ lần dựng trước: các tệp kết quả vẫn như cũ.",
                       err=True)  # fmt: skip
            for line in recorded.out:
                click.echo(line)
            return ExitCode.OK
        latest.forget()
        code, out, err, published = _build(config, formats, target, keep_going, no_cache, quiet)
        if code == ExitCode.OK and not no_cache:
            latest.record(out, err, published)
    return code


def _build(
    config: Any,
    formats: tuple[str, ...],
    target: Path,
    keep_going: bool,
    no_cache: bool,
    quiet: bool,
) -> tuple[int, list[str], list[str], list[Path]]:
    """The build itself: its exit code, result lines, messages and the files it published."""
    from .console import Console
    from .pipeline import Pipeline

    console = Console(quiet=quiet)
    out: list[str] = []
    with Pipeline(
        config, console=console, keep_going=keep_going, use_cache=not no_cache, drafts=True
    ) as pipeline:
        try:
            result = pipeline.build(formats or None, target)
        finally:
            console.said += _print_findings(pipeline.report.findings, quiet)
    # what was written is the command's result, on standard output even with -q
    for name, path in result.outputs.items():
        out.append(f"Đã ghi {name}: {path}")
    rollup = result.report.rollup
    if rollup is not None and rollup.districts:  # which districts the report rolls up
        used = ", ".join(d.name for d in rollup.used) or "không đơn vị nào"
        missing = ", ".join(d.name for d in rollup.missing)
        out.append(
            f"Cấp huyện: đã tổng hợp {len(rollup.used)}/{len(rollup.districts)} đơn vị: {used}"
            + (f"; chưa dùng được: {missing}" if missing else "")
            + "."
        )
    published = list(result.outputs.values())
    if result.outputs:
        from .publish.manifest import manifest_name
        from .publish.outputs import MEDIA

        manifest = target / manifest_name(config.output["name"])
        out.append(f"Đã ghi bản kê: {manifest}")
        published += [manifest, target / MEDIA]
    for line in out:
        click.echo(line)
    if result.failures:
        click.echo(
            f"Báo cáo có {len(result.failures)} phần chưa dựng được (đã đánh dấu).", err=True
        )
        return ExitCode.BUILD, out, console.said, published
    if result.report.errors:
        return ExitCode.VALIDATION, out, console.said, published
    return ExitCode.OK, out, console.said, published


@main.command()
@_config_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Dạng kết quả: text (mặc định) cho người đọc, json cho máy.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="THƯ_MỤC",
    help="Ghi vào THƯ_MỤC cho mỗi đơn vị một tệp kết quả kiểm tra "
    "(ket-qua-kiem-tra-<plugin>.xlsx) để gửi lại đơn vị.",
)
@click.option(
    "--report-format",
    "report_formats",
    type=click.Choice(["xlsx", "html"]),
    multiple=True,
    help="Dạng tệp kết quả kiểm tra: xlsx (mặc định) hoặc html để in; lặp lại để ghi cả hai.",
)
@_common
def validate(
    config_path: Path,
    output_format: str,
    report_dir: Path | None,
    report_formats: tuple[str, ...],
    quiet: bool,
) -> int:
    """Kiểm tra bài nộp của các sở, ngành mà không dựng báo cáo."""
    from .config import load_config
    from .errors import ConfigError
    from .pipeline import Pipeline

    if report_formats and report_dir is None:
        raise ConfigError(
            "--report-format chỉ dùng cùng --report THƯ_MỤC.", "Thêm --report THƯ_MỤC."
        )
    with Pipeline(load_config(config_path)) as pipeline:
        if report_dir is not None:  # refused before anything is read, let alone written
            from .workflow.findings_report import check_report_folder

            check_report_folder(pipeline.config, report_dir, _plugin_folders(pipeline))
        findings = pipeline.collect_and_validate()
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        _print_grouped(pipeline, findings)
    if report_dir is not None:
        from .workflow.findings_report import write_reports

        for path in write_reports(pipeline.report, report_dir, report_formats or ("xlsx",)):
            # stdout stays pure JSON with --format json
            click.echo(f"Đã ghi kết quả kiểm tra: {path}", err=output_format == "json")
    return ExitCode.VALIDATION if pipeline.report.errors else ExitCode.OK


def _plugin_folders(pipeline) -> list[Path]:
    """The folders the loaded plugins live in (the shipped ones', a project's, a package's)."""
    from . import resources

    folders = [resources.plugins_dir()]
    for info in pipeline.plugins.infos.values():
        location = Path(info.location)
        if info.origin != "core" and location.is_dir():
            folders.append(location)
        elif info.origin != "core" and location.name == "__init__.py":
            folders.append(location.parent)
    return folders


@main.command()
@_config_option
@_output_option("Thư mục kết quả cần kiểm tra (mặc định: theo cấu hình).")
@_common
def verify(config_path: Path, output_dir: Path | None, quiet: bool) -> int:
    """Kiểm tra kết quả còn khớp với bài nộp đã dựng ra chúng (theo bản kê của lần dựng).

    \b
    Mã thoát: 0 mọi tệp khớp; 1 có đầu vào đã đổi (kết quả đã cũ), kết quả bị sửa hoặc mất,
    hoặc chưa có bản kê; 2 sai cấu hình.
    """
    from .config import load_config
    from .plugins import load_plugins
    from .publish.manifest import manifest_name, read_manifest
    from .publish.manifest import verify as compare

    config = load_config(config_path)
    target = output_dir.absolute() if output_dir else config.output_dir
    path = target / manifest_name(config.output["name"])
    manifest = read_manifest(path)
    plugins = [(i.name, i.version) for i in load_plugins(config).infos.values()]
    differences = compare(manifest, config.project_dir, target, plugins)
    for difference in differences:
        click.echo(f"- {difference}")
    if differences:
        click.echo(f"Có {len(differences)} điểm không khớp với bản kê {path}.")
        return ExitCode.VALIDATION
    if not quiet:
        count = len(manifest["inputs"]), len(manifest["outputs"])
        click.echo(f"Khớp: {count[0]} đầu vào và {count[1]} kết quả đúng như bản kê {path}.")
    return ExitCode.OK


@main.command()
@_config_option
@click.option(
    "--from",
    "since",
    metavar="PHIÊN_BẢN",
    help="So với bản dự thảo này (số lần, ví dụ 2, hoặc mã phiên bản) thay vì bản ngay trước.",
)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho máy đọc.")
@_common
def diff(config_path: Path, since: str | None, as_json: bool, quiet: bool) -> int:
    """Những gì đã thay đổi ở bản dự thảo mới nhất: các phần có nội dung sửa, số liệu cũ → mới.

    \b
    Mã thoát: 0 đã so sánh (kể cả khi không có thay đổi); 1 chưa có bản dự thảo trước để
    so sánh; 2 sai cấu hình hoặc không có bản dự thảo PHIÊN_BẢN.
    """
    from .config import load_config
    from .errors import ConfigError
    from .publish.drafts import DraftStore
    from .workflow.changes import compare

    config = load_config(config_path)
    store = DraftStore(config.project_dir, warn=lambda text: click.echo(text, err=True))
    latest = store.latest()
    if since is not None:
        base = store.find(since)
        if base is None:
            kept = ", ".join(f"{d.number} ({d.revision})" for d in store.drafts()) or "chưa có"
            raise ConfigError(
                f"Không có bản dự thảo “{since}” trong các bản đã lưu.",
                f"Các bản đã lưu (lần, phiên bản): {kept}.",
            )
    else:
        base = store.before(latest) if latest is not None else None
    if latest is not None and base is not None and base.number == latest.number:
        click.echo(
            f"Bản dự thảo lần {base.number} ({base.revision}) là bản mới nhất; "
            "chọn bằng --from một bản trước nó.",
            err=True,
        )
        return ExitCode.VALIDATION
    if latest is None or base is None:
        count = len(store.drafts())
        click.echo(
            "Chưa có bản dự thảo trước để so sánh: "
            + ("chưa dựng bản dự thảo nào." if not count else f"mới có {count} bản dự thảo.")
            + " Mỗi lần “cchc build” (bản dự thảo) có nội dung mới được lưu lại; dựng lại sau"
            " khi các đơn vị sửa bài nộp rồi chạy “cchc diff”.",
            err=True,
        )
        return ExitCode.VALIDATION
    changes = compare(base, latest)
    if as_json:
        click.echo(json.dumps(changes.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in changes.lines():
            click.echo(line)
    return ExitCode.OK


@main.command()
@_config_option
@_common
def status(config_path: Path, quiet: bool) -> int:
    """Tình trạng bài nộp của từng đơn vị: tệp nào đã có, sửa lúc nào, còn bao nhiêu lỗi."""
    import datetime as dt

    from .config import load_config
    from .inputs import submission_files
    from .intake.discovery import is_note
    from .model import Severity
    from .pipeline import Pipeline, severity_counts

    with Pipeline(load_config(config_path)) as pipeline:
        pipeline.collect_and_validate()
        waiting = 0
        for section in pipeline.report.sections.values():
            title = section.department.name if section.department else section.name
            counts = severity_counts(section.findings)
            files = []
            if section.submission is not None:
                files = submission_files(section.submission)
            ready = bool(files) and counts[Severity.ERROR] == 0 and section.failure is None
            waiting += not ready
            state = "SẴN SÀNG" if ready else "CHƯA SẴN SÀNG"
            click.echo(
                f"{title} ({section.name}): {state} — {counts[Severity.ERROR]} lỗi, "
                f"{counts[Severity.WARNING]} cảnh báo"
            )
            unused = set(section.unused_files)
            for path in files:
                changed = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d/%m/%Y %H:%M")
                mark = ""
                if path in unused:  # never read: a note for people, or a file to look at
                    mark = " — không dùng (ghi chú)" if is_note(path) else " — không dùng"
                click.echo(f"    {section.relative(path)}  (sửa lúc {changed}){mark}")
            if not files:
                click.echo("    (chưa có tệp nào)")
        _district_status(pipeline.report.rollup)
    click.echo(
        "Tất cả đơn vị đã sẵn sàng." if not waiting else f"Còn {waiting} đơn vị chưa sẵn sàng."
    )
    return ExitCode.VALIDATION if waiting else ExitCode.OK


def _district_status(rollup: Any) -> None:
    """``cchc status`` of a province: each ``[districts]`` entry, its export and its state."""
    if rollup is None or not rollup.districts:
        return
    click.echo(
        f"Cấp huyện: {len(rollup.used)}/{len(rollup.districts)} đơn vị có tệp dữ liệu dùng được"
    )
    for district in rollup.districts:
        if not district.used:
            problems = [f for f in rollup.findings if f.message.startswith(f"{district.name}:")]
            why = problems[0].message.removeprefix(f"{district.name}: ") if problems else ""
            click.echo(f"  {district.name}: CHƯA DÙNG ĐƯỢC — {why}")
            continue
        report = district.report
        number = f"số {report['number']}/{report['symbol']}" if report["number"] else "chưa có số"
        state = "bản chính thức" if district.final else "bản dự thảo"
        day = "/".join(reversed(report["date"].split("-")))
        click.echo(
            f"  {district.name}: {district.source} — {number}, ngày {day}, "
            f"phiên bản {report['revision']}, {state}, {district.errors} lỗi"
        )


def _print_findings(findings: list[Any], quiet: bool) -> list[str]:
    """Warnings and errors of a build, on stderr (the lines, returned); notices (how a
    narrative was understood) are for ``cchc validate`` and the findings files."""
    lines = [f"[{f.plugin}] {f}" for f in findings if f.severity.value != "info"]
    for line in lines:
        click.echo(line, err=True)
    return lines


def _print_grouped(pipeline: Any, findings: list[Any]) -> None:
    """``cchc validate``'s text form: findings grouped per department, then a total."""
    from .model import Severity
    from .pipeline import severity_counts

    for section in pipeline.report.sections.values():
        title = section.department.name if section.department else section.name
        counts = severity_counts(section.findings)
        state = "cần sửa" if counts[Severity.ERROR] else "đạt"
        click.echo(
            f"{title} ({section.name}): {counts[Severity.ERROR]} lỗi, "
            f"{counts[Severity.WARNING]} cảnh báo — {state}"
        )
        for finding in section.findings:
            click.echo(f"  - {finding}")
    rollup = pipeline.report.rollup
    if rollup is not None and rollup.districts:  # the districts' exports ([districts])
        counts = severity_counts(rollup.findings)
        click.echo(
            f"Cấp huyện ({len(rollup.used)}/{len(rollup.districts)} đơn vị dùng được): "
            f"{counts[Severity.ERROR]} lỗi, {counts[Severity.WARNING]} cảnh báo"
        )
        for finding in rollup.findings:
            click.echo(f"  - {finding}")
    total = severity_counts(findings)
    click.echo(f"Tổng cộng: {total[Severity.ERROR]} lỗi, {total[Severity.WARNING]} cảnh báo.")


@main.command()
@_config_option
@_common
def plugins(config_path: Path, quiet: bool) -> int:
    """Liệt kê các plugin: tên, đơn vị phụ trách, phiên bản, nguồn, các hook."""
    from .config import load_config
    from .plugins import ORIGIN_LABELS, load_plugins

    config = load_config(config_path) if config_path.is_file() else None
    found = load_plugins(config)
    for info in found.infos.values():
        department = info.department.name if info.department else "—"
        click.echo(
            f"{info.name:<12} {department:<32} {info.version:<8} "
            f"{ORIGIN_LABELS[info.origin]:<12} {info.location}"
        )
        click.echo(f"{'':<12} hook: {', '.join(info.hooks)}")
    return ExitCode.OK


@main.command()
@_config_option
@click.option(
    "--port",
    default=8000,
    type=int,
    callback=lambda ctx, param, value: _port(value),
    metavar="CỔNG",
    help="Cổng trên máy này, từ 1 đến 65535 (mặc định 8000).",
)
@_common
def preview(config_path: Path, port: int, quiet: bool) -> int:
    """Xem trước bản web, tự dựng lại và tải lại trang khi bài nộp thay đổi."""
    from .console import Console
    from .workflow.preview import Preview

    try:
        Preview(config_path, console=Console(quiet=quiet)).run(port)
    except KeyboardInterrupt:
        click.echo("Đã dừng xem trước.", err=True)
    except OSError as exc:
        click.echo(f"Lỗi: không mở được cổng {port}: {exc.strerror or exc}.", err=True)
        click.echo("  → Chọn cổng khác bằng --port.", err=True)
        return ExitCode.USAGE
    return ExitCode.OK


@main.command()
@_config_option
@_wait_option
@_common
def clean(config_path: Path, wait: float, quiet: bool) -> int:
    """Xóa bộ nhớ đệm của dự án báo cáo (không xóa bài nộp hay kết quả)."""
    import shutil

    from .cache import CACHE_DIR
    from .config import load_config

    project = load_config(config_path).project_dir
    folder = project / CACHE_DIR
    with _project_lock(project, wait, quiet, purpose="xóa bộ nhớ đệm"):
        if folder.is_dir():
            shutil.rmtree(folder)
            if not quiet:
                click.echo(f"Đã xóa bộ nhớ đệm {folder}.")
        elif not quiet:
            click.echo("Không có bộ nhớ đệm để xóa.")
    return ExitCode.OK


@main.command()
@click.argument("plugin", required=False, metavar="[PLUGIN]")
@click.option(
    "--all", "every", is_flag=True, help="Mẫu biểu của mọi đơn vị, mỗi đơn vị một thư mục."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="ĐƯỜNG_DẪN",
    help="Thư mục ghi so-lieu.xlsx và bao-cao.docx (mặc định: bieu-mau/PLUGIN trong thư mục "
    "dự án); hoặc một tên tệp .xlsx để ghi TÊN.xlsx và TÊN.docx cạnh nhau.",
)
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@_config_option
@_common
def form(
    config_path: Path, plugin: str | None, every: bool, output: Path | None, force: bool,
    quiet: bool,
) -> int:  # fmt: skip
    """Tạo mẫu biểu số liệu (Excel) và mẫu bài viết (Word) để gửi đơn vị điền."""
    from .config import load_config
    from .errors import ConfigError
    from .workflow.forms import write_forms

    if every == (plugin is not None):
        raise ConfigError(
            "Ghi tên một plugin hoặc --all (không dùng cả hai).",
            "Ví dụ: cchc form stp, hoặc cchc form --all -o bieu-mau.",
        )
    config = load_config(config_path, submissions_needed=False)  # the forms will fill them
    written, skipped = write_forms(config, plugin, output, force=force)
    for name in skipped:
        click.echo(
            f"Bỏ qua {name}: plugin không có danh mục chỉ tiêu nên không có mẫu biểu.", err=True
        )
    for path in written:
        click.echo(f"Đã ghi {path}")
    return ExitCode.OK


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), metavar="THƯ_MỤC")
@_common
def init(directory: Path, quiet: bool) -> int:
    """Tạo một dự án báo cáo mới (cấu hình và bài nộp mẫu) dựng được ngay."""
    from .workflow.scaffold import create_project

    written = create_project(directory)
    if not quiet:
        click.echo(f"Đã tạo dự án báo cáo trong {directory} ({len(written)} tệp).")
        click.echo(f"Tiếp theo: cd {directory} && cchc build")
    return ExitCode.OK


@main.command("new-plugin")
@click.argument("name", metavar="TÊN")
@click.option(
    "--package",
    is_flag=True,
    help="Tạo gói cài đặt bằng pip (có entry point) thay cho thư mục plugin của dự án.",
)
@_output_option(
    "Nơi đặt plugin (mặc định: thư mục plugins/ cạnh tệp cấu hình; với --package: thư mục "
    "hiện tại)."
)
@click.option(
    "--minimal",
    is_flag=True,
    help="Lĩnh vực nhỏ nhất: một chỉ tiêu, dùng mẫu lời văn chung (không có gì phải gỡ bỏ).",
)
@click.option("--department", metavar="TÊN_ĐƠN_VỊ", help="Tên đơn vị phụ trách lĩnh vực.")
@click.option(
    "--field", "field_title", metavar="LĨNH_VỰC", help="Tên lĩnh vực: tiêu đề phần trong báo cáo."
)
@_config_option
@_common
def new_plugin(
    name: str,
    package: bool,
    minimal: bool,
    output_dir: Path | None,
    department: str | None,
    field_title: str | None,
    config_path: Path,
    quiet: bool,
) -> int:
    """Tạo plugin cho một lĩnh vực mới: danh mục chỉ tiêu, mẫu, bài nộp mẫu, phép thử.

    Plugin dạng thư mục được thêm luôn vào dự án báo cáo (cấu hình và bài nộp mẫu) để lần
    dựng tiếp theo có phần của lĩnh vực; TÊN viết thường, không dấu, ví dụ bqlkkt.
    """
    from .workflow.newplugin import new_plugin as create

    lines = create(
        name,
        package=package,
        minimal=minimal,
        output_dir=output_dir,
        department=department,
        field_title=field_title,
        config_path=config_path,
    )
    for line in lines:  # what was made and where: the result, shown even with -q
        click.echo(line)
    return ExitCode.OK


@main.command()
@_config_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ĐỊA_CHỈ",
    help="Địa chỉ nhận kết nối; mặc định chỉ máy này (127.0.0.1).",
)
@click.option(
    "--port",
    default=8080,
    type=int,
    show_default=True,
    metavar="CỔNG",
    callback=lambda ctx, param, value: _port(value),
    help="Cổng, từ 1 đến 65535.",
)
@_common
def serve(config_path: Path, host: str, port: int, quiet: bool) -> int:
    """Chạy cổng nộp bài trên web: các đơn vị gửi bài, cơ quan tổng hợp theo dõi và dựng."""
    from .portal.server import serve as run

    try:
        run(config_path, host, port, say=lambda text: click.echo(text, err=True))
    except KeyboardInterrupt:
        click.echo("Đã dừng cổng nộp bài.", err=True)
    except OSError as exc:
        click.echo(f"Lỗi: không mở được cổng {port}: {exc.strerror or exc}.", err=True)
        click.echo("  → Chọn cổng khác bằng --port.", err=True)
        return ExitCode.USAGE
    return ExitCode.OK


@main.group(cls=_Group)
def users() -> None:
    """Tài khoản của cổng nộp bài: thêm, xem, cấp lại mật khẩu."""


def _portal_db(config_path: Path) -> Any:
    from .config import load_config
    from .portal.database import make_engine, migrate, sessions
    from .portal.settings import settings_of

    config = load_config(config_path)
    engine = make_engine(settings_of(config).database)
    migrate(engine)
    return config, sessions(engine)()


@users.command("add")
@click.argument("name", metavar="TÊN")
@click.option(
    "--department", "section", metavar="PLUGIN", help="Tài khoản của đơn vị phụ trách PLUGIN."
)
@click.option("--coordinator", is_flag=True, help="Tài khoản của cơ quan tổng hợp (xem mọi phần).")
@_config_option
@_common
def users_add(name: str, section: str | None, coordinator: bool, config_path: Path,
              quiet: bool) -> int:  # fmt: skip
    """Thêm tài khoản và in mật khẩu một lần để trao cho người dùng."""
    from .errors import ConfigError
    from .portal.accounts import add_user
    from .portal.checking import sections_of

    if coordinator == (section is not None):
        raise ConfigError("Ghi --department PLUGIN hoặc --coordinator (một trong hai).",
                          "Ví dụ: cchc users add stp --department stp.")  # fmt: skip
    config, db = _portal_db(config_path)
    with db:
        password = add_user(db, name.strip().lower(), section, list(sections_of(config)))
    click.echo(f"Đã thêm tài khoản {name.strip().lower()}. Mật khẩu một lần: {password}")
    click.echo("Người dùng đặt mật khẩu của mình ở lần đăng nhập đầu.", err=True)
    return ExitCode.OK


@users.command("list")
@_config_option
@_common
def users_list(config_path: Path, quiet: bool) -> int:
    """Danh sách tài khoản."""
    from sqlalchemy import select

    from .portal.models import User

    _config, db = _portal_db(config_path)
    with db:
        found = list(db.scalars(select(User).order_by(User.name)))
        for user in found:
            role = "tổng hợp" if user.is_coordinator else f"đơn vị {user.section}"
            state = (
                "bị khóa"
                if user.locked
                else ("chưa đổi mật khẩu" if user.must_change else "đang dùng")
            )
            click.echo(f"{user.name}\t{role}\t{state}")
    if not found:
        click.echo("Chưa có tài khoản nào; thêm bằng “cchc users add”.", err=True)
    return ExitCode.OK


@users.command("reset")
@click.argument("name", metavar="TÊN")
@_config_option
@_common
def users_reset(name: str, config_path: Path, quiet: bool) -> int:
    """Cấp lại mật khẩu một lần (mở khóa tài khoản, đóng các phiên đang mở)."""
    from .portal.accounts import reset_password

    _config, db = _portal_db(config_path)
    with db:
        password = reset_password(db, name.strip().lower())
    click.echo(f"Mật khẩu một lần mới của {name.strip().lower()}: {password}")
    return ExitCode.OK
