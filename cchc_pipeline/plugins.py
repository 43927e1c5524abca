"""Find, load, check and order the plugins of one build.

Four sources, in this order (like pytest's essential and default plugins plus ``pytest11``):

1. the core's built-in format plugins (md, docx, pdf, html, pptx), always loaded;
2. the department plugins shipped with the tool (``plugins/``, one folder each);
3. installed packages that declare an entry point in the group ``cchc_pipeline`` (set
   ``CCHC_DISABLE_PLUGIN_AUTOLOAD=1`` to skip them);
4. plugin folders named in ``[plugins] folders`` of the report's config.

A folder plugin is a sub-folder with an ``__init__.py`` or a single ``.py`` file; its name is
the folder's or file's name. Names are unique across sources. ``[plugins] disabled`` skips a
plugin before it is imported; ``[plugins] order`` sets the order of the report's sections.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pluggy

from . import __version__, hookspecs, resources
from .config import ReportConfig, did_you_mean
from .errors import ConfigError, PluginError
from .markers import PROJECT_NAME
from .model import Department, OutputFormat

ENTRY_POINT_GROUP = "cchc_pipeline"
NO_AUTOLOAD_ENV = "CCHC_DISABLE_PLUGIN_AUTOLOAD"
BUILTIN_FORMATS = (
    "cchc_pipeline.publish.formats.markdown",
    "cchc_pipeline.publish.formats.docx",
    "cchc_pipeline.publish.formats.pdf",
    "cchc_pipeline.publish.formats.html",
    "cchc_pipeline.publish.formats.pptx",
    "cchc_pipeline.publish.formats.xlsx",
)
SECTION_HOOKS = ("cchc_collect", "cchc_validate", "cchc_render")
ORIGIN_LABELS = {
    "core": "lõi",
    "built-in": "đi kèm",
    "entry point": "gói cài đặt",
    "folder": "thư mục",
}
_FOLDER_PACKAGE = "cchc_plugins"
# What a plugin was doing in each hook, for the message when it raises.
HOOK_STAGES = {
    "cchc_configure": "đọc cấu hình",
    "cchc_department": "khai báo đơn vị",
    "cchc_template_filters": "khai báo bộ lọc mẫu",
    "cchc_template_globals": "khai báo biến mẫu",
    "cchc_output_formats": "khai báo định dạng kết quả",
    "cchc_build_started": "bắt đầu dựng",
    "cchc_build_finished": "kết thúc dựng",
    "cchc_collect": "thu thập dữ liệu",
    "cchc_validate": "kiểm tra dữ liệu",
    "cchc_render": "kết xuất nội dung",
}
_MODULES: dict[str, str] = {}  # module of each loaded plugin → the plugin's name


@dataclass
class PluginInfo:
    """What ``cchc plugins`` shows about one loaded plugin."""

    name: str
    origin: str  # core | built-in | entry point | folder
    location: str
    version: str
    plugin: Any = field(repr=False)
    department: Department | None = None
    hooks: tuple[str, ...] = ()

    @property
    def is_section(self) -> bool:
        """Whether the plugin contributes a part of the report (collects or renders)."""
        return any(hook in self.hooks for hook in SECTION_HOOKS)


@dataclass
class PluginSet:
    """The plugin manager of one build and what is known about each plugin."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo]
    order: list[str]  # section plugins in report order

    def sections(self) -> list[PluginInfo]:
        return [self.infos[name] for name in self.order]

    def call(self, info: PluginInfo, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook``; ``None`` when it has none."""
        return call_for(self.pm, info.plugin, hook, **kwargs)

    def formats(self) -> dict[str, OutputFormat]:
        """Every output format, by name; a name claimed by two plugins is an error."""
        found: dict[str, tuple[OutputFormat, str]] = {}
        for info in self.infos.values():
            for fmt in self.call(info, "cchc_output_formats") or ():
                if fmt.name in found:
                    raise PluginError(
                        f"Định dạng “{fmt.name}” được khai báo bởi cả plugin "
                        f"“{found[fmt.name][1]}” và “{info.name}”.",
                        "Tắt một trong hai plugin trong [plugins] disabled.",
                    )
                found[fmt.name] = (fmt, info.name)
        return {name: pair[0] for name, pair in found.items()}


def call_for(pm: pluggy.PluginManager, plugin: object, hook: str, **kwargs: Any) -> Any:
    """Call ``hook`` on ``plugin`` alone, through pluggy (argument pruning, tracing kept)."""
    others = [p for p in pm.get_plugins() if p is not plugin]
    results = pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)
    return results[0] if results else None


def new_manager() -> pluggy.PluginManager:
    """A plugin manager that knows every hook spec."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    return pm


def _load_path(name: str, path: Path) -> types.ModuleType:
    """Import a plugin folder (package) or file under a private, collision-free module name."""
    if _FOLDER_PACKAGE not in sys.modules:
        parent = types.ModuleType(_FOLDER_PACKAGE)
        parent.__path__ = []
        sys.modules[_FOLDER_PACKAGE] = parent
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    safe = re.sub(r"\W", "_", name)
    module_name = f"{_FOLDER_PACKAGE}.{safe}_{digest}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    if path.is_dir():
        spec = importlib.util.spec_from_file_location(
            module_name, path / "__init__.py", submodule_search_locations=[str(path)]
        )
    else:
        spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def folder_candidates(folder: Path) -> list[tuple[str, Path]]:
    """Plugins in a plugin folder: sub-folders with ``__init__.py`` and ``.py`` files."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            found.append((entry.name, entry))
        elif entry.is_file() and entry.suffix == ".py":
            found.append((entry.stem, entry))
    return found


def same_plugin(first: Path, second: Path) -> bool:
    """Whether two plugin folders hold the same code and files, tests and sample submission
    aside: a checkout's ``plugins/`` and the copy a non-editable install carries (the wheel
    leaves tests out), or the copy a plugin's own tests make of it."""
    from .inputs import submission_files

    def files(root: Path) -> dict[str, bytes]:
        if not root.is_dir():
            return {"": root.read_bytes()} if root.is_file() else {}
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in submission_files(root)
            if not {"tests", "mau-bai-nop"} & set(p.relative_to(root).parts)
        }

    try:
        return first.resolve() == second.resolve() or files(first) == files(second)
    except OSError:
        return False


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    return tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))


