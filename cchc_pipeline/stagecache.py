"""Cached stage results: an unchanged department is not collected again, and an unchanged
report is neither validated nor rendered again.

Collection is what costs (reading the files, pandoc for the narratives). Its result depends
only on the plugin (code, catalogue, templates), the department's submission folder, the
configuration and the core, so it is kept per section under the digest of those. Validation
and rendering may read every section (the coordinator's summary, duplicate nominations), so
their results are kept for the whole report, under the digest of every section's collection
key (and, for rendering, the templates): when one department changes, it alone is collected
again, then every section is validated and rendered again, which is cheap.

Entries are pickled into the project's cache folder, and a pickle is only ever loaded from an
entry whose signature (made with the user's own key, kept outside the project, see
:mod:`cchc_pipeline.cache`) and digests match: a pickle copied in with a project, or edited,
is never loaded, so it cannot run code. A section whose data cannot be pickled, or whose
hook failed, is not cached; an entry that cannot be read back (another Python, a plugin's
class renamed) or that holds the wrong shape is a miss, never an error.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .cache import Cache, digest, tree_digest
from .plugins import PluginInfo
from .report import Section


def folder_digest(folder: Path | None) -> str:
    """Every file's path and content under ``folder`` (see :func:`~.cache.tree_digest`)."""
    return tree_digest([folder] if folder is not None else [])


@lru_cache(maxsize=1)
def core_digest() -> str:
    """The core's own code: a change to it (even without a new version) is a new key. Only
    its Python files: an installed package also holds the shipped templates, plugins and
    sample (``_shipped/``), which the keys cover where they are used."""
    package = Path(__file__).parent
    files = sorted(
        p for p in package.rglob("*.py") if "_shipped" not in p.relative_to(package).parts
    )
    return digest(
        *(part for p in files for part in (p.relative_to(package).as_posix(), p.read_bytes()))
    )


def plugin_digest(info: PluginInfo) -> str:
    """A plugin's name, version and files (a package's whole folder: code, catalogue,
    templates), or only name and version for a plugin that is not a file."""
    source = getattr(info.plugin, "__file__", None)
    if not source:
        return digest(info.name, info.version)
    path = Path(source)
    if path.name == "__init__.py":
        return digest(info.name, info.version, folder_digest(path.parent))
    return digest(info.name, info.version, path.read_bytes())


class StageCache:
    """Reads and writes the three kinds of entries: ``collect``, ``validate``, ``render``."""

    def __init__(self, root: Path | None, config_bytes: bytes) -> None:
        self.cache = Cache(root, "stages")
        self.config_bytes = config_bytes
        self._plugins: dict[str, str] = {}  # plugin name → digest, read once per build

    def plugin_key(self, info: PluginInfo) -> str:
        if info.name not in self._plugins:
            self._plugins[info.name] = plugin_digest(info)
        return self._plugins[info.name]

    @property
    def enabled(self) -> bool:
        return self.cache.enabled

    # -- keys ---------------------------------------------------------------------------

    def collect_key(self, section: Section, info: PluginInfo) -> str:
        """The plugin, the submission folder, the config, the core and pandoc (which reads
        the narratives): what a section's collection depends on."""
        from .publish.formats.pandoc import pandoc_version

        return digest("collect", core_digest(), self.plugin_key(info), self.config_bytes,
                      str(section.submission), folder_digest(section.submission),
                      pandoc_version())  # fmt: skip

    @staticmethod
    def report_key(stage: str, keys: list[str], *more: str) -> str:
        """A stage over the whole report: every section's collection key, in order."""
        return digest(stage, *keys, *more)

    # -- entries ------------------------------------------------------------------------

    def load(self, key: str, names: Iterable[str] | None = None) -> dict[str, Any] | None:
        """The state stored under ``key``: a dict, holding every one of ``names`` when given;
        anything else (a missing, foreign, damaged or odd entry) is None: compute again."""
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            state = pickle.loads((entry / "state.pickle").read_bytes())
        except Exception:  # unreadable: recompute (the entry is replaced under a new key)
            return None
        if not isinstance(state, dict) or not all(n in state for n in names or ()):
            return None
        return state

    def store(self, key: str, state: Any, media: Path | None = None) -> None:
        if not self.enabled:
            return
        try:
            data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a plugin's data that cannot be pickled is not cached
            return
        with tempfile.TemporaryDirectory(prefix="cchc-stage-") as scratch:
            state_file = Path(scratch) / "state.pickle"
            state_file.write_bytes(data)
            files = {"state.pickle": state_file}
            if media is not None and media.is_dir() and any(media.iterdir()):
                files["media"] = media
            self.cache.put(key, files)

    def media_of(self, key: str) -> Path | None:
        entry = self.cache.get(key)
        return entry / "media" if entry is not None and (entry / "media").is_dir() else None


def collected_state(section: Section) -> dict[str, Any]:
    """What collection leaves on a section."""
    return {"data": section.data, "nominations": section.nominations,
            "findings": list(section.findings), "used_files": section.used_files,
            "aliases": section.aliases}  # fmt: skip


COLLECTED = ("data", "nominations", "findings")


def restore_collected(section: Section, state: dict[str, Any], media: Path | None) -> None:
    section.data = state["data"]
    section.nominations = state["nominations"]
    section.findings = list(state["findings"])
    section.used_files = state.get("used_files")
    section.aliases = dict(state.get("aliases", {}))
    if media is not None:
        shutil.copytree(media, section.media_dir, dirs_exist_ok=True)
