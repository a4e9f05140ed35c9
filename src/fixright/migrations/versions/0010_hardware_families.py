"""devices and images carry their hardware image family

`device.platform` and `image.platform` were lower-case tokens from two
tables that disagreed (`c3560` for c3560, c3560e and c3560cx images alike);
they become the image family ids of the hardware catalogue (docs/hardware.md).
Data only: each row is derived again with the shipped catalogue, the way
imports now derive it. Devices the catalogue cannot tell get an empty
platform, as a fresh import would; downgrading keeps the family ids.

Revision ID: 0010_hardware_families
Revises: 0008_merge_domains
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fixright.hardware import shipped_catalogue
from fixright.inventory.platforms import platform_for

revision = "0010_hardware_families"
down_revision = "0008_merge_domains"
branch_labels = None
depends_on = None

_device = sa.table(
    "device", sa.column("id", sa.Integer), sa.column("os_family", sa.String),
    sa.column("model", sa.String), sa.column("image_file", sa.String),
    sa.column("running_version", sa.String), sa.column("platform", sa.String),
)
_image = sa.table(
    "image", sa.column("id", sa.Integer), sa.column("filename", sa.String),
    sa.column("platform", sa.String),
)


def upgrade() -> None:
    bind = op.get_bind()
    catalogue = shipped_catalogue()
    for image in bind.execute(sa.select(_image.c.id, _image.c.filename, _image.c.platform)).all():
        family = catalogue.family_of_image(image.filename)
        if family is not None and family.id != image.platform:
            bind.execute(_image.update().where(_image.c.id == image.id).values(platform=family.id))
    rows = bind.execute(sa.select(
        _device.c.id, _device.c.os_family, _device.c.model, _device.c.image_file,
        _device.c.running_version, _device.c.platform,
    )).all()
    for row in rows:
        platform, _warning = platform_for(catalogue, row.os_family or "", row.model or "",
                                          row.image_file or "",
                                          version_text=row.running_version or "")
        if platform != (row.platform or ""):
            bind.execute(_device.update().where(_device.c.id == row.id).values(platform=platform))


def downgrade() -> None:
    pass
