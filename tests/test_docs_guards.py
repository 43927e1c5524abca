"""Guards that keep the reference pages and the code in step (as datasette's do for its hooks).

- docs/architecture.md names every module of the package, so a new one must be placed;
- docs/templates.md documents exactly the filters and globals the template environment
  offers, the variables the core passes to templates, ``data``'s members and the slots;
- docs/catalogue.md documents exactly the keys of ``catalogue.py``'s schema.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import jinja2.defaults
import pytest

from cchc_pipeline import catalogue
from cchc_pipeline.report import SLOTS

REPO = Path(__file__).resolve().parent.parent  # the checkout (the package may be installed)
PACKAGE = REPO / "cchc_pipeline"
DOCS = REPO / "docs"


def _section(page: str, heading: str) -> str:
    """The text of the ``## heading`` section of a page, up to the next ``## ``, without its
    code blocks (an example may open a line with ``#``)."""
    text = re.sub(r"^```.*?^```$", "", (DOCS / page).read_text(encoding="utf-8"), flags=re.M | re.S)
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"{page} has no section “## {heading}”"
    return match.group(1)


def _names(page: str, heading: str) -> set[str]:
    """The names of the ``### `name` `` headings of one section."""
    return set(re.findall(r"^### `([^`]+)`\s*$", _section(page, heading), re.M))


def _table_names(page: str, heading: str) -> list[str]:
    """The first column of the tables of one section, where it is a `name`."""
    return re.findall(r"^\| `([^`]+)` \|", _section(page, heading), re.M)


# -- docs/architecture.md ---------------------------------------------------------------


def test_every_module_is_named_in_the_architecture_page() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py)`", text))
    modules = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "_shipped" not in p.relative_to(PACKAGE).parts
    }
    assert modules - named == set(), "place and describe these in docs/architecture.md"
    relative = {n for n in named if not n.startswith(("cchc_pipeline/", "tests/", "plugins/"))}
    assert relative - modules == set(), "modules named in docs/architecture.md that are gone"


def test_the_architecture_page_draws_the_flow() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert "```mermaid\nflowchart" in text
    for room in ("intake/", "checks/", "render/", "publish/", "workflow/"):
        assert room in text


# -- docs/templates.md ------------------------------------------------------------------


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory):
    """The environment a section template is rendered in, from a real build's set-up."""
    from cchc_pipeline.config import load_config
    from cchc_pipeline.pipeline import Pipeline
    from cchc_pipeline.testing import ReportProject

    project = ReportProject.sample(tmp_path_factory.mktemp("env") / "bao-cao")
    with Pipeline(load_config(project.config_path), use_cache=False) as pipeline:
        info = pipeline.plugins.infos["stp"]
        yield pipeline._templates_for(info).env


def test_template_filters_are_documented(environment) -> None:
    offered = set(environment.filters) - set(jinja2.defaults.DEFAULT_FILTERS)
    assert offered == _names("templates.md", "Filters")


def test_template_globals_are_documented(environment) -> None:
    offered = set(environment.globals) - set(jinja2.defaults.DEFAULT_NAMESPACE)
    assert offered == _names("templates.md", "Globals")


def _dict_keys(function: object) -> set[str]:
    """The constant keys of the dict literals and ``setdefault`` calls in a function."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys.update(k.value for k in node.keys if isinstance(k, ast.Constant))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
        ):
            keys.update(a.value for a in node.args[:1] if isinstance(a, ast.Constant))
    return keys


def test_section_template_variables_are_documented() -> None:
    from cchc_pipeline.department import render_field
    from cchc_pipeline.report import Section

    passed = _dict_keys(render_field) | _dict_keys(Section.render)
    assert passed == _names("templates.md", "Variables")


def test_document_skeleton_variables_are_documented() -> None:
    from cchc_pipeline.pipeline import Pipeline

    tree = ast.parse(inspect.getsource(Pipeline))
    passed: set[str] = set()
    for node in ast.walk(tree):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if called and node.func.attr in ("_render_document", "render"):
            passed.update(k.arg for k in node.keywords if k.arg)
    documented = _names("templates.md", "Document skeletons")
    section_vars = _names("templates.md", "Variables")
    assert passed - documented - section_vars == set()
    assert documented - passed == set()


def test_field_data_members_are_documented() -> None:
    from cchc_pipeline.department import FieldData

    members = {n for n in vars(FieldData) if not n.startswith("_")}
    members |= set(FieldData.__dataclass_fields__)
    documented = _names("templates.md", "`data`: a field's figures")
    documented = {n.removeprefix("data.") for n in documented}
    assert members == documented


def test_slots_are_documented() -> None:
    assert _table_names("templates.md", "Slots") == list(SLOTS)


# -- docs/catalogue.md ------------------------------------------------------------------


@pytest.mark.parametrize("table", list(catalogue.SCHEMA))
def test_catalogue_keys_are_documented(table: str) -> None:
    heading = f"`[[{table}]]`" if "." not in table else f"`{table.split('.')[1]}`"
    assert _table_names("catalogue.md", heading) == list(catalogue.SCHEMA[table])


def test_catalogue_tables_are_documented() -> None:
    text = (DOCS / "catalogue.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## `\[\[(\w+)\]\]`", text, re.M)
    assert headings == list(catalogue.TABLES)


def test_catalogue_kinds_are_documented() -> None:
    kinds = _table_names("catalogue.md", "Kinds and bounds")
    assert kinds == list(catalogue.KINDS)
    rule = _section("catalogue.md", "`[[rule]]`")
    chart = _section("catalogue.md", "`[[chart]]`")
    target = _section("catalogue.md", "`target`")
    assert all(f"`{k}`" in rule for k in catalogue.RULE_KINDS)
    assert all(f"`{k}`" in chart for k in catalogue.CHART_KINDS)
    assert all(f'`"{k}"`' in target for k in (*catalogue.OPERATORS, *catalogue.MEASURES))


def test_the_loader_refuses_a_key_outside_the_schema(tmp_path: Path) -> None:
    from cchc_pipeline.errors import PluginError

    path = tmp_path / "catalogue.toml"
    path.write_text(
        '[[indicator]]\nid = "a"\nlabel = "A"\nunit = "x"\nform_year = 2016\n'
        'share = { numerator = "a", denominatr = "a" }\n',
        encoding="utf-8",
    )
    with pytest.raises(PluginError) as raised:
        catalogue.load_catalogue(path)
    message = str(raised.value)
    assert "“form_year”" in message and "“from_year”" in message
    assert "“share.denominatr”" in message and "“denominator”" in message


def test_shared_macros_are_documented() -> None:
    """The core's shared templates' macros (``templates/*.j2``) are the Macros of the page."""
    defined = {
        name
        for path in (REPO / "templates").glob("*.j2")
        for name in re.findall(r"{%-?\s*macro\s+(\w+)", path.read_text(encoding="utf-8"))
    }
    assert defined == _names("templates.md", "Macros")
