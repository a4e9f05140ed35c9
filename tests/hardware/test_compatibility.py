"""`check(model, image)`: true, false or unknown, from the shipped hardware data."""

from __future__ import annotations

import pytest

from fixright.hardware import check, shipped_catalogue

# (model / PID, image file name, expected)
CASES: list[tuple[str, str, bool | None]] = [
    # Catalyst classic IOS: one lower-case token used to lump these together.
    ("WS-C3560CX-12PC-S", "c3560cx-universalk9-mz.152-7.E8.bin", True),
    ("WS-C3560E-24TD-S", "c3560cx-universalk9-mz.152-7.E8.bin", False),
    ("WS-C3560E-24TD-S", "c3560e-universalk9-mz.152-4.E10.bin", True),
    ("WS-C3560X-48P-L", "c3560e-universalk9-mz.152-4.E10.bin", True),
    ("WS-C3560X-48P-L", "c3560-ipservicesk9-mz.150-2.SE11.bin", False),
    ("WS-C3560V2-24PS-S", "c3560-ipservicesk9-mz.150-2.SE11.bin", True),
    ("WS-C2960S-48LPS-L", "c2960s-universalk9-mz.152-2.E10.bin", True),
    ("WS-C2960S-48LPS-L", "c2960-lanbasek9-mz.150-2.SE11.bin", False),
    ("WS-C2960-24TT-L", "c2960-lanbasek9-mz.150-2.SE11.bin", True),
    ("WS-C2960X-48FPD-L", "c2960x-universalk9-mz.152-7.E8.bin", True),
    ("WS-C2960X-48FPD-L", "c2960-lanbasek9-mz.122-55.SE12.bin", False),
    ("WS-C3750X-24P-S", "c3750e-universalk9-mz.152-4.E10.bin", True),
    ("WS-C3750G-24TS-S1U", "c3750e-universalk9-mz.152-4.E10.bin", False),
    # Catalyst 4500: the 4948E runs classic cat4500e images, the supervisor decides a chassis.
    ("WS-C4948E", "cat4500e-entservicesk9-mz.122-54.SG1.bin", True),
    ("WS-C4948E", "cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin", False),
    ("WS-C4948-10GE", "cat4500e-entservicesk9-mz.122-54.SG1.bin", False),
    ("WS-C4500X-16SFP+", "cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin", True),
    ("WS-C4507R+E", "cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin", None),
    # Catalyst IOS XE
    ("C9200L-24P-4G", "cat9k_iosxe.17.09.05.SPA.bin", False),
    ("C9200L-24P-4G", "cat9k_lite_iosxe.17.09.05.SPA.bin", True),
    ("C9300-48P", "cat9k_iosxe.17.12.04.SPA.bin", True),
    ("C9300-48P", "cat9k_lite_iosxe.17.12.04.SPA.bin", False),
    ("C9500-40X", "cat9k_iosxe.16.12.13.SPA.bin", True),
    ("WS-C3850-48U", "cat3k_caa-universalk9.16.12.04.SPA.bin", True),
    ("WS-C3850-48U", "cat9k_iosxe.17.09.05.SPA.bin", False),
    # Routers
    ("CISCO1841", "c1841-advipservicesk9-mz.124-24.T8.bin", True),
    ("CISCO1841", "c180x-advipservicesk9-mz.124-6.T2.bin", False),
    ("CISCO1812/K9", "c181x-advipservicesk9-mz.124-24.T8.bin", True),
    ("CISCO3945/K9", "c3900-universalk9-mz.SPA.157-3.M8.bin", True),
    ("CISCO3945E/K9", "c3900-universalk9-mz.SPA.157-3.M8.bin", False),
    ("ISR4331/K9", "isr4300-universalk9.17.03.04a.SPA.bin", True),
    ("ISR4331/K9", "isr4400-universalk9.16.09.05.SPA.bin", False),
    ("ASR1001-X", "asr1001x-universalk9.17.03.04a.SPA.bin", True),
    ("ASR1001", "asr1001x-universalk9.17.03.04a.SPA.bin", False),
    ("ASR1001", "asr1001-universalk9.03.09.01.S.153-2.S1.bin", True),
    ("ASR1006", "asr1000rp2-adventerprisek9.03.16.10.S.155-3.S10-ext.bin", None),
    ("CSR1000V", "csr1000v-universalk9.16.09.05.qcow2", True),
    # NX-OS
    ("C93108TC-EX", "nxos64-cs.10.3.6.M.bin", True),
    ("C93108TC-EX", "nxos.9.3.15.bin", True),
    ("C93108TC-EX", "nxos64-msll.10.3.6.M.bin", False),
    ("C9372PX", "nxos64-cs.10.3.6.M.bin", False),
    ("C9396PX", "n9000-dk9.6.1.2.I3.1.bin", True),
    ("C3232C", "nxos.9.3.15.bin", True),
    ("N5K-C5596UP", "n5000-uk9.7.3.8.N1.1.bin", True),
    ("N5K-C5596UP", "nxos.9.3.8.bin", False),
    # ASA
    ("ASA5516", "asa992-32-lfbff-k8.SPA", True),
    ("ASA5516", "asa9-8-4-45-smp-k8.bin", False),
    ("ASA5515", "asa9-8-4-45-smp-k8.bin", True),
    ("ISA-3000-2C2F", "asa9-16-3-19-lfbff-k8.SPA", True),
    ("ASAv", "asav9-16-3-19.qcow2", True),
    ("ASAv", "asa952-204-smp-k8.bin", False),
    # IOS XR: an ASR-9006 runs asr9k images (the old token said "iosxr" and refused it).
    ("ASR-9006", "asr9k-mini-x64-7.1.3.iso", True),
    ("8202-32FH-M", "8000-x64-7.9.2.iso", True),
    ("8202-32FH-M", "asr9k-mini-x64-7.1.3.iso", False),
    ("NCS-5500", "asr9k-mini-x64-7.1.3.iso", False),
    # Juniper
    ("qfx5100-48t-6q", "jinstall-host-qfx-5-21.4R3-S5.4-signed.tgz", True),
    ("EX2300-48P", "junos-arm-32-21.4R3-S5.4.tgz", True),
    ("EX2300-48P", "jinstall-host-qfx-5-21.4R3-S5.4-signed.tgz", False),
    ("SRX345", "junos-srxsme-21.4R3-S5.4.tgz", True),
    ("srx1500", "junos-srxsme-21.4R3-S5.4.tgz", False),
    ("mx240", "junos-install-mx-x86-64-21.4R3-S5.4-limited.tgz", True),
    # Arista
    ("DCS-7010T-48-R", "EOS-4.28.3M.swi", True),
    ("CCS-720XP-24ZY4-F", "EOS64-4.28.3M.swi", True),
    ("DCS-7010T-48-R", "nxos.9.3.8.bin", False),
    # Other vendors
    ("FortiGate-60F", "FGT_60F-v7.4.8.M-build2795-FORTINET.out", True),
    ("FortiGate-60F", "FGT_40F-v7.4.8.M-build2795-FORTINET.out", False),
    ("PA-3220", "PanOS_3200-10.2.4", True),
    ("PA-3220", "PanOS_5200-10.2.4", False),
    ("JL665A", "FL.10.11.1021", True),
    ("R8N86A", "FL.10.11.1021", False),
    # Unknown on either side: never guessed.
    ("WS-C9999-48", "c3560cx-universalk9-mz.152-7.E8.bin", None),
    ("C3560CX-LOOKALIKE", "c3560cx-universalk9-mz.152-7.E8.bin", None),
    ("WS-C3560CX-12PC-S", "c9999-universalk9-mz.152-7.E8.bin", None),
    ("WS-C3560CX-12PC-S", "firmware-latest.bin", None),
    ("", "nxos.9.3.8.bin", None),
]