def load_plugins(config: ReportConfig | None, *, autoload: bool | None = None) -> PluginSet:
    """Load, register and check every plugin of a build; raise a clear error on any problem."""
    pm = new_manager()
    infos: dict[str, PluginInfo] = {}
    disabled = set(config.plugins["disabled"]) if config else set()
    if autoload is None:
        autoload = not os.environ.get(NO_AUTOLOAD_ENV)

    def register(name: str, origin: str, location: str, load, version: str | None) -> None:
        twin = name in infos and origin == "folder" and infos[name].origin == "built-in"
        if twin and same_plugin(Path(infos[name].location), Path(location)):
            return  # the repository's own plugins/ beside an installed copy of them
        if name in infos:
            raise PluginError(
                f"Hai plugin cùng tên “{name}”: {infos[name].location} và {location}.",
                "Đổi tên một plugin, hoặc tắt một plugin trong [plugins] disabled.",
            )
        try:
            plugin = load()
        except Exception as exc:
            raise PluginError(
                f"Không nạp được plugin “{name}” ({location}): {type(exc).__name__}: {exc}",
                "Báo cho người duy trì plugin; có thể tắt plugin trong [plugins] disabled.",
            ) from exc
        try:
            pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                f"Plugin “{name}” ({location}) khai báo hook sai: {exc}",
                "Đối chiếu tên và tham số của hook với tài liệu hook (cchc_pipeline/hookspecs.py).",
            ) from exc
        _MODULES[getattr(plugin, "__name__", "") or name] = name
        infos[name] = PluginInfo(
            name=name,
            origin=origin,
            location=location,
            version=version or getattr(plugin, "__version__", None) or __version__,
            plugin=plugin,
        )

    for module_name in BUILTIN_FORMATS:
        short = module_name.rsplit(".", 1)[1]
        register(short, "core", module_name, lambda m=module_name: importlib.import_module(m), None)

    for name, path in folder_candidates(resources.plugins_dir()):
        if name not in disabled:
            register(name, "built-in", str(path), lambda n=name, p=path: _load_path(n, p), None)

    if autoload:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in disabled:
                continue
            dist = getattr(ep, "dist", None)
            where = f"{ep.value} ({dist.name})" if dist else ep.value
            register(ep.name, "entry point", where, ep.load, dist.version if dist else None)

    folders = zip(config.plugins["folders"], config.plugin_folders, strict=True) if config else ()
    for folder_text, named in folders:
        folder = named.resolve()
        if not folder.is_dir():
            raise ConfigError(
                f"{config.where('plugins', 'folders')}: không tìm thấy thư mục plugin "
                f"“{folder_text}” (tìm ở {folder}).",
                "Sửa đường dẫn trong [plugins] folders, tính từ thư mục chứa tệp cấu hình.",
            )
        for name, path in folder_candidates(folder):
            if name not in disabled:
                register(name, "folder", str(path), lambda n=name, p=path: _load_path(n, p), None)

    _check_unknown_hooks(pm)
    for info in infos.values():
        info.hooks = _hooks_of(pm, info.plugin)
        if "cchc_department" in info.hooks:
            info.department = call_for(pm, info.plugin, "cchc_department")
        renamed = config.departments.get(info.name) if config else None
        if renamed and info.department is not None:
            info.department = replace(info.department, name=renamed)

    order = _section_order(config, infos, disabled)
    return PluginSet(pm=pm, infos=infos, order=order)


