"""API shapes of the catalog domain (for the portal's upload and listing endpoints)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class ReleaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor: str
    os_family: str
    version: str
    version_normalized: str
    train: str
    release_date: date | None
    kind: str | None
    deferred: bool
    notes: str | None


class ImageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    release: ReleaseOut
    platform: str
    feature_set: str
    filename: str
    size: int
    sha256: str
    sha512: str
    md5: str
    published_at: datetime
    public: bool


class ImageAdded(BaseModel):
    """The answer to an upload: the image, and whether these bytes were new."""

    image: ImageOut
    created: bool


class VerifyProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    image_id: int
    filename: str
    sha256: str
    problem: str
    detail: str
