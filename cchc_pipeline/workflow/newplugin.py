"""``cchc new-plugin``: a department plugin that builds and passes its tests before any edit.

The files come from ``templates/new-plugin`` (``plugin/`` is the plugin's folder, ``package/``
what turns it into a pip-installable package), rendered with Jinja2: every ``*.j2`` file is
written without that suffix, ``{name}`` in a path becomes the plugin's name. The plugin keeps
its own illustrative sample submission (``mau-bai-nop/``) so that its tests run anywhere.

A folder plugin written inside a report project is also added to the project, so that the
next ``cchc build`` has its section with no other step: the folder is listed in ``[plugins]
folders``, the name placed in ``[plugins] order`` before the coordinator's general parts, the
sample copied to ``submissions/<name>`` and declared in ``[submissions]``. The config is edited
line by line (comments kept) and only when the result reads back as intended; otherwise the
command prints the lines to add. A package is never wired: it is in no build until installed.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, resources
from ..config import ReportConfig, load_config, validate_config
from ..errors import ConfigError, describe_os_error
from ..intake.tomlread import key_lines, tomllib
from ..plugins import COORDINATOR
from .configedit import EditRefused, set_keys, toml_value

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}\Z")
SAMPLE_DIR = "mau-bai-nop"
SCAFFOLD_DIR = "new-plugin"
MINIMAL_DIR = "minimal"  # what --minimal writes instead of the full example's files


@dataclass(frozen=True)
class PluginSpec:
    """What the scaffold needs: the name, the department and field, and the kind."""

    name: str
    department: str
    field: str
    package: bool = False
    minimal: bool = False  # one indicator and the core's templates: nothing to take apart

    @property
    def code(self) -> str:
        return self.name.upper()

    @property
    def module(self) -> str:
        """The importable module: the plugin folder's name, or ``cchc_plugin_<name>``."""
        return f"cchc_plugin_{self.name}" if self.package else self.name

    @property
    def distribution(self) -> str:
        return "cchc-plugin-" + self.name.replace("_", "-")

    @property
    def folder(self) -> str:
        """The folder created: the plugin itself, or the package around it."""
        return self.distribution if self.package else self.name

    def context(self) -> dict[str, Any]:
        from ..intake.narrative import DEPARTMENT_PARTS

        return {
            "name": self.name,
            "code": self.code,
            "department": self.department,
            "field": self.field,
            "package": self.package,
            "minimal": self.minimal,
            "module": self.module,
            "distribution": self.distribution,
            "class_name": "".join(part.capitalize() for part in self.name.split("_")),
            "core_version": __version__,
            "parts": DEPARTMENT_PARTS,
        }


def check_name(name: str, taken: dict[str, str]) -> None:
    """Refuse a name that cannot be a plugin's, or that a loaded plugin already has."""
    hint = (
        "Tên plugin viết thường, không dấu, bắt đầu bằng chữ cái, chỉ gồm chữ a-z, chữ số và "
        "dấu gạch dưới, tối đa 30 ký tự; ví dụ: bqlkkt, ban_dan_toc."
    )
    if not NAME_PATTERN.match(name):
        raise ConfigError(f"Tên plugin “{name}” không hợp lệ.", hint)
    if keyword.iskeyword(name):
        raise ConfigError(f"Tên plugin “{name}” trùng một từ khóa của Python.", hint)
    if name in taken:
        raise ConfigError(
            f"Đã có plugin tên “{name}” ({taken[name]}).",
            "Chọn tên khác; xem các plugin đang có bằng “cchc plugins”.",
        )


def _text(value: str | None, default: str, what: str) -> str:
    text = unicodedata.normalize("NFC", (value or default).strip())
    if not text or "\n" in text or "\r" in text:
        raise ConfigError(
            f"{what} phải là một dòng chữ.", f"Ghi {what.lower()} trong dấu ngoặc kép."
        )
    return text


def _environment(folder: Path):
    import jinja2

    from ..render.templating import escape

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    literal = lambda value: json.dumps(str(value), ensure_ascii=False)  # noqa: E731
    env.filters.update(py=literal, toml=literal, md=escape)
    return env


def _render_tree(
    env, part: str, target: Path, context: dict[str, Any], skip: set[str] | None = None
) -> None:
    """Render every file of ``templates/new-plugin/<part>`` into ``target`` (but ``skip``:
    files by their path in the tree, or folders ending in "/")."""
    base = resources.templates_dir() / SCAFFOLD_DIR / part
    for source in sorted(base.rglob("*.j2")):
        relative = source.relative_to(base).as_posix()
        if skip and any(relative == s or relative.startswith(s) for s in skip if s):
            continue
        path = target / relative[: -len(".j2")].replace("{name}", context["name"])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = env.get_template(f"{part}/{relative}").render(**context)
        path.write_text(text, encoding="utf-8", newline="\n")


