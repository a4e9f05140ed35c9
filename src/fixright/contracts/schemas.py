"""API shapes of the contracts domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class ContractOut(BaseModel):
    number: str
    provider: str | None
    service_level: str
    start: date
    end: date
    lines: int
    cost: Decimal | None
    currency: str | None
    status: str


class CoverageLineOut(BaseModel):
    contract_number: str
    service_level: str
    serial: str
    pid: str
    start: date
    end: date
    cost: Decimal | None
    currency: str | None


class ImportSummary(BaseModel):
    contracts_created: int
    contracts_updated: int
    lines_created: int
    lines_updated: int
    lines_unchanged: int
    unknown_serials: int
