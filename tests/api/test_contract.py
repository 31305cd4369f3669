"""The API keeps the promises of its OpenAPI document (checked by schemathesis, in process)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

EXAMPLES_PER_OPERATION = 25


def test_every_response_matches_the_openapi_document(app, world, token_for) -> None:
    secret = token_for(world.regional)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 10
    for operation in operations:
        # The in-process client does not decompress, so ask for plain bodies.
        strategy = operation.as_strategy(headers={"Authorization": f"Bearer {secret}",
                                                  "Accept-Encoding": "identity"})

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  derandomize=True, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # Server errors, undocumented status codes, content types, headers and bodies
            # that do not match their schema all fail here.
            case.call_and_validate()

        check()


def test_the_document_describes_errors_and_security(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["security"] == [{"bearerAuth": []}]
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "401", "429"} <= set(responses), path
        assert "WWW-Authenticate" in responses["401"]["headers"]
