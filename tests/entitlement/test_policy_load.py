"""Reading TOML policies: what is accepted, and bad input refused with its line and key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.entitlement.policy import CONDITIONS, RELEASE_KINDS, load_policy
from fixright.entitlement.presets import PRESETS, load_preset, preset_text
from fixright.errors import InvalidInput

GOOD = """\
name = "mine"
description = "test policy"

[[grant]]
name = "contract"
contract_active = true

[[grant]]
name = "security"
fixes_advisory = { min_severity = "High" }
same_train = true
release_kinds = ["security", "Maintenance"]
"""


def test_good_policy_reads_every_part() -> None:
    policy = load_policy(GOOD, source="mine.toml")
    assert policy.name == "mine"
    assert [g.name for g in policy.grants] == ["contract", "security"]
    security = policy.grants[1]
    by_name = {c.name: c for c in security.conditions}
    assert by_name["fixes_advisory"].value == "high"
    assert by_name["release_kinds"].value == ("security", "maintenance")
    assert by_name["same_train"].line == 11
    assert security.line == 8
    assert security.needs_device


def test_dotted_and_subtable_forms_are_the_same_policy() -> None:
    dotted = '[[grant]]\nname = "g"\nfixes_advisory.min_severity = "critical"\n'
    table = '[[grant]]\nname = "g"\n[grant.fixes_advisory]\nmin_severity = "critical"\n'
    for text in (dotted, table):
        (cond,) = load_policy(text).grants[0].conditions
        assert cond.name == "fixes_advisory" and cond.value == "critical"
        assert cond.line == 3


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # typo in a condition name: refused with its line and a suggestion
        ('[[grant]]\nname = "a"\n\ncontract_activ = true\n', 4,
         ["unknown condition 'contract_activ'", "did you mean 'contract_active'"]),
        # the typo is in the second grant: the line is found in that grant's section
        ('[[grant]]\npublic = true\n[[grant]]\nname = "b"\nowns_devise = true\n', 5,
         ["unknown condition 'owns_devise'", "grant 'b'"]),
        # a condition at the top level instead of in a grant
        ('contract_active = true\n[[grant]]\npublic = true\n', 1,
         ["unknown key 'contract_active'", "inside a [[grant]]"]),
        ('[[grant]]\nname = "a"\ncontract_active = "yes"\n', 3,
         ["'contract_active'", "must be `true`"]),
        ('[[grant]]\nname = "a"\ncontract_active = false\n', 3, ["is false"]),
        ('[[grant]]\nrelease_kinds = ["maintenance", "hotfix"]\n', 2,
         ["unknown release kind 'hotfix'"]),
        ('[[grant]]\nrelease_kinds = "maintenance"\n', 2, ["non-empty list"]),
        ('[[grant]]\nrelease_kinds = []\n', 2, ["non-empty list"]),
        ('[[grant]]\nfixes_advisory = { min_severity = "severe" }\n', 2,
         ["'min_severity'", "critical"]),
        ('[[grant]]\nfixes_advisory = { severity = "high" }\n', 2, ["unknown key 'severity'"]),
        ('[[grant]]\nfixes_advisory = 3\n', 2, ["must be `true` or"]),
        ('[[grant]]\nname = "a"\ndescription = "only words"\n', 1, ["has no condition"]),
        ('[[grant]]\nname = "a"\npublic = true\n[[grant]]\nname = "a"\npublic = true\n', 4,
         ["used twice", "first at line 1"]),
        ('[[grant]]\nname = 7\npublic = true\n', 2, ["'name' must be a non-empty string"]),
        ('name = "x"\n', None, ["at least one [[grant]]"]),
        # malformed TOML: tomllib's line, and the key on it
        ('[[grant]]\nname = "a"\ncontract_active = tru\n', 3,
         ["not valid TOML at key 'contract_active'"]),
        ('[[grant]\npublic = true\n', 1, ["not valid TOML"]),
    ],
)
def test_bad_policies_name_the_line_and_key(text: str, line: int | None, words: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_policy(text, source="p.toml")
    message = str(caught.value)
    prefix = f"p.toml: line {line}:" if line else "p.toml"
    assert message.startswith(prefix), message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load_and_describe_themselves(name: str) -> None:
    policy = load_preset(name)
    assert policy.name == name
    assert len(policy.description) > 80  # a paragraph the portal can publish
    assert policy.grants
    assert all(g.description for g in policy.grants)
    # the shipped text is what was parsed
    assert load_policy(preset_text(name)).grants == policy.grants


_flag_conditions = [c for c in CONDITIONS if c not in ("release_kinds", "fixes_advisory")]
_lines = st.one_of(
    st.sampled_from([f"{c} = true" for c in _flag_conditions]),
    st.lists(st.sampled_from(RELEASE_KINDS), min_size=1, unique=True).map(
        lambda ks: "release_kinds = [" + ", ".join(f'"{k}"' for k in ks) + "]"),
    st.sampled_from(["informational", "low", "medium", "high", "critical"]).map(
        lambda s: f'fixes_advisory = {{ min_severity = "{s}" }}'),
)


@given(st.lists(st.lists(_lines, min_size=1, max_size=5, unique_by=lambda s: s.split()[0]),
                min_size=1, max_size=4),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12),
       st.data())
def test_any_unknown_condition_is_refused_at_its_line(
    grants: list[list[str]], bogus: str, data: st.DataObject
) -> None:
    """Valid grants load; inserting one unknown key anywhere is refused at that line."""
    blocks = []
    for i, lines in enumerate(grants):
        blocks.append(["[[grant]]", f'name = "g{i}"', *lines])
    text = "\n".join(line for block in blocks for line in block) + "\n"
    policy = load_policy(text)
    assert [len(g.conditions) for g in policy.grants] == [len(lines) for lines in grants]
    if bogus in CONDITIONS or bogus in ("name", "description"):
        return
    where = data.draw(st.integers(0, len(blocks) - 1))
    blocks[where].insert(2, f"{bogus} = true")
    lines = [line for block in blocks for line in block]
    number = lines.index(f"{bogus} = true") + 1
    with pytest.raises(InvalidInput, match=rf"^<policy>: line {number}: unknown condition"):
        load_policy("\n".join(lines) + "\n")