def write_plugin(spec: PluginSpec, parent: Path) -> Path:
    """Write the plugin (or package) folder under ``parent`` all at once; return it."""
    root = parent / spec.folder
    if root.exists():
        raise ConfigError(
            f"{root} đã có; không ghi đè.", "Chọn tên khác, hoặc chọn nơi khác bằng -o."
        )
    env = _environment(resources.templates_dir() / SCAFFOLD_DIR)
    context = spec.context()
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{spec.folder}.", dir=parent))
        try:
            code = staging / spec.module if spec.package else staging
            if spec.minimal:  # the full example's files, less what the small one replaces
                small = resources.templates_dir() / SCAFFOLD_DIR / MINIMAL_DIR
                replaced = {p.relative_to(small).as_posix() for p in small.rglob("*.j2")}
                _render_tree(env, "plugin", code, context, skip={*replaced, "templates/"})
                _render_tree(env, MINIMAL_DIR, code, context)
            else:
                _render_tree(env, "plugin", code, context)
            if spec.package:
                _render_tree(env, "package", staging, context)
            staging.chmod(0o755)
            os.rename(staging, root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise ConfigError(
            f"Không tạo được plugin trong {parent}: {describe_os_error(exc)}.",
            "Kiểm tra quyền ghi của thư mục, hoặc chọn nơi khác bằng -o.",
        ) from exc
    return root


@dataclass
class Wiring:
    """What was done to the report project, or what the coordinator must add by hand."""

    changes: dict[tuple[str, str], Any] = field(default_factory=dict)
    submission: Path | None = None  # where the sample submission was copied
    edited: bool = False
    reason: str = ""  # why the config was not edited

    def describe(self) -> list[str]:
        return [
            f"[{table}] {key} = {toml_value(value)}" for (table, key), value in self.changes.items()
        ]


def plan_wiring(config: ReportConfig, spec: PluginSpec, parent: Path) -> Wiring | None:
    """The config keys to set for a folder plugin written in ``parent``; ``None`` when the
    folder is outside the project (the coordinator decides where it goes)."""
    project = config.project_dir.resolve()
    parent = parent.resolve()
    wiring = Wiring()
    if parent != resources.plugins_dir().resolve():  # the shipped folder is always loaded
        try:
            relative = parent.relative_to(project).as_posix()
        except ValueError:
            return None
        folders = list(config.plugins["folders"])
        if parent not in {(project / f).resolve() for f in folders}:
            wiring.changes[("plugins", "folders")] = [*folders, relative]
    order = list(config.plugins["order"])
    if order and spec.name not in order:  # an empty order lists nobody: nothing to add
        at = order.index(COORDINATOR) if COORDINATOR in order else len(order)
        wiring.changes[("plugins", "order")] = [*order[:at], spec.name, *order[at:]]
    if spec.name not in config.submissions:
        wiring.changes[("submissions", spec.name)] = f"submissions/{spec.name}"
    return wiring


def apply_wiring(config: ReportConfig, wiring: Wiring, spec: PluginSpec, root: Path) -> None:
    """Copy the sample submission (unless one is there) and edit the config, atomically."""
    from ..publish.atomic import write_atomically

    folder = config.submissions.get(spec.name, config.project_dir / "submissions" / spec.name)
    if not folder.exists():
        sample = (root / spec.module if spec.package else root) / SAMPLE_DIR
        staging = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=_mkdir(folder.parent)))
        shutil.copytree(sample, staging, dirs_exist_ok=True)
        staging.chmod(0o755)
        os.rename(staging, folder)
        wiring.submission = folder
    if not wiring.changes:
        wiring.edited = True
        return
    raw = config.path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = set_keys(raw.decode("utf-8-sig"), wiring.changes)
        validate_config(tomllib.loads(text), config.path, key_lines(text))
    except (EditRefused, ConfigError) as exc:
        wiring.reason = exc.message if isinstance(exc, ConfigError) else str(exc)
        return
    data = ("\ufeff" if bom else "") + text
    write_atomically(config.path, lambda tmp: tmp.write_bytes(data.encode("utf-8")))
    wiring.edited = True


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shown(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _taken(config: ReportConfig | None) -> dict[str, str]:
    from ..plugins import load_plugins

    return {name: info.location for name, info in load_plugins(config).infos.items()}


def new_plugin(
    name: str,
    *,
    package: bool = False,
    minimal: bool = False,
    output_dir: Path | None = None,
    department: str | None = None,
    field_title: str | None = None,
    config_path: Path | None = None,
) -> list[str]:
    """Create the plugin, wire a folder plugin into the report project; return what to say."""
    config = load_config(config_path) if config_path and config_path.is_file() else None
    check_name(name, _taken(config))
    spec = PluginSpec(
        name=name,
        department=_text(department, f"Đơn vị {name.upper()}", "Tên đơn vị"),
        field=_text(field_title, f"Lĩnh vực {name.upper()}", "Tên lĩnh vực"),
        package=package,
        minimal=minimal,
    )
    if output_dir is not None:
        parent = output_dir
    elif package or config is None:
        parent = Path.cwd() if package else Path("plugins")
    else:
        parent = config.project_dir / "plugins"
    parent = parent.absolute()
    wiring = plan_wiring(config, spec, parent) if config and not package else None
    root = write_plugin(spec, parent)
    count = sum(1 for p in root.rglob("*") if p.is_file())
    kind = "gói plugin" if package else "plugin"
    lines = [f"Đã tạo {kind} “{name}” trong {_shown(root)} ({count} tệp)."]
    if department is None or field_title is None:
        lines.append(
            f"Tên đơn vị “{spec.department}” và lĩnh vực “{spec.field}” là tên tạm: sửa "
            f"DEPARTMENT trong {_shown(root / (spec.module if package else '') / '__init__.py')}."
        )
    tests = _shown((root / spec.module if package else root) / "tests")
    if package:
        return [*lines, *_package_steps(spec, root, tests)]
    if wiring is not None:
        try:
            apply_wiring(config, wiring, spec, root)
        except OSError as exc:
            raise ConfigError(
                f"Đã tạo plugin nhưng chưa thêm được vào dự án: {describe_os_error(exc)}.",
                "Kiểm tra quyền ghi của thư mục dự án rồi thêm bằng tay (xem docs/plugins.md).",
            ) from exc
        if wiring.submission is not None:
            lines.append(f"Đã chép bài nộp mẫu (số liệu minh họa) vào {_shown(wiring.submission)}.")
        else:
            lines.append("Thư mục bài nộp của plugin đã có từ trước: giữ nguyên, không chép mẫu.")
        if wiring.edited:
            return [*lines, *_next_steps(config, wiring, spec, tests)]
    return [*lines, *_manual_steps(spec, parent, root, config, config_path, wiring)]


def _next_steps(config: ReportConfig, wiring: Wiring, spec: PluginSpec, tests: str) -> list[str]:
    lines = []
    if wiring.changes:
        lines.append(f"Đã sửa {_shown(config.path)}: " + "; ".join(wiring.describe()) + ".")
    return [
        *lines,
        "Tiếp theo:",
        f"  - dựng báo cáo, có phần “{spec.field}”: cchc build",
        f"  - chạy các phép thử của plugin: pytest {tests}",
        "  - sửa danh mục chỉ tiêu, mẫu lời văn và bài nộp mẫu theo lĩnh vực thật.",
    ]


def _manual_steps(
    spec: PluginSpec,
    parent: Path,
    root: Path,
    config: ReportConfig | None,
    config_path: Path | None,
    wiring: Wiring | None,
) -> list[str]:
    """What to add by hand when the project's config was not (or could not be) edited."""
    wanted = "Để có phần này trong báo cáo, thêm vào tệp cấu hình"
    if config is None:
        why = f"Không có tệp cấu hình {config_path or 'config.toml'}: chưa thêm vào dự án nào."
    elif wiring is None:  # plugin folders must be inside the project (config.py checks)
        why = f"{_shown(root)} nằm ngoài dự án báo cáo nên chưa sửa {_shown(config.path)}."
        wanted = f"Chép thư mục này vào thư mục plugins/ của dự án, rồi thêm vào {config.path.name}"
    else:
        why = f"Chưa sửa {_shown(config.path)} ({wiring.reason})."
    if wiring is not None and wiring.changes:
        entries = wiring.describe()
    else:
        folder = parent.name if config is None else "plugins"
        entries = [
            f'[plugins] folders: thêm "{folder}" (đường dẫn tính từ thư mục của tệp cấu hình)',
            f'[plugins] order: thêm "{spec.name}" trước "{COORDINATOR}"',
            f'[submissions] {spec.name} = "submissions/{spec.name}"',
        ]
    lines = [f"{why} {wanted}:", *(f"  {entry}" for entry in entries)]
    if wiring is None or wiring.submission is None:
        sample = _shown(root / SAMPLE_DIR)
        lines.append(f"và đặt bài nộp của đơn vị vào submissions/{spec.name} (mẫu: {sample}/).")
    return lines


def _package_steps(spec: PluginSpec, root: Path, tests: str) -> list[str]:
    return [
        "Tiếp theo:",
        f'  - cài gói để phát triển: pip install -e "{_shown(root)}[test]"',
        f"  - chạy các phép thử của plugin: pytest {tests}",
        f"  - trong dự án báo cáo: đặt bài nộp của đơn vị vào submissions/{spec.name} (mẫu: "
        f"{_shown(root / spec.module / SAMPLE_DIR)}/) rồi chạy cchc build; “cchc plugins” "
        "liệt kê gói với nguồn “gói cài đặt”.",
    ]
