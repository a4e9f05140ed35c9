"""Schemathesis against a running server's OpenAPI, as an owner and as the operator.

Every operation gets up to `MAX_EXAMPLES` generated requests per role and
backend, with a fixed seed (`derandomize=True`) so a CI failure replays.
Required: no 5xx, and every answer matches the schema the OpenAPI documents
for its status. (schemathesis' lazy pytest loader does not run under this
pytest, so each operation's strategy is driven by hypothesis directly.)
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.e2e.api_world import World, build_world

MAX_EXAMPLES = 15  # per operation, role and backend: bounded to fit a busy 2-core CI run
SENT: Counter[str] = Counter()
FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None,
                         database=None, phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


@pytest.fixture(scope="module")
def world(live_server, tmp_path_factory, shared_data) -> World:
    return build_world(live_server, tmp_path_factory.mktemp("world"), shared_data)


@pytest.mark.timeout(900)  # the whole run of one role; ~400 requests
@pytest.mark.parametrize("role", ["owner", "operator"])
def test_api_answers_without_5xx_and_as_documented(world: World, role: str) -> None:
    token = world.operator.token if role == "operator" else world.acme.token
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{world.server.url}/api/v1/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ_SETTINGS
        def run(case) -> None:  # noqa: ANN001 - schemathesis' Case
            SENT[role] += 1
            case.call_and_validate(headers=headers, timeout=60,
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - gather every operation's failure
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    print(f"\nschemathesis as {role}: {SENT[role]} requests")
    assert not failures, "\n\n".join(failures)
