"""Alembic's entry point for the portal's migrations: run on the connection it is given."""

from __future__ import annotations

from alembic import context

from cchc_pipeline.portal.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
