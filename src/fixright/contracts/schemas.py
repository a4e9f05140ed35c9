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
    lines_removed: int = 0
    unknown_serials: int


class ContractDetail(ContractOut):
    """A contract with its coverage lines, one per serial."""

    coverage: list[CoverageLineOut]


class UnknownSerialOut(BaseModel):
    row: int
    contract: str
    serial: str
    product_id: str


class ContractImportOut(BaseModel):
    """What an import did, per file name; lines on unregistered serials are kept and listed."""

    files: list[str]
    summary: ImportSummary
    contracts_created: list[str]
    contracts_updated: list[str]
    unknown_serials: list[UnknownSerialOut]
    ignored_columns: list[str]


class ExpiringOut(BaseModel):
    contract_number: str
    service_level: str
    serial: str
    pid: str
    end: date
    days_left: int
    renewed: bool


class ServiceLevelOut(BaseModel):
    service_level: str
    devices: int
    lines: int
    yearly_cost: dict[str, Decimal]


class CoverageDeviceOut(BaseModel):
    serial: str
    model: str | None
    platform: str | None
    covered: bool
    covered_until: date | None
    days_left: int | None


class CoverageReportOut(BaseModel):
    """Coverage on `today`; `lapsing` maps 30/60/90 days to how many devices lapse by then."""

    today: date
    devices: int
    covered: int
    uncovered: int
    lapsing: dict[str, int]
    yearly_cost: dict[str, Decimal]
    per_service_level: list[ServiceLevelOut]
    lines_on_unknown_serials: int
    device_rows: list[CoverageDeviceOut] | None = None
