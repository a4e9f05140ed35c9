"""Hosts files: fixright's, Ansible YAML inventories and Nornir SimpleInventory (no network).

The Ansible and Nornir documents are written after the Ansible inventory guide
(YAML form) and Nornir's SimpleInventory documentation.
"""

from __future__ import annotations

import pytest

from fixright.errors import InvalidInput
from fixright.inventory.collect import Overrides, _params, resolve
from fixright.inventory.hostfiles import read_hosts

ANSIBLE = """
all:
  vars:
    ansible_user: netops
    ansible_password: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      3836
  children:
    routers:
      vars:
        ansible_network_os: cisco.ios.ios
        ansible_ssh_common_args: '-o ProxyJump=ops@bastion.example.net:2222'
      children:
        edge:
          vars: {ansible_network_os: junipernetworks.junos.junos}
          hosts:
            edge1: {ansible_host: 192.0.2.1, ansible_port: 2201}
      hosts:
        r1: {ansible_host: 192.0.2.2, ansible_ssh_private_key_file: ~/.ssh/r1}
    switches:
      hosts:
        sw1:
          ansible_host: 192.0.2.3
          ansible_network_os: arista.eos.eos
          site: hq
"""


def test_ansible_groups_vars_and_precedence() -> None:
    read = read_hosts(ANSIBLE, "inv.yml")
    assert read.format == "ansible"
    hosts = {h.name: h for h in read.hosts}
    assert (hosts["edge1"].platform, hosts["edge1"].port, hosts["edge1"].address) == (
        "juniper_junos", 2201, "192.0.2.1")  # the child group's network_os wins
    assert hosts["r1"].platform == "cisco_ios" and hosts["r1"].key_file == "~/.ssh/r1"
    assert hosts["r1"].jump_host == "ops@bastion.example.net:2222"
    assert hosts["sw1"].platform == "arista_eos" and hosts["sw1"].jump_host == ""
    assert {h.username for h in read.hosts} == {"netops"}
    assert read.ignored == ["ansible_password (secrets come from the environment)", "site"]


def test_ansible_errors_name_the_host() -> None:
    with pytest.raises(InvalidInput, match=r"^i\.yml: host r9: ansible_network_os: unknown platform"):
        read_hosts("all:\n  hosts:\n    r9: {ansible_network_os: vendor.nope.nope}\n", "i.yml")
    with pytest.raises(InvalidInput, match=r"^i\.yml: host r9: ansible_port 'x'"):
        read_hosts("all:\n  hosts:\n    r9: {ansible_port: x}\n", "i.yml")
    with pytest.raises(InvalidInput, match=r"lists no hosts"):
        read_hosts("all:\n  vars: {a: 1}\n", "i.yml")


NORNIR_HOSTS = """
core1:
  hostname: 192.0.2.10
  groups: [cisco, hq]
  password: hunter2
leaf1:
  hostname: 192.0.2.11
  platform: nxos_ssh
  port: 2022
  groups: [hq]
  data: {role: leaf}
"""
NORNIR_GROUPS = """
cisco:
  platform: cisco_ios
  connection_options:
    netmiko:
      extras: {use_keys: true, key_file: /keys/cisco, global_delay_factor: 2}
hq:
  port: 2200
  groups: [global]
global:
  username: automation
"""


def test_nornir_hosts_groups_defaults() -> None:
    read = read_hosts(NORNIR_HOSTS, "hosts.yaml", groups_text=NORNIR_GROUPS,
                      defaults_text="connection_options:\n  netmiko:\n    extras: {allow_agent: true}\n")
    assert read.format == "nornir"
    hosts = {h.name: h for h in read.hosts}
    core = hosts["core1"]
    assert (core.address, core.platform, core.port, core.username, core.key_file,
            core.allow_agent) == ("192.0.2.10", "cisco_ios", 2200, "automation", "/keys/cisco", True)
    leaf = hosts["leaf1"]
    assert (leaf.platform, leaf.port, leaf.key_file) == ("cisco_nxos", 2022, "")
    assert read.ignored == ["password (secrets come from the environment)",
                            "connection_options.netmiko.extras.global_delay_factor"]
    with pytest.raises(InvalidInput, match=r"^hosts\.yaml: host core1: group cisco is not in"):
        read_hosts(NORNIR_HOSTS, "hosts.yaml")


def test_native_format_new_settings_and_autodetect() -> None:
    text = """
defaults: {username_env: U, key_file: /k, jump_host: "ops@[2001:db8::1]:2222"}
hosts:
  - {name: a, address: 192.0.2.1}
  - {name: b, address: 192.0.2.2, platform: ios, allow_agent: true, ssh_config_file: /c}
"""
    read = read_hosts(text, "h.yaml")
    a, b = read.hosts
    assert a.platform is None and b.platform == "cisco_ios"
    targets, failed = resolve(read.hosts, {"U": "me"})
    # with a key file, no password is needed
    assert failed == [] and [t.password for t in targets] == ["", ""]
    params = _params(targets[1], "cisco_ios")
    assert (params["use_keys"], params["key_file"], params["allow_agent"],
            params["ssh_config_file"], params["password"]) == (True, "/k", True, "/c", None)
    assert targets[0].jump_host == "ops@[2001:db8::1]:2222"
    with pytest.raises(InvalidInput, match=r"jump host 'a@b@c:x' is not"):
        read_hosts("hosts: [{name: a, address: b, jump_host: 'a@b@c:x'}]", "h.yaml")


def test_overrides_and_missing_password() -> None:
    read = read_hosts("all:\n  hosts:\n    r1: {ansible_network_os: ios}\n", "i.yml")
    targets, failed = resolve(read.hosts, {"FIXRIGHT_SSH_USER": "u"})
    assert targets == [] and "FIXRIGHT_SSH_PASSWORD (password) is not set" in failed[0].error
    targets, failed = resolve(read.hosts, {"FIXRIGHT_SSH_USER": "u"},
                              Overrides(allow_agent=True, jump_host="bastion"))
    assert failed == [] and targets[0].allow_agent and targets[0].jump_host == "bastion"
