"""Shared fixtures: sample projects and the external clients the tests read outputs with."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cchc_pipeline.cache import CACHE_DIR
from cchc_pipeline.testing import ReportProject

# The six reform fields' headings (or the distinctive part of them), in report order.
FIELDS = (
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Cải cách tài chính công",
    "Ứng dụng công nghệ thông tin",
    "TCVN ISO 9001",
)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``-n``), each test process keeps its own per-user cache folder (the
    signing key, the compiled templates, the narratives' PDF checks): the two processes then
    share no file outside their temporary folders and the PostgreSQL database, whose tests
    are all in one file (``--dist loadfile`` runs a file in one process)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from cchc_pipeline.cache import KEY_DIR_ENV, user_key_folder

        os.environ[KEY_DIR_ENV] = str(user_key_folder() / f"pytest-{worker}")


def require_tool(name: str) -> str:
    """The path of an external client; skip without it, except under CI where it must exist."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def pdf_text(path: Path) -> str:
    """The text of a PDF as poppler extracts it."""
    tool = require_tool("pdftotext")
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def project(tmp_path: Path) -> ReportProject:
    """A fresh copy of the shipped sample project."""
    return ReportProject.sample(tmp_path / "bao-cao")


@pytest.fixture(scope="session")
def markdown_sample(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    """The shipped sample built once as Markdown (read-only for the tests using it)."""
    project = ReportProject.sample(tmp_path_factory.mktemp("sample") / "bao-cao")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="session")
def sample_markdown(markdown_sample: ReportProject) -> str:
    """The shipped sample's report as Markdown, built once (what other submissions of the same
    figures must reproduce)."""
    return markdown_sample.output("md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    """The sample project built once in every format (read-only for the tests using it)."""
    project = ReportProject.sample(tmp_path_factory.mktemp("built") / "bao-cao")
    result = project.run("build")
    assert result.exit_code == 0, result.output
    return project


def sample_with_cache(built: ReportProject, root: Path) -> ReportProject:
    """A fresh copy of the shipped sample at ``root`` with the cache of ``built`` (a build of
    the sample; its outputs, drafts and record of the last build are not copied): what a test
    changes is read, checked and converted again, the rest comes from the cache, and every
    output is written anew."""
    from cchc_pipeline.publish.uptodate import RECORD

    project = ReportProject.sample(root)
    shutil.copytree(
        built.root / CACHE_DIR,
        project.root / CACHE_DIR,
        symlinks=True,
        ignore=lambda folder, names: [RECORD] if Path(folder) == built.root / CACHE_DIR else [],
    )
    return project


@pytest.fixture
def cached_project(markdown_sample: ReportProject, tmp_path: Path) -> ReportProject:
    """A fresh copy of the shipped sample with the cache of its Markdown build."""
    return sample_with_cache(markdown_sample, tmp_path / "bao-cao")


@pytest.fixture
def built_cache_project(built_sample: ReportProject, tmp_path: Path) -> ReportProject:
    """A fresh copy of the shipped sample with the cache of its build in every format."""
    return sample_with_cache(built_sample, tmp_path / "bao-cao")
