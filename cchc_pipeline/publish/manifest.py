"""The audit trail of a build: ``<name>.manifest.json`` beside the outputs, and its check.

A coordinator must be able to say, weeks later, which submissions a signed PDF was made
from and whether the files on the shared drive are still those the tool wrote. The
manifest records every input (path, size, SHA-256), the plugins and tools that read them
and every output's hash. It holds no wall-clock time and its keys are sorted, so that two
builds of the same inputs write the same bytes. It is staged with the outputs and published
after them (see :mod:`cchc_pipeline.publish.outputs`): a manifest never describes files that
were not published. ``cchc verify`` (:func:`verify`) re-hashes both sides.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import CchcError, ExitCode
from ..inputs import InputFile, file_digest, input_files, shown_path
from ..intake.names import on_disk

SUFFIX = ".manifest.json"
FORMAT = 1  # the manifest's own version, raised when its shape changes


class ManifestError(CchcError):
    """There is no readable manifest to verify against."""

    exit_code = ExitCode.VALIDATION


def manifest_name(name: str) -> str:
    """``bao-cao`` → ``bao-cao.manifest.json``."""
    return name + SUFFIX


def _entry(item: InputFile) -> dict[str, Any]:
    return {"path": item.path, "size": item.size, "sha256": item.sha256}


def tool_versions() -> dict[str, str]:
    """The versions of what turns the inputs into outputs (besides the plugins)."""
    from importlib.metadata import version

    from .formats.pandoc import pandoc_version

    return {
        "cchc-pipeline": __version__,
        "pandoc": pandoc_version(),
        "python": platform.python_version(),
        "typst": version("typst"),
    }


def build_manifest(
    *,
    project_dir: Path,
    config_path: Path,
    folders: dict[str, Path],
    others: Iterable[Path],
    inputs: Iterable[InputFile],
    plugins: Iterable[tuple[str, str]],
    report: dict[str, Any],
    outputs: dict[str, Path],
    drafts: dict[str, Any] | None = None,
    districts: Iterable[str] = (),
) -> dict[str, Any]:
    """The manifest's content. ``folders`` are the submission folders by plugin, ``others``
    the project's other input folders, present or not (its templates, its plugin folders), that
    ``cchc verify`` looks in for files added since; ``outputs`` maps
    each published name (relative to the output folder, ``media/…`` included) to the file
    holding its final bytes; ``districts`` the districts' data exports read (inputs that may
    lie outside the project, re-hashed by ``cchc verify``)."""
    found = {
        "format": FORMAT,
        "districts": sorted(districts),
        "report": report,
        "config": shown_path(config_path, project_dir),
        "submissions": {
            name: shown_path(path, project_dir) for name, path in sorted(folders.items())
        },
        "folders": sorted(shown_path(path, project_dir) for path in others),
        "inputs": [_entry(item) for item in sorted(inputs, key=lambda f: f.path)],
        "plugins": [{"name": n, "version": v} for n, v in sorted(plugins)],
        "tools": tool_versions(),
        "outputs": [
            {"file": name, "size": path.stat().st_size, "sha256": file_digest(path)}
            for name, path in sorted(outputs.items())
        ],
    }
    if drafts:  # the draft's number and its comparison files (publish/comparison.py)
        found["drafts"] = drafts
    return found


def dump(manifest: dict[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, fixed indentation, a final newline."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# -- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One way the files on disk no longer match the manifest, in Vietnamese."""

    kind: str  # a key of _TEXTS: input-changed, input-added, output-missing…
    path: str

    def __str__(self) -> str:
        return _TEXTS[self.kind].format(path=self.path)


