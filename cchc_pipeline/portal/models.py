"""The portal's tables: accounts, submission versions and their files, the audit log.

The files themselves are not in the database: a version names its files by SHA-256 and
the bytes are in the content-addressed store (:mod:`.blobs`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

DEPARTMENT, COORDINATOR = "department", "coordinator"


def now() -> dt.datetime:
    """The current time in UTC, without microseconds (what the pages show)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    """One account: a department (or district) bound to one section, or the coordinator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    section: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change: Mapped[bool] = mapped_column(Boolean, default=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_failure: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    @property
    def is_coordinator(self) -> bool:
        return self.role == COORDINATOR

    # Flask-Login's protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.locked

    def get_id(self) -> str:
        """The id and the session token: a password reset ends every open session."""
        return f"{self.id}:{self.session_token}"


class Version(Base):
    """One version of a section's submission: the files it holds after an upload."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("section", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str] = mapped_column(Text, default="[]")  # JSON of Finding.to_dict()
    figures: Mapped[str] = mapped_column(Text, default="{}")  # JSON indicator → year → value
    files: Mapped[list[VersionFile]] = relationship(
        back_populates="version", order_by="VersionFile.name", cascade="all, delete-orphan"
    )


class VersionFile(Base):
    """A file of a version: its name in the submission folder and its content's digest."""

    __tablename__ = "version_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)  # sent in this version's upload
    version: Mapped[Version] = relationship(back_populates="files")


class AuditEvent(Base):
    """One line of the audit log; the database refuses to change or delete it."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    section: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
