"""Device exports from a source of truth: NetBox and Nautobot, REST JSON and CSV. PURE.

Formats followed (field names as the projects document them):

- NetBox REST API `GET /api/dcim/devices/`: a page `{"count", "next",
  "previous", "results": [...]}`; each device has `name`, `serial`,
  `device_type` {`model`, `part_number`?, `manufacturer` {`name`, `slug`}},
  `platform` {`name`, `slug`} or null, `primary_ip` {`address`} or null and
  `custom_fields` {...}. Several pages saved as one JSON list of devices, or
  a list of pages, read too.
- Nautobot REST API `GET /api/dcim/devices/?depth=1`: the same page shape;
  `platform` has `network_driver` (netutils' normalised name) and no slug;
  Nautobot 2.2+ has a `software_version` {`version`}. At depth 0 the related
  objects are bare references, which say nothing: we ask for `?depth=1`.
- NetBox's device list "Export -> Current view" CSV (column titles: Name,
  Manufacturer, Type or Device type, Platform, Serial number, IP Address, and
  custom fields by their label) and Nautobot's CSV export (field names such as
  `device_type__model`, `platform__name`).

Platform slugs and names go through netutils (`canonical_platform`) to our
vendor and OS family. Unknown keys and columns are ignored and named once;
a device without a serial number or a platform is skipped and listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netutils import lib_mapper

from fixright.csvtext import read_csv, shorten
from fixright.errors import InvalidInput
from fixright.inventory.csvio import CsvDevice
from fixright.inventory.detect import canonical_platform
from fixright.inventory.readers_fw import forti_family
from fixright.jsontext import load_json
from fixright.versions import InvalidVersion, parse

FORMATS = ("netbox", "nautobot")
# Our parser key -> (vendor, os family). cisco_ios is IOS or IOS XE: the version decides.
_FAMILIES: dict[str, tuple[str, str]] = {
    "cisco_ios": ("cisco", "ios"),
    "cisco_nxos": ("cisco", "nxos"),
    "cisco_asa": ("cisco", "asa"),
    "cisco_ftd": ("cisco", "ftd"),
    "cisco_fxos": ("cisco", "fxos"),
    "cisco_xr": ("cisco", "iosxr"),
    "juniper_junos": ("juniper", "junos"),
    "arista_eos": ("arista", "eos"),
    "hp_procurve": ("hpe", "procurve"),
    "aruba_aoscx": ("aruba", "aoscx"),
    "aruba_os": ("aruba", "arubaos"),
    "hp_comware": ("hpe", "comware"),
    "fortinet": ("fortinet", "fortios"),
    "paloalto_panos": ("paloalto", "panos"),
}
# Names that say IOS XE where netutils' normalised name is "cisco_xe".
_XE_NAMES = frozenset({"cisco_xe", "cisco_ios_xe", "ios_xe", "iosxe", "cisco_iosxe"})
# Custom-field keys people give the software version (normalised: lower case, "_").
VERSION_KEYS = ("software_version", "os_version", "sw_version", "software", "firmware_version",
                "firmware", "version", "running_version", "os")
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$")
_JSON_KEYS = frozenset({
    "id", "url", "display", "display_url", "name", "serial", "device_type", "platform",
    "primary_ip", "primary_ip4", "primary_ip6", "custom_fields", "software_version",
})
# JSON keys every device has that we do not need: not worth naming.
_QUIET_KEYS = frozenset({
    "object_type", "natural_slug", "notes_url", "created", "last_updated", "tags", "status",
    "role", "device_role", "site", "location", "rack", "tenant", "comments", "description",
    "asset_tag", "position", "face", "parent_device", "config_context", "local_context_data",
    "latitude", "longitude", "airflow", "oob_ip", "cluster", "virtual_chassis", "vc_position",
    "vc_priority", "config_template", "secrets_group", "device_redundancy_group",
    "device_redundancy_group_priority", "controller_managed_device_group", "software_image_files",
    "vrfs", "interfaces", "cluster_group",
})
# CSV column (normalised) -> our field.
_CSV_COLUMNS: dict[str, str] = {
    "name": "name", "device": "name", "hostname": "name",
    "serial_number": "serial", "serial": "serial",
    "type": "model", "device_type": "model", "device_type__model": "model", "model": "model",
    "part_number": "part_number", "device_type__part_number": "part_number",
    "manufacturer": "manufacturer", "device_type__manufacturer__name": "manufacturer",
    "platform": "platform", "platform__name": "platform", "platform__slug": "driver",
    "platform__network_driver": "driver", "network_driver": "driver",
    "ip_address": "address", "primary_ip": "address", "ipv4_address": "address",
    "primary_ip4": "address", "primary_ip4__host": "address",
}


@dataclass(frozen=True)
class SourceDevice:
    """One device of an export, mapped to our vocabulary (`address` without prefix length)."""

    row: int
    name: str
    serial: str
    vendor: str
    os_family: str
    model: str
    version: str
    address: str
    platform: str  # our parser key, for SSH collection


@dataclass
class SourceRead:
    """What an export gave: devices, and what was skipped, ignored or doubtful."""

    format: str
    devices: list[SourceDevice] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> list[CsvDevice]:
        """The devices as CSV rows for `importing.import_csv_rows` (empty cells change nothing)."""
        return [
            CsvDevice(row=d.row, serial=d.serial, vendor=d.vendor, os_family=d.os_family,
                      model=d.model, running_version=d.version, licensed_feature_set="unknown",
                      hostname=d.name, purchase_date=None, notes="")
            for d in self.devices
        ]


def _key(text: str) -> str:
    return re.sub(r"[\s./-]+", "_", text.strip().lower()).strip("_")


def _family(platform_name: str) -> tuple[str, str, str] | None:
    """(parser key, vendor, os family) for a platform slug, name or driver; None if unknown."""
    key = _key(platform_name)
    if not key:
        return None
    raw = platform_name.strip().lower()  # "cisco.ios.ios" keeps its dots for netutils
    normalised = next((lib[name] for name in (raw, key)
                       for lib in lib_mapper.NAME_TO_LIB_MAPPER.values() if name in lib), key)
    candidates = [raw, key, key.replace("_", "")]
    for prefix in ("cisco_", "juniper_", "arista_", "paloalto_", "fortinet_"):
        if key.startswith(prefix):
            candidates.append(key.removeprefix(prefix))
    xe = normalised in _XE_NAMES or key in _XE_NAMES
    for candidate in candidates:
        parser_key = canonical_platform(candidate)
        if parser_key is not None:
            vendor, family = _FAMILIES[parser_key]
            return parser_key, vendor, "iosxe" if xe and parser_key == "cisco_ios" else family
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _version(custom: Mapping[str, Any]) -> str:
    keyed = {_key(k): v for k, v in custom.items() if isinstance(k, str)}
    for name in VERSION_KEYS:
        for candidate in (name, f"cf_{name}"):
            value = keyed.get(candidate)
            if isinstance(value, dict):  # Nautobot software_version object
                value = value.get("version")
            if isinstance(value, (str, int, float)) and str(value).strip():
                return str(value).strip()
    return ""


@dataclass
class _Fields:
    name: str = ""
    serial: str = ""
    model: str = ""
    part_number: str = ""
    manufacturer: str = ""
    platform: str = ""
    driver: str = ""  # Nautobot network_driver / NetBox slug: preferred to the display name
    address: str = ""
    version: str = ""


def _device(number: int, values: _Fields, default_platform: str | None,
            read: SourceRead) -> None:
    label = f"row {number}" + (f" ({values.name})" if values.name else "")
    serial = values.serial
    if not serial:
        read.skipped.append(f"{label}: no serial number")
        return
    if len(serial) > 64 or not _SERIAL.match(serial):
        read.skipped.append(f"{label}: serial {shorten(serial)} has characters a serial never has")
        return
    mapped = _family(values.driver) if values.driver else None
    if mapped is None and values.platform:
        mapped = _family(values.platform)
    if mapped is None and default_platform:
        mapped = _family(default_platform)
    if mapped is None:
        named = values.driver or values.platform
        why = (f"platform {shorten(named)} is not one fixright reads" if named
               else "no platform, so no OS family (set it, or pass --platform)")
        read.skipped.append(f"{label}: {why}")
        return
    parser_key, vendor, family = mapped
    version = values.version
    if family == "fortios":
        family = forti_family(values.model or "FortiGate")
    if version and parser_key == "cisco_ios":
        # The release itself says IOS or IOS XE (15.2(4)E10 vs 17.03.04a).
        for candidate in (family, "iosxe" if family == "ios" else "ios"):
            try:
                parse(candidate, version)
            except InvalidVersion:
                continue
            family = candidate
            break
    if version:
        try:
            parse(family, version)
        except InvalidVersion as exc:
            read.warnings.append(f"{label}: version left empty: {exc.message}")
            version = ""
    model = (values.part_number or values.model)[:100]
    read.devices.append(SourceDevice(
        row=number, name=values.name[:255], serial=serial, vendor=vendor, os_family=family,
        model=model, version=version[:100], address=values.address.split("/", 1)[0],
        platform=parser_key,
    ))


def _nested(item: Mapping[str, Any], key: str, source_name: str, where: str,
            *, needed: bool = True) -> Mapping[str, Any]:
    value = item.get(key)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{source_name}: {where}.{key}: expected an object, got {type(value).__name__}")
    if "url" in value and not ({"model", "name", "slug", "address"} & set(value)):
        if not needed:
            return {}
        raise InvalidInput(
            f"{source_name}: {where}.{key}: only a reference ({{id, url}}); export with "
            "?depth=1 (Nautobot) so device type and platform are included"
        )
    return value


def _json_devices(data: Any, source_name: str) -> list[tuple[str, Any]]:
    """(place, device) pairs of a page, a list of pages or a list of devices."""
    def page_results(page: Mapping[str, Any], where: str) -> list[tuple[str, Any]]:
        results = page.get("results")
        if not isinstance(results, list):
            raise InvalidInput(
                f"{source_name}: {where}results: expected a list of devices, "
                f"got {type(results).__name__ if results is not None else 'nothing'}")
        return [(f"{where}results[{i}]", d) for i, d in enumerate(results)]

    if isinstance(data, dict):
        if "results" not in data:
            raise InvalidInput(
                f"{source_name}: not a NetBox/Nautobot dcim/devices export (a JSON object "
                "without 'results')")
        return page_results(data, "")
    if isinstance(data, list):
        out: list[tuple[str, Any]] = []
        for i, entry in enumerate(data):
            if isinstance(entry, dict) and "results" in entry and "serial" not in entry:
                out.extend(page_results(entry, f"[{i}]."))
            else:
                out.append((f"[{i}]", entry))
        return out
    raise InvalidInput(f"{source_name}: not a NetBox/Nautobot dcim/devices export "
                       f"(JSON {type(data).__name__})")


def read_source_json(text: str, source_name: str, fmt: str = "netbox",
                     default_platform: str | None = None) -> SourceRead:
    """The devices of a NetBox or Nautobot `dcim/devices` JSON export.

    Raises `InvalidInput` naming the file and place when the document is not
    such an export (wrong shape, a device that is not an object).
    """
    items = _json_devices(load_json(text, source_name), source_name)
    read = SourceRead(format=f"{fmt} json")
    unknown: dict[str, None] = {}
    for number, (where, item) in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"{source_name}: {where}: expected a device object, "
                               f"got {type(item).__name__}")
        if "device_type" not in item and "serial" not in item:
            raise InvalidInput(f"{source_name}: {where}: not a device (no device_type, no serial)")
        for key in item:
            if key not in _JSON_KEYS and key not in _QUIET_KEYS and not key.endswith("_count"):
                unknown.setdefault(key)
        device_type = _nested(item, "device_type", source_name, where)
        manufacturer = _nested(device_type, "manufacturer", source_name, f"{where}.device_type",
                               needed=False)
        platform = _nested(item, "platform", source_name, where)
        primary = item.get("primary_ip") or item.get("primary_ip4") or {}
        custom = item.get("custom_fields") if isinstance(item.get("custom_fields"), dict) else {}
        software = item.get("software_version")
        version = _version({"software_version": software}) if software else ""
        values = _Fields(
            name=_text(item.get("name")),
            serial=_text(item.get("serial")),
            model=_text(device_type.get("model")),
            part_number=_text(device_type.get("part_number")),
            manufacturer=_text(manufacturer.get("slug")) or _text(manufacturer.get("name")),
            driver=_text(platform.get("network_driver")) or _text(platform.get("slug")),
            platform=_text(platform.get("name")),
            address=_text(primary.get("address")) if isinstance(primary, dict) else "",
            version=version or _version(custom or {}),
        )
        _device(number, values, default_platform, read)
    if unknown:
        read.ignored.append("keys " + ", ".join(list(unknown)[:20])
                            + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""))
    if not items:
        raise InvalidInput(f"{source_name}: the export lists no devices")
    return read


def read_source_csv(text: str, source_name: str, fmt: str = "netbox",
                    default_platform: str | None = None) -> SourceRead:
    """The devices of a NetBox or Nautobot device-list CSV export."""
    reader = read_csv(text, source_name)
    names = [_key(h) for h in reader.header]
    fields: list[str | None] = []
    unknown: list[str] = []
    for raw, name in zip(reader.header, names, strict=True):
        bare = name.removeprefix("cf_").removeprefix("custom_fields_")
        if name in _CSV_COLUMNS:
            fields.append(_CSV_COLUMNS[name])
        elif bare in VERSION_KEYS:
            fields.append("version")
        else:
            fields.append(None)
            if raw.strip():
                unknown.append(raw.strip())
    if "serial" not in fields:
        raise InvalidInput(f"{source_name}: row 1: no serial number column "
                           "(NetBox: 'Serial number'; add it to the table before exporting)")
    read = SourceRead(format=f"{fmt} csv")
    for number, cells in reader:
        if not any(c.strip() for c in cells):
            continue
        values = _Fields()
        for target, cell in zip(fields, cells, strict=False):
            if target is not None and cell.strip() and not getattr(values, target):
                setattr(values, target, cell.strip())
        _device(number, values, default_platform, read)
    if unknown:
        read.ignored.append("columns " + ", ".join(shorten(u, 30) for u in unknown[:20])
                            + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""))
    if not read.devices and not read.skipped:
        raise InvalidInput(f"{source_name}: no device rows under the header")
    return read


def sniff_source(name: str, text: str) -> str | None:
    """"json" or "csv" when `text` looks like a NetBox/Nautobot device export, else None.

    Any JSON document counts (a wrong-shaped one is then named as such);
    a CSV by a header with a serial-number column and a device-type or
    platform column, and without our own `vendor` and `os_family` columns.
    """
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in ("{", "[") or name.lower().endswith(".json"):
        return "json"
    first = _key_line(text)
    if {"vendor", "os_family"} <= first:
        return None
    has_serial = bool({"serial", "serial_number"} & first)
    has_kind = bool({"type", "device_type", "device_type__model", "platform", "platform__name",
                     "manufacturer"} & first)
    return "csv" if has_serial and has_kind else None


def _key_line(text: str) -> set[str]:
    line = text.lstrip("\ufeff").split("\n", 1)[0]
    if len(line) > 20000:
        return set()
    return {_key(cell.strip().strip('"')) for cell in re.split(r"[,;\t]", line)}


def read_source(text: str, source_name: str, fmt: str = "netbox",
                default_platform: str | None = None) -> SourceRead:
    """A NetBox/Nautobot export, JSON or CSV as its text shows."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not text.strip():
        raise InvalidInput(f"{source_name}: empty, no devices")
    kind = sniff_source(source_name, text) or "csv"
    if kind == "json":
        return read_source_json(text, source_name, fmt, default_platform)
    return read_source_csv(text, source_name, fmt, default_platform)
