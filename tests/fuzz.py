"""``make fuzz``: schemathesis over the whole API, stateless then stateful, ≥ 10,000 cases (issue 16).

Run it with ``pytest tests/fuzz.py`` (its name keeps it out of the ordinary suite, which runs the smaller
budget of ``tests/test_schema_fuzz.py``).  Every response is checked: no 5xx, and every documented answer —
the 4xx ones included — matches the schema.  The run is reproducible: round *r* of the stateless phase uses
Hypothesis seed *r*, so a failure names the operation, the mode and the round that found it.

Budget (environment):
    FUZZ_CASES        stateless cases at least (default 10000): rounds repeat until they are reached
    FUZZ_SCENARIOS    stateful scenarios (default 150, about 8 calls each)
    FUZZ_OPERATIONS   a regular expression: fuzz only the operations whose label matches
"""

from __future__ import annotations

import copy
import math
import os
import re
import time

import pytest

from tests.security.wiring import wired_api  # noqa: F401  (the parser, token expiry and 4xx documentation)
from tests.test_schema_fuzz import (  # noqa: F401
    EachScenarioRolledBack,
    community_world,
    declare_foreign_key_links,
    fuzz_user,
)

CASES = int(os.environ.get("FUZZ_CASES", "10000"))
SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "150"))
ONLY = re.compile(os.environ.get("FUZZ_OPERATIONS", ""))
MAX_ROUNDS = 8
NEGATIVE_SHARE = 0.3  # of each operation's cases: invalid requests (wrong types, missing fields, junk)


@pytest.fixture
def documented_openapi(wired_api):  # noqa: F811
    """The schema as /api/schema/ serves it, with every operation's 4xx answers documented."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _report(title: str, problems: dict[str, str]) -> str:
    return f"{len(problems)} {title}:\n\n" + "\n\n".join(f"== {k}\n{v}" for k, v in sorted(problems.items()))


@pytest.mark.timeout(7200)
@pytest.mark.django_db(transaction=True)  # the WSGI app closes and reopens connections per request
def test_stateless_fuzz_finds_no_server_error_and_no_schema_violation(documented_openapi, fuzz_user):  # noqa: F811
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_dict(documented_openapi)
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Token {fuzz_user.key}"}
    checks = [not_a_server_error, response_schema_conformance]
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if ONLY.search(op.label)]
    assert operations, "no operation matches FUZZ_OPERATIONS"
    per_operation = max(2, math.ceil(CASES / len(operations)))
    budget = {
        "positive": max(1, round(per_operation * (1 - NEGATIVE_SHARE))),
        "negative": max(1, round(per_operation * NEGATIVE_SHARE)),
    }
    problems: dict[str, str] = {}
    counts = {"requests": 0, "server_errors": 0}
    started = time.monotonic()

    def fuzz(operation, mode: str, examples: int, round_: int) -> None:
        label = f"{operation.label} [{mode}]"

        @seed(round_)
        @settings(
            max_examples=examples,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure, as found
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def run(case):
            if label in problems:
                return
            counts["requests"] += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                counts["server_errors"] += 1
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as exc:
                problems[label] = f"round {round_}: " + str(exc)[:1500]

        try:
            run()
        except Unsatisfiable:
            if mode == "positive":
                problems[label] = "schemathesis could not generate a single valid request from the schema"

    round_ = 0
    while counts["requests"] < CASES and round_ < MAX_ROUNDS:
        for operation in operations:
            for mode, examples in budget.items():
                fuzz(operation, mode, examples, round_)
        round_ += 1
    elapsed = time.monotonic() - started
    print(
        f"stateless: {len(operations)} operations, {counts['requests']} cases in {round_} round(s), "
        f"{elapsed:.0f} s, {counts['server_errors']} server errors, {len(problems)} failing operations"
    )
    assert not problems, _report("operations failed", problems)
    if not ONLY.pattern:
        assert counts["requests"] >= CASES, f"only {counts['requests']} cases (FUZZ_CASES={CASES})"


@pytest.mark.timeout(3600)
@pytest.mark.django_db(transaction=True)
def test_stateful_fuzz_finds_no_server_error(documented_openapi, community_world):  # noqa: F811
    """Chains a community's staff can make (list → read → update → delete, create → child create)."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        ensure_resource_availability,
        response_schema_conformance,
        use_after_free,
    )

    token, _community_b = community_world
    document = copy.deepcopy(documented_openapi)
    declare_foreign_key_links(document)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Token {token.key}"}
    checks = [not_a_server_error, response_schema_conformance, use_after_free, ensure_resource_availability]
    problems: dict[str, str] = {}
    calls = {"n": 0}
    started = time.monotonic()

    class Workflow(EachScenarioRolledBack, schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls["n"] += 1
            try:
                case.validate_response(response, checks=checks, headers=headers, recorder=self.recorder)
            except FailureGroup as exc:
                problems.setdefault(case.operation.label, str(exc)[:1500])

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=8,
            phases=[Phase.generate],
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"stateful: {SCENARIOS} scenarios, {calls['n']} calls, {time.monotonic() - started:.0f} s")
    assert not problems, _report("operations failed in chains", problems)
    assert calls["n"] >= SCENARIOS
