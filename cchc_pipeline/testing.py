"""Test helpers for plugin authors, in the spirit of pytest's ``pytester``.

A test builds a throw-away report project from the shipped sample, adds its plugin (as a
plugin folder) or edits the configuration, runs the real ``cchc`` command in-process and
asserts on the exit code, the messages and the files written::

    def test_my_section(tmp_path):
        project = ReportProject.sample(tmp_path)
        project.add_plugin("extra", PLUGIN_SOURCE)
        result = project.run("build", "-f", "md")
        assert result.exit_code == 0
        assert "My section" in project.output("md").read_text(encoding="utf-8")
"""

from __future__ import annotations

import atexit
import inspect
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .workflow.scaffold import create_project


@dataclass(frozen=True)
class Result:
    """What a ``cchc`` run produced."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class ReportProject:
    """A report project in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def sample(cls, root: Path) -> ReportProject:
        """The shipped sample project (what ``cchc init`` writes), ready to build."""
        create_project(root)
        return cls(root)

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    def config_text(self) -> str:
        return self.config_path.read_text(encoding="utf-8")

    def edit_config(self, old: str, new: str) -> None:
        """Replace ``old`` (which must occur) by ``new`` in ``config.toml``."""
        text = self.config_text()
        if old not in text:
            raise AssertionError(f"{old!r} is not in {self.config_path}")
        self.config_path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def set_list(self, key: str, values: list[str]) -> None:
        """Set a list-valued key (such as ``order`` or ``folders``) wherever it is written."""
        text = self.config_text()
        rendered = "[" + ", ".join(f'"{v}"' for v in values) + "]"
        new, count = re.subn(
            rf"(?m)^{re.escape(key)}\s*=\s*\[[^\]]*\]", f"{key} = {rendered}", text
        )
        if count != 1:
            raise AssertionError(f"{key} = [...] is not written once in {self.config_path}")
        self.config_path.write_text(new, encoding="utf-8")

    def add_plugin(self, name: str, source: str, folder: str = "plugins") -> Path:
        """Write a single-file plugin into a plugin folder of the project and enable the folder."""
        target = self.root / folder
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        self._enable_folder(folder)
        return path

    def _enable_folder(self, folder: str) -> None:
        match = re.search(r"(?m)^folders\s*=\s*\[([^\]]*)\]", self.config_text())
        present = re.findall(r'"([^"]*)"', match.group(1)) if match else []
        if folder not in present:
            self.set_list("folders", [*present, folder])

    def add_department(self, name: str, folder: Path) -> None:
        """Add the department plugin in ``folder`` (as ``cchc new-plugin`` writes it) with its
        sample submission. A plugin installed as a package (entry point ``name``) is used as
        installed; otherwise the folder is copied into the project's ``plugins/``."""
        import importlib.metadata
        import os
        import shutil

        from .plugins import ENTRY_POINT_GROUP, NO_AUTOLOAD_ENV
        from .workflow.newplugin import SAMPLE_DIR

        folder = Path(folder)
        if os.environ.get(NO_AUTOLOAD_ENV) or not importlib.metadata.entry_points(
            group=ENTRY_POINT_GROUP, name=name
        ):
            skip = shutil.ignore_patterns("tests", SAMPLE_DIR, "__pycache__", ".*")
            shutil.rmtree(self.root / "plugins" / name, ignore_errors=True)  # a sample's copy
            shutil.copytree(folder, self.root / "plugins" / name, ignore=skip)
            self._enable_folder("plugins")
        # the sample may hold a folder of that name already (a checkout where the plugin was
        # made): the plugin's own sample submission is the one its tests are written for
        target = self.root / "submissions" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder / SAMPLE_DIR, target)

    def add_submission(self, name: str, files: dict[str, str | bytes]) -> Path:
        """Create ``submissions/<name>/`` with the given files."""
        folder = self.root / "submissions" / name
        folder.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    def edit_submission(self, name: str, relative: str, old: str, new: str) -> None:
        """Replace ``old`` (which must occur) by ``new`` in a text file of a submission."""
        path = self.root / "submissions" / name / relative
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise AssertionError(f"{old!r} is not in {path}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def set_value(self, plugin: str, indicator: str, year: int, text: str) -> None:
        """Write ``text`` into the cell of ``indicator`` and ``year`` of a plugin's data file."""
        import csv
        import io

        path = self.root / "submissions" / plugin / "so-lieu.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        column = rows[0].index(str(year))
        (row,) = [r for r in rows[1:] if r and r[0] == indicator]
        row[column] = text
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)  # quotes the cells with commas
        path.write_text(out.getvalue(), encoding="utf-8")

    def findings(self, plugin: str | None = None, notices: bool = False) -> list[dict]:
        """``cchc validate --format json``, optionally only one plugin's findings; errors and
        warnings only unless ``notices`` (how a narrative's outline was understood…)."""
        import json

        result = self.run("validate", "--format", "json")
        found = json.loads(result.stdout)
        return [
            f for f in found
            if (plugin is None or f["plugin"] == plugin) and (notices or f["severity"] != "info")
        ]  # fmt: skip

    def run(self, *args: str) -> Result:
        """Run ``cchc ARGS`` in-process with ``-c`` pointing at this project's config."""
        from click.testing import CliRunner

        from .cli import main

        command = list(args)
        with_config = {"build", "validate", "plugins", "status", "clean", "verify", "diff"}
        if command and command[0] in with_config and "-c" not in command:
            command[1:1] = ["-c", str(self.config_path)]
        result = CliRunner().invoke(main, command, prog_name="cchc")
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    def output(
        self, extension: str, document: str | None = None, output_dir: str | None = None
    ) -> Path:
        """The built file of the report (or of ``document``: "chuyen-de-stp", "khen-thuong")."""
        from .config import load_config

        config = load_config(self.config_path)
        folder = self.root / (output_dir or config.output["dir"])
        name = config.output["name"] + (f"-{document}" if document else "")
        path = folder / f"{name}.{extension}"
        if not path.is_file():
            raise AssertionError(f"{path} was not built; the folder has {sorted(folder.glob('*'))}")
        return path


