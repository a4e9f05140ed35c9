"""SSH collection for real: netmiko against fakenos devices on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fixright.errors import InvalidInput
from fixright.inventory.collect import collect, load_targets
from fixright.inventory.parse import parse_output

PLATFORMS = ("cisco_ios", "cisco_nxos", "juniper_junos")
ENV = {"FXR_TEST_SSH_USER": "fixright", "FXR_TEST_SSH_PASSWORD": "s3cret-pw",
       "FXR_TEST_SSH_ENABLE": "s3cret-pw"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def fake_devices() -> Iterator[dict[str, int]]:
    fakenos = pytest.importorskip("fakenos")
    ports = {platform: _free_port() for platform in PLATFORMS}
    inventory = {"hosts": {
        platform: {"port": port, "platform": platform, "username": ENV["FXR_TEST_SSH_USER"],
                   "password": ENV["FXR_TEST_SSH_PASSWORD"]}
        for platform, port in ports.items()
    }}
    network = fakenos.FakeNOS(inventory=inventory)
    network.start()
    try:
        yield ports
    finally:
        network.stop()


def _hosts_yaml(ports: dict[str, int], closed_port: int) -> str:
    hosts = [{"name": f"fake-{p}", "address": "127.0.0.1", "port": port, "platform": p}
             for p, port in ports.items()]
    hosts.append({"name": "down", "address": "127.0.0.1", "port": closed_port,
                  "platform": "cisco_ios", "timeout": 3})
    return yaml.safe_dump({
        "defaults": {"username_env": "FXR_TEST_SSH_USER", "password_env": "FXR_TEST_SSH_PASSWORD",
                     "secret_env": "FXR_TEST_SSH_ENABLE", "timeout": 15},
        "hosts": hosts,
    })


def test_collect_reads_each_platform_and_reports_the_dead_host(fake_devices) -> None:
    targets, failed = load_targets(_hosts_yaml(fake_devices, _free_port()), "hosts.yaml", ENV)
    assert failed == []
    results = {r.name: r for r in collect(targets, workers=4)}
    assert "127.0.0.1" in results["down"].error and not results["down"].text
    families = {}
    for platform in PLATFORMS:
        result = results[f"fake-{platform}"]
        assert result.error == "", result.error
        facts = parse_output(result.text, source_name=result.name)
        assert facts and all(f.serial and f.serial in result.text for f in facts)
        assert all(f.version_text and f.version_text in result.text for f in facts)
        families[platform] = {f.os_family for f in facts}
    assert families == {"cisco_ios": {"iosxe"}, "cisco_nxos": {"nxos"},
                        "juniper_junos": {"junos"}}


def test_collect_command_imports_the_reachable(cli, fake_devices, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    hosts = tmp_path / "hosts.yaml"
    hosts.write_text(_hosts_yaml(fake_devices, _free_port()))
    cli("orgs", "add", "acme")
    result = cli("devices", "collect", str(hosts), "--workers", "2")
    assert result.exit_code == 1, result.output
    assert "down: 127.0.0.1" in result.stderr and "1 host(s) not imported" in result.stderr
    devices = json.loads(cli("devices", "list", "--format", "json").stdout)
    assert len(devices) == 3 and {d["source"] for d in devices} == {"ssh"}


def test_hosts_file_errors(tmp_path: Path) -> None:
    plain = {"hosts": [{"name": "a", "address": "10.0.0.1", "platform": "cisco_ios",
                        "password": "hunter2"}]}
    with pytest.raises(InvalidInput, match=r"h\.yaml: hosts\[0\]\.password: credentials must not"):
        load_targets(yaml.safe_dump(plain), "h.yaml", {})
    with pytest.raises(InvalidInput, match=r"h\.yaml: hosts\[0\]\.platform: unknown platform"):
        load_targets("hosts: [{name: a, address: b, platform: cisco_nope}]", "h.yaml", {})
    with pytest.raises(InvalidInput, match=r"h\.yaml: hosts\[0\]\.(address|adress)"):
        load_targets("hosts: [{name: a, adress: b, platform: cisco_ios}]", "h.yaml", {})
    with pytest.raises(InvalidInput, match=r"h\.yaml: line \d+ not valid YAML"):
        load_targets("hosts: [\n", "h.yaml", {})
    targets, failed = load_targets(
        "defaults: {username_env: U, password_env: P}\n"
        "hosts: [{name: a, address: b, platform: ios}]", "h.yaml", {"U": "u"})
    assert targets == [] and "environment variable P (password) is not set" in failed[0].error
