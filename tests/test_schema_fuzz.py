"""The OpenAPI schema is sound, and the whole API survives schemathesis (issue 2, item 13).

Every endpoint in ``/api/schema/`` is fuzzed, so a new app's endpoints are covered by being in the
schema.  The run is bounded: a fixed number of examples per operation, no shrinking, derandomised
(the same cases every run, so a failure reproduces).
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest

EXAMPLES = {"positive": 12, "negative": 3}  # per operation: 15 cases, most of them valid requests
# while debugging, fuzz only the operations whose label matches, e.g. FUZZ_OPERATIONS="residents"
ONLY = re.compile(os.environ.get("FUZZ_OPERATIONS", ""))
COSMETIC_WARNINGS = [  # naming advice from drf-spectacular, not a wrong schema
    re.compile(r"enum naming encountered a non-optimally resolvable collision"),
    re.compile(r"encountered multiple names for the same choice set"),
]


@pytest.fixture(scope="module")
def openapi():
    """The schema as /api/schema/ serves it (generated once for both tests), with the generator's warnings."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    stats = {"errors": dict(GENERATOR_STATS._error_cache), "warnings": dict(GENERATOR_STATS._warn_cache)}
    return json.loads(JSONRenderer().render(schema)), stats


def test_schema_generates_without_errors_and_validates(openapi):
    from drf_spectacular.validation import validate_schema

    schema, stats = openapi
    validate_schema(schema)  # raises on an invalid OpenAPI document
    errors = stats["errors"]
    warnings = [w for w in stats["warnings"] if not any(p.search(w) for p in COSMETIC_WARNINGS)]
    assert not errors, "drf-spectacular errors:\n" + "\n".join(errors)
    assert not warnings, "drf-spectacular warnings:\n" + "\n".join(warnings)
    paths = schema["paths"]
    assert "/api/v1/residents/" in paths and "/api/v1/dashboard/" in paths
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.fixture
def fuzz_user(db):
    """A superuser: every endpoint and every write path is reachable (scoping has its own matrix)."""
    from rest_framework.authtoken.models import Token

    from community.models import User
    from tests import factories as f

    county = f.CountyFactory(name="示范县", code="330999")
    community = f.CommunityFactory(town=f.TownFactory(county=county))
    f.SCOPED_FACTORIES["community.Resident"](community)
    f.ResidentUnitFactory(community=community)
    user = User.objects.create_superuser("fuzzer", "fuzzer@example.org", "Fuzz!ng-2026x")
    return Token.objects.create(user=user)


@pytest.mark.timeout(900)  # about two minutes on an idle machine; generous for a busy CI runner
@pytest.mark.django_db(transaction=True)  # the WSGI app closes/reopens connections per request
def test_api_survives_fuzzing(openapi, fuzz_user):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_dict(openapi[0])
    schema.app = get_wsgi_application()  # requests go through the whole Django stack, in process
    headers = {"Authorization": f"Token {fuzz_user.key}"}
    checks = [not_a_server_error, response_schema_conformance]
    problems: dict[str, str] = {}
    operations = requests = 0
    started = time.monotonic()

    def fuzz(operation, mode: str, examples: int) -> None:
        label = f"{operation.label} [{mode}]"

        @settings(
            max_examples=examples,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure as found
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def run(case):
            nonlocal requests
            if label in problems:
                return
            requests += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as exc:
                problems[label] = str(exc)[:1500]

        try:
            run()
        except Unsatisfiable:
            if mode == "positive":  # a valid request cannot be built from the schema: a schema bug
                problems[label] = "schemathesis could not generate a single valid request from the schema"
            # negative: the operation has nothing that can be made invalid (e.g. no parameters)

    for result in schema.get_all_operations():
        operation = result.ok()
        if not ONLY.search(operation.label):
            continue
        operations += 1
        for mode, examples in EXAMPLES.items():
            fuzz(operation, mode, examples)
    print(f"fuzzed {operations} operations with {requests} requests in {time.monotonic() - started:.0f} s")
    assert operations > (50 if not ONLY.pattern else 0), f"only {operations} operations in the schema"
    assert not problems, f"{len(problems)} operations failed:\n\n" + "\n\n".join(
        f"== {label}\n{text}" for label, text in sorted(problems.items())
    )
