"""Tables of the catalog domain: `release` and `image`.

Releases and images are the operator's catalogue, not owned rows: they carry
no `organization_id`; who may download an image is the entitlement policy's
decision.

`release.version_key` is `fixright.catalog.sortkey.encode_key(version.key)`:
text of `0-9a-f` whose string order is the version order, so
`ORDER BY train, version_key` lists a train oldest first (within one
os_family). Across classic-IOS trains the order is defined but meaningless.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fixright.db import Base, UtcDateTime, utcnow

RELEASE_KINDS = ("feature", "maintenance", "rebuild", "security")


class Release(Base):
    __tablename__ = "release"
    __table_args__ = (
        UniqueConstraint("vendor", "os_family", "version_normalized"),
        # Fixes and upgrade targets look releases up by (os_family, version).
        Index("ix_release_family_version", "os_family", "version_normalized"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor: Mapped[str] = mapped_column(String(32))
    os_family: Mapped[str] = mapped_column(String(32))
    # As printed by the vendor (or the file name it came from): "15.2(7)E8", "17.03.04a".
    version: Mapped[str] = mapped_column(String(200))
    version_normalized: Mapped[str] = mapped_column(String(200))
    version_key: Mapped[str] = mapped_column(Text)
    train: Mapped[str] = mapped_column(String(64), index=True)
    release_date: Mapped[date | None] = mapped_column(Date)
    # One of RELEASE_KINDS, or NULL while nobody has said (never guessed).
    kind: Mapped[str | None] = mapped_column(String(16))
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    images: Mapped[list[Image]] = relationship(back_populates="release", order_by="Image.id")


class Image(Base):
    __tablename__ = "image"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32), index=True)
    feature_set: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    sha512: Mapped[str] = mapped_column(String(128))
    md5: Mapped[str] = mapped_column(String(32))
    # The storage key: today always the sha256, kept apart so storage can change.
    blob_key: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    public: Mapped[bool] = mapped_column(Boolean, default=False)

    release: Mapped[Release] = relationship(back_populates="images", lazy="joined")
