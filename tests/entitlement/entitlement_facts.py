"""Builds entitlement facts from the real shared `show version` samples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.versions import parse

SHOW_VERSION = Path("show/cisco_ios/show_version")


def sample(shared_data: Path, name: str) -> dict:
    """The first parsed record of a shared ntc-templates show version sample."""
    doc = yaml.safe_load((shared_data / SHOW_VERSION / f"{name}.yml").read_text())
    return doc["parsed_sample"][0]


def device_from_sample(
    record: dict,
    *,
    device_id: int,
    os_family: str,
    platform: str,
    licence: str | None,
    coverage: tuple[CoverageFacts, ...] = (),
    member: int = 0,
) -> DeviceFacts:
    version = record["version"]
    return DeviceFacts(
        device_id=device_id,
        serial=record["serial"][member],
        model=record["hardware"][member],
        platform=platform,
        running_version=version,
        running_train=parse(os_family, version).train,
        licensed_feature_set=licence,
        coverage=coverage,
    )


def image(
    *,
    os_family: str,
    version: str,
    platform: str,
    feature_set: str | None,
    kind: str,
    published: date | None,
    public: bool = False,
    image_id: int = 1,
    filename: str | None = None,
) -> ImageFacts:
    return ImageFacts(
        image_id=image_id,
        filename=filename or f"{platform}-{feature_set or 'base'}.{version}.bin",
        platform=platform,
        feature_set=feature_set,
        release_version=version,
        release_train=parse(os_family, version).train,
        release_kind=kind,
        published_at=published,
        public=public,
    )


def facts(
    img: ImageFacts,
    devices: tuple[DeviceFacts, ...],
    *,
    today: date,
    fixes: dict[int, tuple[AdvisoryFix, ...]] | None = None,
) -> EntitlementFacts:
    return EntitlementFacts(today=today, organization="acme", image=img, devices=devices,
                            fixes=fixes or {})
