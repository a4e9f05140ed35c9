"""API shapes of the entitlement domain: policies and decisions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fixright.entitlement.policy import Decision, Policy


class GrantOut(BaseModel):
    name: str
    holds_when: str
    description: str


class PolicyOut(BaseModel):
    """A policy in plain words (each grant and when it holds) and as TOML."""

    name: str
    description: str
    active: bool
    grants: list[GrantOut]
    toml: str

    @classmethod
    def of(cls, policy: Policy, toml: str, *, active: bool) -> PolicyOut:
        return cls(
            name=policy.name, description=policy.description, active=active, toml=toml,
            grants=[GrantOut(name=g.name, holds_when=g.describe(), description=g.description)
                    for g in policy.grants],
        )


class PolicySummaryOut(BaseModel):
    name: str
    kind: str
    active: bool
    description: str


class PolicySetIn(BaseModel):
    """`{"name": "lifetime-updates"}` (a preset or stored policy), or `{"toml": "..."}`
    (stored under its top-level name, or under `name` when it has none)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100,
                             pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")
    toml: str | None = Field(None, min_length=1, max_length=100_000)

    @model_validator(mode="after")
    def _one_of(self) -> PolicySetIn:
        if self.name is None and self.toml is None:
            raise ValueError("give a policy 'name' (a preset or stored policy) or its 'toml'")
        return self


class FailedCondition(BaseModel):
    condition: str
    reason: str


class DeniedGrant(BaseModel):
    grant: str
    failed: list[FailedCondition]


class DecisionOut(BaseModel):
    """The policy's decision for one image and the caller's organisation, and why."""

    allowed: bool
    policy: str
    organization: str
    image_id: int
    image: str
    grant: str | None
    device_id: int | None
    device_serial: str | None
    reasons: list[str]
    denied_by: list[DeniedGrant]
    hint: str | None
    explanation: str

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        data: dict[str, Any] = decision.to_dict()
        return cls(**data, explanation=decision.explain())