_TEXTS = {
    "input-changed": "Đầu vào {path} đã bị sửa sau lần dựng; kết quả đã cũ, cần dựng lại.",
    "input-added": "Đầu vào {path} mới được thêm sau lần dựng; kết quả đã cũ, cần dựng lại.",
    "input-removed": "Đầu vào {path} đã bị xóa sau lần dựng; kết quả đã cũ, cần dựng lại.",
    "plugin": "Plugin {path} đã đổi phiên bản hoặc bị gỡ; kết quả có thể đã cũ, cần dựng lại.",
    "output-changed": "Kết quả {path} đã bị sửa sau lần dựng (không còn là tệp công cụ đã ghi).",
    "output-missing": "Kết quả {path} không còn trong thư mục kết quả.",
}


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``; :class:`ManifestError` when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"Không có bản kê {path}: thư mục kết quả chưa được dựng bằng công cụ này.",
            "Dựng báo cáo bằng “cchc build” rồi kiểm tra lại.",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(
            f"Không đọc được bản kê {path} ({type(exc).__name__}).",
            "Bản kê đã bị sửa hoặc hỏng; dựng lại báo cáo bằng “cchc build”.",
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(
            f"Bản kê {path} không đúng dạng mà phiên bản này đọc được.",
            "Dựng lại báo cáo bằng “cchc build”.",
        )
    problem = _schema_problem(data)
    if problem:
        raise ManifestError(
            f"Bản kê {path} không đúng cấu trúc: {problem}.",
            "Bản kê đã bị sửa hoặc hỏng; dựng lại báo cáo bằng “cchc build”.",
        )
    return data


# What verify reads: key → (kind, the keys of each item for lists of records)
_SCHEMA: dict[str, tuple[type, tuple[str, ...]]] = {
    "config": (str, ()),
    "inputs": (list, ("path", "sha256")),
    "outputs": (list, ("file", "sha256")),
    "plugins": (list, ("name", "version")),
    "submissions": (dict, ()),
    "folders": (list, ()),
}


def _schema_problem(data: dict[str, Any]) -> str | None:
    """Why ``data`` is not a manifest :func:`verify` can read, or None."""
    for key, (kind, fields) in _SCHEMA.items():
        if key not in data:
            return f"thiếu khóa “{key}”"
        value = data[key]
        if not isinstance(value, kind):
            return f"khóa “{key}” sai kiểu"
        if kind is dict and not all(isinstance(v, str) for v in value.values()):
            return f"khóa “{key}” phải chỉ chứa đường dẫn"
        if kind is list and not fields and not all(isinstance(v, str) for v in value):
            return f"khóa “{key}” phải chỉ chứa đường dẫn"
        for number, item in enumerate(value if fields else (), start=1):
            if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
                return f"mục thứ {number} của “{key}” thiếu " + " hoặc ".join(fields)
    return None


def _contained(relative: str, folder: Path, what: str) -> Path:
    """``folder / relative``, refused when it leads out of ``folder``: a tampered manifest
    must not make verify read files elsewhere on the machine. The manifest names files in
    NFC; the folder may hold them in another form (see :mod:`..intake.names`)."""
    path = on_disk(folder, relative)
    if Path(relative).is_absolute() or not path.resolve().is_relative_to(folder.resolve()):
        raise ManifestError(
            f"Bản kê ghi {what} “{relative}” nằm ngoài thư mục {folder}; không kiểm tra.",
            "Bản kê đã bị sửa; dựng lại báo cáo bằng “cchc build”.",
        )
    return path


def verify(
    manifest: dict[str, Any],
    project_dir: Path,
    output_dir: Path,
    plugins: Iterable[tuple[str, str]] | None = None,
) -> list[Difference]:
    """Re-hash the inputs and outputs the manifest lists; every difference, inputs first."""
    found: list[Difference] = []
    recorded = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    folders = [
        _contained(p, project_dir, "thư mục đầu vào")
        for p in [*manifest["submissions"].values(), *manifest.get("folders", ())]
    ]
    config = _contained(manifest["config"], project_dir, "tệp cấu hình")
    present = {
        item.path: item.sha256
        for item in input_files(project_dir, config, [f for f in folders if f.is_dir()])
    }
    for shown in manifest.get("districts", ()):  # the districts' exports read
        path = on_disk(project_dir, shown) if isinstance(shown, str) else None
        if path is not None and path.is_file():
            present[shown] = file_digest(path)
    for path in sorted(recorded.keys() | present.keys()):
        if path not in present:
            found.append(Difference("input-removed", path))
        elif path not in recorded:
            found.append(Difference("input-added", path))
        elif present[path] != recorded[path]:
            found.append(Difference("input-changed", path))
    if plugins is not None:
        now = dict(plugins)
        for item in manifest["plugins"]:
            if now.get(item["name"]) != item["version"]:
                found.append(Difference("plugin", f"“{item['name']}” {item['version']}"))
    for item in manifest["outputs"]:
        path = _contained(item["file"], output_dir, "kết quả")
        if not path.is_file():
            found.append(Difference("output-missing", item["file"]))
        elif file_digest(path) != item["sha256"]:
            found.append(Difference("output-changed", item["file"]))
    return found


def sealer(pipeline: Any) -> Callable[[Path, dict[str, Path]], Path]:
    """The ``seal`` step of :func:`cchc_pipeline.publish.outputs.convert_and_publish` for a build:
    it writes the manifest of the staged outputs into the staging folder."""
    from ..config import report_epoch

    config = pipeline.config

    def seal(staging: Path, outputs: dict[str, Path]) -> Path:
        sections = pipeline.report.sections.values()
        folders = {s.name: s.submission for s in sections if s.submission is not None}
        others = [config.project_dir / "templates"]
        others += list(config.plugin_folders)
        manifest = build_manifest(
            project_dir=config.project_dir,
            config_path=config.path,
            folders=folders,
            others=others,
            # the build hashed the config and the submissions already; add the other folders
            inputs={
                *pipeline.inputs,
                *input_files(config.project_dir, config.path, [f for f in others if f.is_dir()]),
            },
            plugins=[(i.name, i.version) for i in pipeline.plugins.infos.values()],
            report={
                "name": config.output["name"],
                "date": config.document["date"].isoformat(),
                "epoch": report_epoch(config),
                "final": config.final,
                "revision": pipeline.revision,
            },
            outputs=outputs,
            drafts=pipeline.draft_round.summary if getattr(pipeline, "draft_round", None) else None,
            districts=[i.path for i in pipeline.district_inputs()],
        )
        path = staging / manifest_name(config.output["name"])
        path.write_bytes(dump(manifest))
        return path

    return seal
