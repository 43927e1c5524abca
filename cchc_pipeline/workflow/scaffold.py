"""``cchc init``: a new report project, copied from the shipped sample so that it builds as is."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import resources
from ..errors import ConfigError

SAMPLE_ITEMS = ("config.toml", "submissions", "districts")


def _plugin_folders(config: Path) -> list[str]:
    """The ``[plugins] folders`` of the sample's config (relative, inside it), if any."""
    from ..intake.tomlread import tomllib

    try:
        folders = tomllib.loads(config.read_text(encoding="utf-8")).get("plugins", {})
        folders = folders.get("folders", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [
        f for f in folders
        if isinstance(f, str) and f and not Path(f).is_absolute() and ".." not in Path(f).parts
    ]  # fmt: skip


def create_project(directory: Path) -> list[Path]:
    """Copy the sample config, submissions and districts' exports into ``directory`` (new or
    empty)."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ConfigError(
            f"Thư mục {directory} đã có nội dung; không ghi đè để tránh mất dữ liệu.",
            "Chọn một thư mục mới hoặc thư mục trống.",
        )
    sample = resources.sample_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample / "config.toml", directory / "config.toml")
        shutil.copytree(
            sample / "submissions",
            directory / "submissions",
            ignore=shutil.ignore_patterns("__pycache__", ".*"),
        )
        if (sample / "districts").is_dir():  # the districts' illustrative data exports
            shutil.copytree(
                sample / "districts",
                directory / "districts",
                ignore=shutil.ignore_patterns("__pycache__", ".*"),
            )
        for folder in _plugin_folders(sample / "config.toml"):
            # a sample whose config names plugin folders (a checkout where ``cchc new-plugin``
            # added one) is copied with them, so that the new project builds as the sample does
            if (sample / folder).is_dir() and not (directory / folder).exists():
                shutil.copytree(
                    sample / folder,
                    directory / folder,
                    ignore=shutil.ignore_patterns("__pycache__", ".*"),
                )
    except OSError as exc:
        raise ConfigError(
            f"Không tạo được dự án trong {directory}: {exc.strerror or exc}.",
            "Kiểm tra quyền ghi của thư mục.",
        ) from exc
    return sorted(p for p in directory.rglob("*") if p.is_file())