def assert_findings(found: list[dict], expected: list[tuple[str, int]], file: str) -> None:
    """``found`` is exactly the errors ``expected``: (message fragment, line of ``file``) pairs,
    in any order; anything left over fails."""
    rest = list(found)
    for fragment, line in expected:
        where = {"file": file, "sheet": None, "cell": None, "line": line, "heading": None,
                 "paragraph": None}  # fmt: skip
        match = [f for f in rest if fragment in f["message"] and f["location"] == where]
        assert match, f"no finding with {fragment!r} at line {line} among {found}"
        assert match[0]["severity"] == "error"
        rest.remove(match[0])
    assert rest == [], f"unexpected findings: {rest}"


def indicator_lines(path: Path) -> dict[str, int]:
    """The line of each indicator's row in a ``so-lieu.csv`` (by its ``ma_chi_tieu``)."""
    from .intake.textfiles import read_rows
    from .intake.yearly import ID_COLUMN

    rows = list(read_rows(path))
    column = rows[0].index(ID_COLUMN)
    return {row[column]: n for n, row in enumerate(rows, start=1) if len(row) > column and n > 1}


def rule_id(rule) -> str:
    """A readable id for a catalogue rule, for test ids and coverage checks."""
    if rule.kind == "sum":
        return f"sum {rule.total} = {' + '.join(rule.parts)}"
    if rule.kind == "not_more":
        return f"not_more {rule.left} <= {' + '.join(rule.right)}"
    return f"{rule.kind} {rule.indicator}"


_CHECKED_SAMPLE: Path | None = None  # the sample FieldPluginCases copies (see new_project)


