"""SSH collection features against fakenos on 127.0.0.1: Ansible inventory, autodetect,
retries, a jump host with key authentication (fakenos itself only takes passwords)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import netmiko
import paramiko
import pytest
import yaml
from tests.inventory.jumphost import JumpHost

from fixright.inventory.collect import Overrides, collect, collect_one, resolve
from fixright.inventory.hostfiles import HostSpec, read_hosts
from fixright.inventory.parse import parse_output

USER, PASSWORD = "fixright", "s3cret-pw"
ENV = {"FIXRIGHT_SSH_USER": USER, "FIXRIGHT_SSH_PASSWORD": PASSWORD, "FIXRIGHT_SSH_ENABLE": PASSWORD}
PLATFORMS = ("cisco_ios", "cisco_nxos", "juniper_junos")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def fake() -> Iterator[dict[str, int]]:
    fakenos = pytest.importorskip("fakenos")
    ports = {platform: _free_port() for platform in PLATFORMS}
    network = fakenos.FakeNOS(inventory={"hosts": {
        p: {"port": port, "platform": p, "username": USER, "password": PASSWORD}
        for p, port in ports.items()}})
    network.start()
    try:
        yield ports
    finally:
        network.stop()


def test_ansible_inventory_collect_with_autodetect_and_a_dead_host(
    cli, fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    inventory = {"all": {
        "vars": {"ansible_connection": "ansible.netcommon.network_cli", "ansible_host": "127.0.0.1"},
        "children": {
            "ios": {"vars": {"ansible_network_os": "cisco.ios.ios"},
                    "hosts": {"sw1": {"ansible_port": fake["cisco_ios"]},
                              "sw-down": {"ansible_port": _free_port()}}},
            "nxos": {"vars": {"ansible_network_os": "cisco.nxos.nxos"},
                     "hosts": {"leaf1": {"ansible_port": fake["cisco_nxos"]}}},
            # no ansible_network_os: netmiko's SSHDetect tells (fakenos answers it for Junos)
            "unknown": {"hosts": {"edge1": {"ansible_port": fake["juniper_junos"]}}},
        }}}
    hosts = tmp_path / "inventory.yml"
    hosts.write_text(yaml.safe_dump(inventory))
    cli("orgs", "add", "acme")
    result = cli("devices", "collect", str(hosts), "--workers", "3", "--retries", "0")
    assert result.exit_code == 1, result.output
    assert "1 host(s) not imported" in result.stderr and "sw-down: 127.0.0.1:" in result.stderr
    assert "ignored ansible_connection" in result.stderr
    devices = json.loads(cli("devices", "list", "--format", "json").stdout)
    assert {d["os_family"] for d in devices} == {"iosxe", "nxos", "junos"}
    assert {d["source"] for d in devices} == {"ssh"}


def _target(port: int, platform: str | None = "juniper_junos", **settings):
    spec = HostSpec(name="h", address="127.0.0.1", platform=platform, port=port, timeout=10,
                    **settings)
    targets, failed = resolve([spec], {**ENV, **settings.pop("env", {})})
    assert failed == []
    return targets[0]


def test_retries_on_connection_errors_not_on_refused_login(fake) -> None:
    dead = collect_one(_target(_free_port()), retries=2, backoff=0.01)
    assert dead.attempts == 3 and "after 3 tries" in dead.error and not dead.text
    wrong = resolve([HostSpec(name="w", address="127.0.0.1", platform="juniper_junos",
                              port=fake["juniper_junos"], timeout=10)],
                    {"FIXRIGHT_SSH_USER": USER, "FIXRIGHT_SSH_PASSWORD": "wrong"})[0][0]
    refused = collect_one(wrong, retries=2, backoff=0.01)
    assert refused.attempts == 1 and "authentication failed" in refused.error


def test_autodetect_reports_what_it_found(fake, monkeypatch: pytest.MonkeyPatch) -> None:
    junos = collect_one(_target(fake["juniper_junos"], platform=None), retries=2, backoff=0.5)
    assert junos.error == "" and junos.platform == "juniper_junos"
    assert [f.os_family for f in parse_output(junos.text, source_name="h")] == ["junos"]
    # fakenos' IOS and NX-OS do not answer SSHDetect's probes (each probe then waits for
    # its timeout: minutes), so the other answers are given here
    for answer, message in ((None, "autodetect could not tell the platform"),
                            ("linux", "autodetected linux, which fixright does not collect")):
        monkeypatch.setattr(netmiko.SSHDetect, "autodetect", lambda self, a=answer: a)
        other = collect_one(_target(fake["juniper_junos"], platform=None), retries=2)
        assert message in other.error and other.attempts == 1


def test_jump_host_with_key_file(fake, tmp_path: Path) -> None:
    key = paramiko.ECDSAKey.generate()
    key_file = tmp_path / "id_ecdsa"
    key.write_private_key_file(str(key_file))
    with JumpHost(key) as jump:
        via = f"jumper@127.0.0.1:{jump.port}"
        targets, _ = resolve(
            [HostSpec(name=p, address="127.0.0.1", platform=p, port=port, timeout=15)
             for p, port in fake.items()], ENV,
            Overrides(key_file=str(key_file), jump_host=via))
        results = collect(targets, workers=3, retries=0)
        assert [r.error for r in results] == ["", "", ""]
        assert sorted(jump.forwarded) == sorted(("127.0.0.1", port) for port in fake.values())
        facts = parse_output(results[0].text, source_name="ios")
        assert facts[0].serial and facts[0].serial in results[0].text
        other = paramiko.ECDSAKey.generate()
        other_file = tmp_path / "other"
        other.write_private_key_file(str(other_file))
        refused = collect_one(_target(fake["juniper_junos"], key_file=str(other_file),
                                      jump_host=via), retries=2, backoff=0.01)
        assert "authentication failed" in refused.error and refused.attempts == 1
        assert f"via {via}" in refused.error


def test_nornir_inventory_read_for_the_same_hosts(fake) -> None:
    hosts = yaml.safe_dump({p: {"hostname": "127.0.0.1", "port": port, "groups": ["lab"],
                                "platform": p} for p, port in fake.items()})
    groups = yaml.safe_dump({"lab": {"username": USER, "connection_options": {
        "netmiko": {"extras": {"allow_agent": False}}}}})
    read = read_hosts(hosts, "hosts.yaml", groups_text=groups)
    targets, failed = resolve(read.hosts, {"FIXRIGHT_SSH_PASSWORD": PASSWORD})
    assert failed == [] and {t.username for t in targets} == {USER}
    results = collect(targets, workers=2, retries=0)
    assert [r.error for r in results] == ["", "", ""]
