"""Tables of the contracts domain: a contract and its coverage lines, one per serial."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fixright.db import Base


class Contract(Base):
    __tablename__ = "contract"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(100))
    service_level: Mapped[str] = mapped_column(String(64))
    # The span of its lines: the earliest start and the latest end.
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    # Sum of the lines' list prices, for the whole term (not per year).
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    lines: Mapped[list[CoverageLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="CoverageLine.serial"
    )


class CoverageLine(Base):
    __tablename__ = "coverage_line"
    __table_args__ = (
        UniqueConstraint("contract_id", "serial"),
        Index("ix_coverage_line_organization_id_serial", "organization_id", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    # Denormalised from the contract so coverage is looked up by (organisation, serial).
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    serial: Mapped[str] = mapped_column(String(64))
    pid: Mapped[str] = mapped_column(String(64))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    contract: Mapped[Contract] = relationship(back_populates="lines")
