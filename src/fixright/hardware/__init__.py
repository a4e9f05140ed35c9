"""Hardware knowledge as data: image families, the hardware that runs them, their trains.

`load_catalogue()` / `shipped_catalogue()` read the TOML files under
`hardware/data/` (plus an operator's, see docs/hardware.md);
`compatibility.check` answers "can this model run this image".
"""

from fixright.hardware.catalogue import Catalogue, Family
from fixright.hardware.compatibility import (
    Compatibility,
    check,
    device_families,
    require_family,
    runs_image,
)
from fixright.hardware.load import (
    active_catalogue,
    catalogue_from_settings,
    load_catalogue,
    shipped_catalogue,
)

__all__ = [
    "active_catalogue",
    "device_families",
    "require_family",
    "runs_image",
    "Catalogue",
    "Compatibility",
    "Family",
    "catalogue_from_settings",
    "check",
    "load_catalogue",
    "shipped_catalogue",
]
