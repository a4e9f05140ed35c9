"""Tables of the advisories domain.

Advisories are published by vendors and shared by every organisation, so
these rows carry no organization_id. `advisory_affected` holds either one
exact release (`version_normalized`) or one range (introduced / fixed /
last_affected, tied to `train` when set); `advisory_unplaced` keeps the
products fixright could not place, so they are reported and never matched.
`kev_entry` and `epss_score` hold, per CVE, what CISA's KEV catalog and
FIRST's EPSS say: the facts that order what to fix first.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fixright.db import Base, UtcDateTime, utcnow


class Advisory(Base):
    __tablename__ = "advisory"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    advisory_id: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    cvss: Mapped[float | None] = mapped_column(Float)
    cves: Mapped[list[str]] = mapped_column(JSON, default=list)
    bug_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revision: Mapped[str] = mapped_column(String(64), default="")
    vendor: Mapped[str] = mapped_column(String(120), default="")
    # Releases the document names as not affected: [[os_family, version], ...].
    not_affected: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{category, text, url, product_ids, os_families}, ...] as the document gives them.
    remediations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{version, base_score, vector, severity}, ...]: every published score, v2 to v4.
    cvss_scores: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source_name: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    affected: Mapped[list[AdvisoryAffected]] = relationship(
        back_populates="advisory", cascade="all, delete-orphan", passive_deletes=True
    )
    fixed: Mapped[list[AdvisoryFixed]] = relationship(
        back_populates="advisory", cascade="all, delete-orphan", passive_deletes=True
    )
    unplaced: Mapped[list[AdvisoryUnplaced]] = relationship(
        back_populates="advisory", cascade="all, delete-orphan", passive_deletes=True
    )


class AdvisoryAffected(Base):
    __tablename__ = "advisory_affected"
    __table_args__ = (
        Index("ix_advisory_affected_family_version", "os_family", "version_normalized"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(
        ForeignKey("advisory.id", ondelete="CASCADE"), index=True
    )
    os_family: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(200), default="")
    # Exact release: version as written, and its normalized spelling.
    version: Mapped[str | None] = mapped_column(String(80))
    version_normalized: Mapped[str | None] = mapped_column(String(80))
    # Range: introduced (inclusive), fixed (exclusive), last_affected (inclusive).
    introduced: Mapped[str | None] = mapped_column(String(80))
    fixed: Mapped[str | None] = mapped_column(String(80))
    last_affected: Mapped[str | None] = mapped_column(String(80))
    train: Mapped[str | None] = mapped_column(String(80))
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    # True when the document lists every affected release (lets the planner infer fixes).
    complete: Mapped[bool] = mapped_column(Boolean, default=True)

    advisory: Mapped[Advisory] = relationship(back_populates="affected")


class AdvisoryFixed(Base):
    __tablename__ = "advisory_fixed"

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(
        ForeignKey("advisory.id", ondelete="CASCADE"), index=True
    )
    os_family: Mapped[str] = mapped_column(String(32))
    train: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(80))
    product: Mapped[str] = mapped_column(String(200), default="")

    advisory: Mapped[Advisory] = relationship(back_populates="fixed")


class AdvisoryUnplaced(Base):
    __tablename__ = "advisory_unplaced"

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(
        ForeignKey("advisory.id", ondelete="CASCADE"), index=True
    )
    product: Mapped[str] = mapped_column(Text)
    os_family: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="affected")
    reason: Mapped[str] = mapped_column(Text)

    advisory: Mapped[Advisory] = relationship(back_populates="unplaced")


class KevEntry(Base):
    """One CVE of CISA's Known Exploited Vulnerabilities catalog (replaced by each import)."""

    __tablename__ = "kev_entry"

    cve: Mapped[str] = mapped_column(String(32), primary_key=True)
    vendor: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    date_added: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    # CISA's `knownRansomwareCampaignUse`: `Known` or `Unknown`.
    ransomware: Mapped[str] = mapped_column(String(16), default="")
    catalog_version: Mapped[str] = mapped_column(String(40), default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EpssScore(Base):
    """FIRST's EPSS score of one CVE: the probability of exploitation in the next 30 days."""

    __tablename__ = "epss_score"

    cve: Mapped[str] = mapped_column(String(32), primary_key=True)
    epss: Mapped[float] = mapped_column(Float)
    percentile: Mapped[float | None] = mapped_column(Float)
    score_date: Mapped[date | None] = mapped_column(Date)
    model_version: Mapped[str] = mapped_column(String(40), default="")