class FieldPluginCases:
    """The tests every reform-field plugin has; a department's test class gives the cases.

    ``PLUGIN`` is the plugin's name; ``BAD_VALUES``, ``RULES`` and ``SHARES`` are lists of
    ``pytest.param((indicator, year, text), [(message fragment, indicator), ...], id=...)``:
    each writes one cell of ``so-lieu.csv`` and expects exactly those errors, each on the row
    of the indicator named (its line is looked up, so adding an indicator to the catalogue and
    the sample shifts no case; a line number is accepted too). A rule's case id is
    its :func:`rule_id` and a share's the indicator's id, so that a rule or share added to the
    catalogue without a case fails ``test_every_rule_and_share_has_a_case``.
    """

    PLUGIN = ""
    BAD_VALUES: list = []  # noqa: RUF012 - overridden by each department's class
    RULES: list = []  # noqa: RUF012
    SHARES: list = []  # noqa: RUF012
    _CASES = {  # noqa: RUF012
        "test_bad_value_is_located": "BAD_VALUES",
        "test_broken_rule_is_located": "RULES",
        "test_share_that_disagrees_is_located": "SHARES",
    }

    def pytest_generate_tests(self, metafunc) -> None:
        """Parametrise each case test with the subclass's list (pytest calls this)."""
        cases = self._CASES.get(metafunc.function.__name__)
        if cases:
            metafunc.parametrize(("cell", "expected"), getattr(metafunc.cls, cases))

    @classmethod
    def new_project(cls, root: Path) -> ReportProject:
        """The project each test starts from: a copy of the shipped sample, checked once per
        process with its cache, so that only what a case changes is read and checked again
        (a new department overrides this and adds itself with
        :meth:`ReportProject.add_department`)."""
        global _CHECKED_SAMPLE
        if _CHECKED_SAMPLE is None or not _CHECKED_SAMPLE.is_dir():
            folder = Path(tempfile.mkdtemp(prefix="cchc-checked-sample-"))
            atexit.register(shutil.rmtree, folder, True)
            ReportProject.sample(folder / "bao-cao").findings()
            _CHECKED_SAMPLE = folder / "bao-cao"
        shutil.copytree(_CHECKED_SAMPLE, root, symlinks=True)
        return ReportProject(root)

    @classmethod
    def data_file(cls) -> str:
        return f"submissions/{cls.PLUGIN}/so-lieu.csv"

    @classmethod
    def catalogue(cls):
        from .catalogue import load_catalogue

        return load_catalogue(Path(inspect.getfile(cls)).resolve().parents[1] / "catalogue.toml")

    def _check(self, project: ReportProject, cell: tuple, expected: list) -> None:
        lines = indicator_lines(project.root / self.data_file())
        located = [(text, lines[at] if isinstance(at, str) else at) for text, at in expected]
        project.set_value(self.PLUGIN, *cell)
        assert_findings(project.findings(self.PLUGIN), located, self.data_file())

    def test_sample_is_clean(self, tmp_path) -> None:
        assert self.new_project(tmp_path / "bao-cao").findings(self.PLUGIN) == []

    def test_every_rule_and_share_has_a_case(self) -> None:
        catalogue = self.catalogue()
        assert {rule_id(r) for r in catalogue.rules} == {case.id for case in self.RULES}
        assert {i.id for i in catalogue if i.share} == {case.id for case in self.SHARES}

    def test_bad_value_is_located(self, tmp_path, cell, expected) -> None:
        self._check(self.new_project(tmp_path / "bao-cao"), cell, expected)

    def test_broken_rule_is_located(self, tmp_path, cell, expected) -> None:
        self._check(self.new_project(tmp_path / "bao-cao"), cell, expected)

    def test_share_that_disagrees_is_located(self, tmp_path, cell, expected) -> None:
        self._check(self.new_project(tmp_path / "bao-cao"), cell, expected)
