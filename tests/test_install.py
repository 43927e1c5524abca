"""The tool installed as the README says (``pip install .``, not editable), in a fresh venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding a wheel of this checkout (its dependencies from the running Python's
    environment)."""
    root = tmp_path_factory.mktemp("install")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(dist), str(REPO)],
        check=True,
    )  # fmt: skip
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # the dependencies: those of the running environment (a venv itself, under CI), after
    # the new venv's own packages, so that the wheel installed below is what is imported
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = subprocess.run(
        [str(bin_dir / "python"), "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    running = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site_packages) / "running-environment.pth").write_text(
        "".join(f"{path}\n" for path in running), encoding="utf-8"
    )
    wheel = next(dist.glob("cchc_pipeline-*.whl"))
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--force-reinstall", str(wheel)],
        check=True,
    )  # fmt: skip
    return bin_dir


def _checkout(tmp_path: Path) -> Path:
    """A copy of the repository's files as a clean clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    target = tmp_path / "checkout"
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def _cchc(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(bin_dir / "cchc"), *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(installed / "python"), "-c", "import cchc_pipeline; print(cchc_pipeline.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    ).stdout  # fmt: skip
    assert "site-packages" in where and str(REPO) not in where


def test_new_plugin_in_the_repository_then_build(installed, tmp_path):
    """The shipped plugins, installed and in the checkout's plugins/, load once."""
    checkout = _checkout(tmp_path)
    made = _cchc(installed, checkout, "new-plugin", "linh_vuc_moi")
    assert made.returncode == 0, made.stderr
    built = _cchc(installed, checkout, "build", "-f", "md", "-q")
    assert built.returncode == 0, built.stderr
    markdown = next((checkout / "build").glob("*.md")).read_text(encoding="utf-8")
    assert "### 7. Lĩnh vực LINH\\_VUC\\_MOI" in markdown  # escaped for Markdown
    assert "Hai plugin cùng tên" not in built.stderr
