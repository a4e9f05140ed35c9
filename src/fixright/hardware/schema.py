"""The shape of a hardware file (docs/hardware.md), as pydantic models.

A hardware file is TOML: file-wide `vendor` and `sources`, then one table
per image family under `[families.<id>]`. Unknown fields are errors, so a
misspelt `model = [...]` is reported rather than silently ignored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from fixright.versions import InvalidVersion, parse

SCHEMA_VERSION = 1

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_TOKEN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
# A glob over PIDs or file names: bounded, no leading/trailing or control whitespace
# (some PIDs hold a space: "SFCT-739SMZ-CS1 G3").
_GLOB = r"^\S(?:[^\t\r\n]{0,126}\S)?$"

Token = Annotated[str, StringConstraints(pattern=_TOKEN)]
Glob = Annotated[str, StringConstraints(pattern=_GLOB)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# A train as `fixright.versions` names it (15.2E, 17.3, 7.0(3)I7, WC.16), or a glob of them.
Train = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9*\[][A-Za-z0-9().*\[\]-]{0,31}$")]


class FamilyEntry(BaseModel):
    """One image family as written in a file (the id is the table's key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor: Token | None = None
    os_family: Token
    description: str = Field(default="", max_length=300)
    # The exact file-name prefix; defaults to the family id.
    prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    # Where two families share a prefix (cat4500e classic IOS vs IOS XE 3.x),
    # the whole file name must also match one of these.
    image_globs: list[Glob] = Field(default_factory=list)
    # Hardware whose PID alone decides: it runs this family.
    models: list[Glob] = Field(default_factory=list)
    # Modular chassis that run this family only with one of `components`
    # (a supervisor, a route processor) installed.
    chassis: list[Glob] = Field(default_factory=list)
    components: list[Glob] = Field(default_factory=list)
    trains: list[Train] = Field(min_length=1)
    last_release: str | None = Field(default=None, max_length=64)
    end_of_sw_maintenance: date | None = None
    sources: list[Text] = Field(min_length=1)
    notes: str = Field(default="", max_length=1000)

    @field_validator("trains")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("trains are listed more than once")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> FamilyEntry:
        if not (self.models or self.components):
            raise ValueError("a family needs `models` or `components`: which hardware runs it")
        if self.chassis and not self.components:
            raise ValueError("`chassis` needs `components`: the part that decides")
        if self.last_release is not None:
            try:
                parse(self.os_family, self.last_release)
            except InvalidVersion as exc:
                raise ValueError(f"last_release: {exc}") from None
        return self


class HardwareFile(BaseModel):
    """A whole hardware file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: int = Field(default=SCHEMA_VERSION, alias="schema")
    vendor: Token | None = None
    sources: list[Text] = Field(default_factory=list)
    families: dict[str, FamilyEntry] = Field(default_factory=dict)

    @field_validator("schema_")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(f"schema {value} is not known (this fixright reads {SCHEMA_VERSION})")
        return value

    @field_validator("families")
    @classmethod
    def _ids(cls, value: dict[str, FamilyEntry]) -> dict[str, FamilyEntry]:
        for key in value:
            if not re.match(_ID, key):
                raise ValueError(f"family id {key!r} must be letters, digits, '_', '-', '.'")
        return value
