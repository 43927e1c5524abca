"""The portal's database on SQLite and on a real PostgreSQL server: the migrations, the
accounts' lock-out, the versions, the append-only audit log, and a journey over HTTP.

PostgreSQL is found at ``CCHC_TEST_DATABASE_URL`` (``.ci/run`` starts a server on
127.0.0.1 and exports it), else at the URL .ci/run uses; without a reachable server the
PostgreSQL cases are skipped, except under CI, where they fail."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import inspect, select, text

from .portal_helpers import Browser, fill_form, new_account

pytest.importorskip("sqlalchemy")
DEFAULT_URL = "postgresql://cchc:cchc-test@127.0.0.1:5432/cchc_test"


def _postgres_url() -> str:
    from cchc_pipeline.portal.database import make_engine

    url = os.environ.get("CCHC_TEST_DATABASE_URL", DEFAULT_URL)
    try:
        engine = make_engine(url)
        with engine.begin() as connection:  # a clean database for each test
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            connection.execute(text("DROP FUNCTION IF EXISTS audit_append_only() CASCADE"))
        engine.dispose()
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI (.ci/run starts it): {exc}")
        pytest.skip(f"no PostgreSQL server reachable: {type(exc).__name__}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'portal.sqlite3').as_posix()}"
    return _postgres_url()


@pytest.fixture
def engine(database_url):
    from cchc_pipeline.portal.database import make_engine, migrate

    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # a second upgrade finds nothing to do
    yield engine
    engine.dispose()


def test_the_migrations_make_the_tables(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"users", "versions", "version_files", "audit_events", "alembic_version"} <= tables
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        )


def test_accounts_lock_after_repeated_failures(engine):
    from cchc_pipeline.portal import accounts
    from cchc_pipeline.portal.database import sessions

    with sessions(engine)() as db:
        password = accounts.add_user(db, "stp", "stp", ["stp", "vp"])
        moment = dt.datetime(2020, 11, 1, 8, 0)
        for step in range(5):
            outcome = accounts.attempt(db, "stp", "sai", 5, moment + dt.timedelta(minutes=step))
            assert outcome.user is None
        assert outcome.locked_now
        assert accounts.attempt(db, "stp", password, 5, moment + dt.timedelta(hours=1)).user is None
        assert accounts.find(db, "stp").locked
        again = accounts.reset_password(db, "stp")
        assert accounts.attempt(db, "stp", again, 5, moment + dt.timedelta(hours=2)).user


def test_a_section_number_is_unique(engine):
    from sqlalchemy.exc import IntegrityError

    from cchc_pipeline.portal.database import sessions
    from cchc_pipeline.portal.models import Version

    with sessions(engine)() as db:
        db.add(Version(section="stp", number=1, author="stp"))
        db.commit()
        db.add(Version(section="stp", number=1, author="stp"))
        with pytest.raises(IntegrityError):
            db.commit()


def test_the_audit_log_is_append_only(engine):
    from cchc_pipeline.portal import audit
    from cchc_pipeline.portal.database import sessions

    with sessions(engine)() as db:
        audit.record(db, "stp", "login", "stp")
        audit.record(db, "stp", "upload", "stp", "phiên bản 2")
    for statement in ("DELETE FROM audit_events", "UPDATE audit_events SET actor = 'x'"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with sessions(engine)() as db:
        assert [(e.actor, e.action) for e in audit.latest(db)] == [
            ("stp", "upload"),
            ("stp", "login"),
        ]


def test_a_journey_on_the_configured_database(project, database_url):
    from cchc_pipeline.portal.app import create_app
    from cchc_pipeline.portal.models import AuditEvent, Version

    project.config_path.write_text(
        project.config_text() + f'\n[portal]\ndatabase = "{database_url}"\n', encoding="utf-8"
    )
    password = new_account(project, "stp", "--department", "stp")
    app = create_app(project.config_path)
    stp = Browser(app)
    stp.first_login("stp", password)
    form = project.root.parent / "so-lieu.xlsx"
    form.write_bytes(stp.get("/don-vi/stp/mau/so-lieu").data)
    fill_form(form, project, "stp", bad=False)
    assert stp.upload("stp", (form.read_bytes(), "so-lieu.xlsx")).status_code == 303
    with app.extensions["cchc"]["sessions"]() as db:
        versions = list(db.scalars(select(Version).order_by(Version.number)))
        assert [(v.number, v.errors) for v in versions] == [(1, 0), (2, 0)]
        assert {f.name for f in versions[1].files if f.sent} == {"so-lieu.xlsx"}
        actions = [e.action for e in db.scalars(select(AuditEvent))]
        assert actions[:3] == ["login", "password", "download"] and "upload" in actions
    app.extensions["cchc"]["engine"].dispose()