def blame(exc: BaseException) -> PluginError | None:
    """The failure of a plugin's hook, found in the traceback of ``exc``: which plugin, in
    which hook; ``None`` when no plugin's hook is in it (a fault of the core)."""
    frame_tb = exc.__traceback__
    while frame_tb is not None:
        frame = frame_tb.tb_frame
        module = str(frame.f_globals.get("__name__", ""))
        owner = next(
            (n for m, n in _MODULES.items() if module == m or module.startswith(m + ".")), None
        )
        hook = frame.f_code.co_name
        if owner is not None and hook in HOOK_STAGES:
            return PluginError(
                f"Plugin “{owner}” gặp lỗi ở bước {HOOK_STAGES[hook]} ({hook}): "
                f"{type(exc).__name__}: {exc}",
                f"Báo cho đơn vị phụ trách plugin “{owner}”; có thể tắt plugin trong "
                "[plugins] disabled.",
            )
        frame_tb = frame_tb.tb_next
    return None


def _check_unknown_hooks(pm: pluggy.PluginManager) -> None:
    """Fail loudly, naming the plugin, when it implements a hook no spec declares (a typo)."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        match = re.search(r"unknown hook '(\w+)'", str(exc))
        hook = match.group(1) if match else "?"
        specs = [n for n in dir(hookspecs) if n.startswith("cchc_")]
        raise PluginError(
            f"Plugin “{name}” cài đặt hook “{hook}” nhưng không có hook nào tên như vậy."
            f"{did_you_mean(hook, specs)}",
            "Sửa tên hàm trong plugin cho đúng tên hook (xem cchc_pipeline/hookspecs.py).",
        ) from exc


COORDINATOR = "tonghop"  # the standing agency's general parts close the report


def _section_order(
    config: ReportConfig | None, infos: dict[str, PluginInfo], disabled: Iterable[str]
) -> list[str]:
    sections = [name for name, info in infos.items() if info.is_section]
    if config is None:
        return sections
    for name in config.plugins["order"]:
        if name not in infos and name not in disabled:
            raise ConfigError(
                f"{config.where('plugins', 'order')}: không có plugin “{name}” (trong "
                f"[plugins] order).{did_you_mean(name, infos)}",
                "Xem danh sách plugin bằng “cchc plugins”.",
            )
    order = [name for name in config.plugins["order"] if name in sections]
    for name in sections:  # not in [plugins] order: where the plugin says, else before the end
        if name in order:
            continue
        department = infos[name].department
        after = department.after if department else None
        if after in order:
            order.insert(order.index(after) + 1, name)
        elif COORDINATOR in order:
            order.insert(order.index(COORDINATOR), name)
        else:
            order.append(name)
    return order
