"""Each draft compared with the previous one: ``<name>-so-sanh.docx`` per document that changed.

A build of a draft looks up the previous published draft in the project's draft store
(:mod:`.drafts`); for every document built in DOCX whose text changed since that draft, it
adds a comparison document, ``<basename>-so-sanh.docx``: the new draft with the differences as
Word tracked changes (:mod:`.tracked`), converted and published with the other outputs. Once
everything is published, the new draft is stored. A rebuild that publishes the same text and
figures as the latest stored draft stores nothing and compares that draft with the one before
it again, so it writes the same comparison files, byte for byte (the date of the tracked
changes is the date the draft was first built). A final build stores no draft and writes no
comparison. A comparison file left by an earlier build that this build has no reason to write
(the document did not change, or the build is final) is removed once the build is published,
so the folder never offers a stale comparison.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import Cache, digest
from ..errors import CchcError
from ..intake.limits import Limits
from .documents import Document
from .drafts import Draft, DraftStore, content_digest, figures_of, targets_of
from .tracked import tracked_tree

SUFFIX = "-so-sanh"
DEFAULT_AUTHOR = "cchc-pipeline"


def comparison_key(key: str) -> str:
    """The output key of a document's comparison: "so-sanh" for the report,
    "chuyen-de-stp-so-sanh" for a thematic report (its files "so-sanh.docx"…)."""
    return "so-sanh" if key == "report" else f"{key}{SUFFIX}"


def comparison_file(basename: str) -> str:
    """``bao-cao`` → ``bao-cao-so-sanh.docx``: the name the portal offers for download."""
    return f"{basename}{SUFFIX}.docx"


def created_now() -> str:
    """The time a new draft is stored, in UTC (SOURCE_DATE_EPOCH when set, for reproducible
    builds elsewhere)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        if epoch.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class DraftRound:
    """One build's place among the drafts: the comparisons to publish, the draft to store."""

    store: DraftStore
    built: list[Document]
    documents: list[Document] = field(default_factory=list)  # the comparisons
    pending: dict[str, Any] | None = None  # the draft to store once published
    summary: dict[str, Any] = field(default_factory=dict)  # for the manifest
    warn: Callable[[str], None] = lambda text: None

    def finish(self, output_dir: Path, published: dict[str, Path]) -> Draft | None:
        """After publishing: store the new draft and remove stale comparison files."""
        written = {path.name for path in published.values()}
        for document in self.built:
            if "docx" in document.formats:
                stale = output_dir / comparison_file(document.basename)
                if stale.name not in written and stale.is_file():
                    stale.unlink(missing_ok=True)
        if self.pending is None:
            return None
        try:
            return self.store.add(**self.pending)
        except OSError as exc:  # the outputs are published; only the comparison next time is lost
            from ..errors import describe_os_error

            self.warn(
                f"Cảnh báo: không lưu được bản dự thảo vào {self.store.folder}: "
                f"{describe_os_error(exc)}. Lần dựng sau sẽ không so sánh được với bản này; "
                "kiểm tra quyền ghi và dung lượng ổ đĩa."
            )
            return None


def plan(
    store: DraftStore,
    documents: list[Document],
    sections: list[Any],
    *,
    revision: str,
    final: bool,
    author: str,
    workdir: Path,
    limits: Limits | None = None,
    cache: Cache | None = None,
    warn: Callable[[str], None] = lambda text: None,
) -> DraftRound:
    """What this build adds to the drafts: the comparison documents and the draft to store."""
    built = [d for d in documents if d.reader == "markdown"]
    round_ = DraftRound(store, built, warn=warn)
    if final:
        return round_
    figures, targets = figures_of(sections), targets_of(sections)
    digests = {d.key: hashlib.sha256(d.markdown.encode("utf-8")).hexdigest() for d in built}
    latest = store.latest()
    if latest is not None and _holds(latest, digests, figures, targets):
        number, created = latest.number, latest.created
    else:
        number, created = (latest.number if latest else 0) + 1, created_now()
        round_.pending = {
            "revision": revision,
            "created": created,
            "documents": [
                (d.key, d.basename, str(d.metadata.get("title", "")), d.markdown) for d in built
            ],
            "figures": figures,
            "targets": targets,
        }
    earlier = [d for d in store.drafts() if d.number < number]
    round_.summary = {
        "draft": number,
        "previous": earlier[-1].revision if earlier else None,
        "comparisons": [],
    }
    for document in built:
        if "docx" not in document.formats:
            continue
        base = next((d for d in reversed(earlier) if document.key in d.documents), None)
        old = base.markdown(document.key) if base is not None else None
        if base is None or old is None or old == document.markdown:
            continue
        try:
            tree = _tracked(old, document.markdown, author, created, workdir, limits, cache)
        except CchcError as exc:  # the comparison is an extra: the draft itself still builds
            warn(
                f"Cảnh báo: không so sánh được {document.basename} với bản {base.revision}: "
                f"{exc.message}"
            )
            continue
        if tree is None:
            continue
        revision_text = f"{document.metadata.get('revision', '')}, so sánh với bản {base.revision}"
        round_.documents.append(
            Document(comparison_key(document.key), f"{document.basename}{SUFFIX}", tree,
                     ("docx",), None, {**document.metadata, "revision": revision_text}, "json")
        )  # fmt: skip
        round_.summary["comparisons"].append({
            "document": document.key,
            "file": comparison_file(document.basename),
            "since": base.revision,
        })  # fmt: skip
    return round_


def _holds(draft: Draft, digests: dict[str, str], figures: Any, targets: Any) -> bool:
    """Whether ``draft`` already says what this build publishes: the same figures, and each
    document built the same (a build restricted to fewer documents, ``-f md``, is no new
    draft)."""
    if draft.content == content_digest(digests, figures, targets):
        return True
    stored = {key: entry["sha256"] for key, entry in draft.documents.items()}
    same = all(stored.get(key) == sha for key, sha in digests.items())
    return same and content_digest({}, draft.figures, draft.targets) == content_digest(
        {}, figures, targets
    )


def _tracked(
    old: str,
    new: str,
    author: str,
    date: str,
    workdir: Path,
    limits: Limits | None,
    cache: Cache | None,
) -> str | None:
    """The tracked-changes tree of ``new`` against ``old`` (from the cache when made before)."""
    from . import tracked
    from .formats.pandoc import pandoc_version

    code = Path(sys.modules[tracked.__name__].__file__ or "").read_bytes()
    key = digest("so-sanh", code, pandoc_version(), old, new, author, date)
    hit = cache.get(key) if cache is not None and cache.enabled else None
    if hit is not None:
        text = (hit / "out").read_text(encoding="utf-8")
        return text or None
    result = tracked_tree(old, new, author=author, date=date, workdir=workdir, limits=limits,
                          trees=cache)  # fmt: skip
    text = result[0] if result is not None else ""
    if cache is not None and cache.enabled:
        path = workdir / f".so-sanh-{key[:16]}.json"
        path.write_text(text, encoding="utf-8")
        cache.put(key, {"out": path})
    return text or None
