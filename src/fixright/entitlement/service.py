"""Entitlement operations: the stored policies, gathering facts, deciding, logging.

`decide(session, organization_id, image, actor=...)` is the one check the
download portal calls: it loads the active policy, gathers the facts for that
organisation and image in bulk (devices of the image's platform, their
licences and coverage lines, the advisories the image's release fixes for
each of them), evaluates, and records the decision in the audit log. Facts
are only ever drawn from the asking organisation's rows. Nothing commits.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fixright.advisories.cache import load_index
from fixright.advisories.exploits import kev_advisory_ids
from fixright.advisories.fleet import exposure_for_devices
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.models import Advisory
from fixright.advisories.planning import advisories_fixed_by
from fixright.advisories.results import DeviceKey
from fixright.audit import service as audit
from fixright.audit.models import AuditEvent
from fixright.catalog import service as catalog
from fixright.catalog.models import Image
from fixright.config import Settings
from fixright.contracts.service import CoverageInfo, coverage_by_serial
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.models import PolicyRow
from fixright.entitlement.policy import Decision, Policy, evaluate, load_policy
from fixright.entitlement.presets import PRESETS, is_preset, load_preset, preset_text
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.hardware import active_catalogue
from fixright.inventory.compatibility import devices_running, families_of
from fixright.versions import train_of

# -- stored policies ---------------------------------------------------------


def get_policy(session: Session, name: str) -> Policy:
    """A stored policy by name, else a preset; `NotFound` naming both kinds otherwise."""
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == name))
    if row is not None:
        return _stored_policy(row.toml, f"policy {name}", name)
    if is_preset(name):
        return load_preset(name)
    stored = session.scalars(select(PolicyRow.name).order_by(PolicyRow.name)).all()
    known = sorted(set(PRESETS) | set(stored))
    raise NotFound(f"no policy {name!r}; known: {', '.join(known)}")


def policy_text(session: Session, name: str) -> str:
    """The TOML text of a stored policy or preset."""
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == name))
    if row is not None:
        return row.toml
    return preset_text(name)


def list_policies(session: Session) -> list[dict[str, Any]]:
    """Presets and stored policies: name, kind, active, description."""
    rows = {r.name: r for r in session.scalars(select(PolicyRow))}
    out = []
    for name in PRESETS:
        row = rows.pop(name, None)
        out.append({"name": name, "kind": "preset", "active": bool(row and row.active),
                    "description": load_preset(name).description})
    for name, row in sorted(rows.items()):
        out.append({"name": name, "kind": "stored", "active": row.active,
                    "description": row.description})
    return out


def proposed_policy(session: Session, name_or_toml: str, *, source: str = "<policy>"
                    ) -> tuple[Policy, str]:
    """The policy `set_active_policy` would activate, and its text, changing nothing:
    what a preview of its effect compares with the active one."""
    text = name_or_toml
    if "\n" in text or "[[" in text:
        policy = load_policy(text, source=source)
        if policy.name == source:
            raise InvalidInput(f"{source}: a policy to store needs a top-level name = \"...\"")
        if is_preset(policy.name) and text != preset_text(policy.name):
            raise Conflict(f"{source}: {policy.name!r} is a preset name; choose another name")
        return policy, text
    return get_policy(session, text), policy_text(session, text)


def set_active_policy(
    session: Session, name_or_toml: str, *, actor: str = "system", source: str = "<policy>"
) -> PolicyRow:
    """Make a policy active: a preset or stored name, or a TOML document (stored by its name).

    A TOML policy needs a top-level `name`; preset names are reserved for the
    presets' own text. Records `entitlement:policy:activate` in the audit log.
    """
    policy, text = proposed_policy(session, name_or_toml, source=source)
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == policy.name))
    if row is None:
        row = PolicyRow(name=policy.name, toml=text, description=policy.description)
        session.add(row)
    else:
        row.toml, row.description = text, policy.description
    session.execute(update(PolicyRow).where(PolicyRow.name != policy.name).values(active=False))
    row.active = True
    session.flush()
    audit.record(session, actor=actor, organization_id=None,
                 action="entitlement:policy:activate", subject=policy.name,
                 data={"sha256": hashlib.sha256(text.encode()).hexdigest(),
                       "grants": [g.name for g in policy.grants]})
    return row


@functools.lru_cache(maxsize=64)
def _stored_policy(text: str, source: str, name: str) -> Policy:
    """A stored policy, parsed once per text: every download decision reads the active one,
    and parsing its TOML cost more than evaluating it. Policies are frozen, so shared."""
    return load_policy(text, source=source, name=name)


def active_policy(session: Session, *, default: str | None = None) -> tuple[str, Policy]:
    """The active policy (name, parsed); when none is stored, `default` or the setting
    `active_policy_default` (lifetime-updates)."""
    row = session.scalar(select(PolicyRow).where(PolicyRow.active.is_(True)))
    if row is not None:
        return row.name, _stored_policy(row.toml, f"policy {row.name}", row.name)
    name = default or Settings().active_policy_default
    return name, get_policy(session, name)


# -- facts -------------------------------------------------------------------


def resolve_image(session: Session, ref: Image | str | int) -> Image:
    """An image by id (digits) or file name (an `Image` is returned as is); `NotFound` otherwise."""
    if isinstance(ref, Image):
        return ref
    if isinstance(ref, int) or ref.isdigit():
        return catalog.get_image(session, int(ref))
    return catalog.get_image_by_filename(session, ref)


def _coverage(lines: Sequence[CoverageInfo]) -> tuple[CoverageFacts, ...]:
    return tuple(CoverageFacts(c.contract_number, c.start, c.end, c.service_level)
                 for c in lines)


def image_facts(session: Session, image: Image, fixed: Sequence[str] = ()) -> ImageFacts:
    release = image.release
    severities: dict[str, str] = {
        row.advisory_id: row.severity for row in session.execute(
            select(Advisory.advisory_id, Advisory.severity).where(Advisory.advisory_id.in_(fixed))
        )
    } if fixed else {}
    published = image.published_at
    if published is not None and published.tzinfo is not None:
        published = published.astimezone(UTC)
    return ImageFacts(
        image_id=image.id, filename=image.filename, platform=image.platform,
        feature_set=image.feature_set or None, release_version=release.version,
        release_train=release.train or train_of(release.os_family, release.version),
        release_kind=release.kind or "unknown",
        published_at=published.date() if published is not None else None,
        public=bool(image.public),
        fixes=tuple(AdvisoryFix(a, severities.get(a)) for a in fixed),
    )


def gather_facts(
    session: Session,
    organization_id: int,
    image: Image,
    *,
    today: date | None = None,
    organization: str | None = None,
    index: AdvisoryIndex | None = None,
) -> EntitlementFacts:
    """The facts for one (organisation, image), in a fixed number of queries."""
    catalogue = active_catalogue()
    devices = devices_running(session, organization_id, image.platform, catalogue)
    coverage = coverage_by_serial(session, organization_id, [d.serial for d in devices])
    release = image.release
    fixes: dict[int, tuple[AdvisoryFix, ...]] = {}
    fixed: list[str] = []
    if devices:
        index = index or load_index(session)
        fixed = advisories_fixed_by(index, release.os_family, release.version)
        if fixed:
            wanted = set(fixed)
            keys = [DeviceKey(d.id, d.os_family or None, d.running_version or None,
                              d.platform or None, d.model or None) for d in devices]
            exposures = exposure_for_devices(session, keys, index=index)
            kev = kev_advisory_ids(session, wanted)
            for d in devices:
                hits = tuple(AdvisoryFix(h.advisory_id, h.severity, h.advisory_id in kev)
                             for h in exposures[d.id].advisories if h.advisory_id in wanted)
                if hits:
                    fixes[d.id] = hits
    facts_devices = tuple(
        DeviceFacts(
            device_id=d.id, serial=d.serial, model=d.model or None, platform=d.platform,
            running_version=d.running_version,
            running_train=train_of(d.os_family, d.running_version),
            licensed_feature_set=d.licensed_feature_set,
            coverage=_coverage(coverage.get(d.serial.upper(), ())),
            families=tuple(sorted(families_of(catalogue, d))),
        )
        for d in devices
    )
    return EntitlementFacts(
        today=today or date.today(),
        organization=organization or str(organization_id),
        image=image_facts(session, image, fixed),
        devices=facts_devices,
        fixes=fixes,
    )


def decide(
    session: Session,
    organization_id: int,
    image: Image | str | int,
    *,
    actor: str,
    policy: str | None = None,
    today: date | None = None,
    organization: str | None = None,
    record: bool = True,
    audit_session: Session | None = None,
) -> Decision:
    """Evaluate `policy` (default: the active one) for the organisation and `image`
    (an `Image`, its id, or its file name).

    Records `entitlement:download:decide` in the audit log unless `record` is
    False (what-if comparisons): in `audit_session` when given (a request that
    decides on a read session and appends the event in its own short writer
    transaction), else in `session`. `NotFound` for an unknown image or policy.
    """
    image = resolve_image(session, image)
    if policy is None:
        _name, chosen = active_policy(session)
    else:
        chosen = get_policy(session, policy)
    facts = gather_facts(session, organization_id, image, today=today, organization=organization)
    decision = evaluate(chosen, facts)
    if record:
        audit.record(audit_session or session, actor=actor, organization_id=organization_id,
                     action="entitlement:download:decide",
                     subject=f"image {image.id} {image.filename}",
                     data={**decision.to_dict(), "today": facts.today})
    return decision


def compare(
    session: Session,
    organization_id: int,
    image: Image | str | int,
    policies: Sequence[str],
    *,
    today: date | None = None,
    organization: str | None = None,
) -> list[Decision]:
    """The decision of each named policy for one image, from one gathering of facts."""
    image = resolve_image(session, image)
    facts = gather_facts(session, organization_id, image, today=today, organization=organization)
    return [evaluate(get_policy(session, name), facts) for name in policies]


DECIDE_ACTION = "entitlement:download:decide"


def decision_counts(session: Session, since: datetime) -> tuple[int, int]:
    """(download decisions, of which refused) logged since `since`, every organisation."""
    allowed = AuditEvent.data["allowed"].as_boolean()
    query = select(func.count(), func.count().filter(allowed.is_(False))).where(
        AuditEvent.action == DECIDE_ACTION, AuditEvent.at >= since)
    total, refused = session.execute(query).one()
    return int(total or 0), int(refused or 0)