@pytest.mark.parametrize(("model", "image", "expected"), CASES)
def test_check(model: str, image: str, expected: bool | None) -> None:
    result = check(shipped_catalogue(), model=model, image=image)
    assert result.compatible is expected, result.why
    assert result.why


def test_the_table_covers_the_vendors_and_oses_asked_for() -> None:
    catalogue = shipped_catalogue()
    seen = set()
    for _, image, _ in CASES:
        family = catalogue.family_of_image(image)
        if family is not None:
            seen.add(family.os_family)
    assert {"ios", "iosxe", "nxos", "asa", "iosxr", "junos", "eos"} <= seen
    assert len(CASES) >= 40


def test_a_supervisor_decides_a_modular_chassis() -> None:
    catalogue = shipped_catalogue()
    xe = "cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin"
    sup7 = check(catalogue, model="WS-C4507R+E", image=xe, components=["WS-X45-SUP7-E"])
    sup6 = check(catalogue, model="WS-C4507R+E", image=xe, components=["WS-X45-SUP6-E"])
    assert (sup7.compatible, sup6.compatible) == (True, False)
    assert "WS-X45-SUP7-E" in sup6.why
    rp2 = check(catalogue, model="ASR1006", image="asr1000rp2-adventerprisek9.03.16.10.S.155-3.S10-ext.bin",
                components=["ASR1000-RP2"])
    rp1 = check(catalogue, model="ASR1006", image="asr1000rp2-adventerprisek9.03.16.10.S.155-3.S10-ext.bin",
                components=["ASR1000-RP1"])
    assert (rp2.compatible, rp1.compatible) == (True, False)


def test_the_answer_names_the_image_family_and_the_model_s_own() -> None:
    result = check(shipped_catalogue(), model="WS-C3560E-24TD-S",
                   image="flash:/c3560cx-universalk9-mz.152-7.E8.bin")
    assert result.image_family == "c3560cx"
    assert "c3560e" in result.why
    assert result.as_dict() == {"compatible": False, "image_family": "c3560cx", "why": result.why}


def test_os_family_keeps_other_oses_out() -> None:
    catalogue = shipped_catalogue()
    # A Catalyst PID is never a Nexus one, whatever the OS says.
    assert check(catalogue, model="C9300-48P", image="nxos.9.3.8.bin").compatible is False
    assert catalogue.families_for_model("C93108TC-EX", os_family="iosxe") == ()
    assert {f.id for f in catalogue.families_for_model("C93108TC-EX", os_family="nxos")} == {
        "n9000", "nxos", "nxos64-cs"}
