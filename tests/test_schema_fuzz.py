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
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, transaction

# per operation: 5 cases, most of them valid requests, in every run of the suite (each operation is still
# reached valid and invalid); `make fuzz` runs schemathesis over the whole API with >= 10,000 cases
EXAMPLES = {"positive": 4, "negative": 1}
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


@pytest.mark.timeout(900)  # about a minute on an idle machine; generous for a busy CI runner
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


# --- stateful: create → read → update → delete chains (issue 8, item 6) ------------------------------

STATEFUL = {"scenarios": 80, "steps": 8}  # about 700 requests; each scenario starts at a list or a create


class EachScenarioRolledBack:
    """Every scenario of a state machine starts from the same rows: its writes are rolled back when it ends.

    Otherwise a rule's precondition (is there a row to read or delete?) sees what an earlier scenario left,
    the same choices draw differently, and Hypothesis stops with "inconsistent data generation".  The requests
    go through the WSGI handler in process, which closes the connection after each request when it is not in
    autocommit: as Django's test client does, that handler is unhooked for the scenario."""

    def setup(self) -> None:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self._scenario = transaction.atomic()
        self._scenario.__enter__()

    def call(self, case, **kwargs):
        """Each request in a savepoint: in production every request is its own transaction (autocommit), so a
        statement the database refused (a ``DataError`` the API answers 400) must not abort the scenario's."""
        savepoint = transaction.savepoint()
        try:
            return super().call(case, **kwargs)
        finally:
            try:
                transaction.savepoint_commit(savepoint)
            except DatabaseError:
                transaction.savepoint_rollback(savepoint)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._scenario.__exit__(None, None, None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def declare_foreign_key_links(openapi: dict) -> int:
    """Add OpenAPI links so a row one operation lists or creates is the foreign key of the next one's body.

    schemathesis infers ``POST /x/ → GET|PUT|PATCH|DELETE /x/{id}/`` itself; what it cannot see is that
    ``BuildingRequest.zone`` is a zone id.  The models know it: for every create/update body on a router
    route, each integer property that is a foreign key on the route's model gets a link from the list
    (``results/0/id``) and the create (``id``) of the route that serves the related model.  A new app's
    routes are covered by being on the router.
    """
    from django.core.exceptions import FieldDoesNotExist

    from config.urls import router

    prefix_of: dict = {}  # model -> list path
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is not None:
            prefix_of.setdefault(queryset.model, f"/api/v1/{prefix}/")
    paths = openapi["paths"]
    components = openapi["components"]["schemas"]
    declared = 0
    for model, list_path in prefix_of.items():
        for path, method in ((list_path, "post"),):
            operation = paths.get(path, {}).get(method)
            if not operation or "requestBody" not in operation:
                continue
            ref = operation["requestBody"]["content"].get("application/json", {}).get("schema", {}).get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            for name, spec in properties.items():
                if spec.get("type") != "integer":
                    continue
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                parent_path = prefix_of.get(getattr(field, "related_model", None))
                if not field.many_to_one or parent_path is None:
                    continue
                for source_method, status, expression in (("get", "200", "results/0/id"), ("post", "201", "id")):
                    source = paths[parent_path].get(source_method)
                    if source is None or status not in source.get("responses", {}):
                        continue
                    links = source["responses"][status].setdefault("links", {})
                    links[f"{operation['operationId']}.{name}"] = {
                        "operationId": operation["operationId"],
                        "requestBody": {name: f"$response.body#/{expression}"},
                    }
                    declared += 1
    return declared


@pytest.fixture
def community_world(db):
    """Community A with one row of every community-owned model, and a staff member of A (token auth)."""
    from rest_framework.authtoken.models import Token

    from tests import factories as f

    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county)
    community_a = f.CommunityFactory(town=town, name="东风社区")
    community_b = f.CommunityFactory(town=town, name="西湖社区")
    for make in f.SCOPED_FACTORIES.values():
        make(community_a)
    f.SCOPED_FACTORIES["community.Resident"](community_b)
    staff = f.staff_of(community_a)
    return Token.objects.create(user=staff), community_b


@pytest.mark.timeout(600)
@pytest.mark.django_db(transaction=True)
def test_api_survives_stateful_chains(openapi, community_world):
    """Chains of calls a community's staff can make (list → read → update → delete, create → child create)
    never answer 5xx, a row just created can be read back, and a deleted row is gone."""
    import copy

    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import ensure_resource_availability, use_after_free

    from community.models import Resident

    token, community_b = community_world
    document = copy.deepcopy(openapi[0])
    declared = declare_foreign_key_links(document)
    assert declared > 20, f"only {declared} foreign-key links declared"
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Token {token.key}"}
    checks = [not_a_server_error, use_after_free, ensure_resource_availability]
    problems: dict[str, str] = {}
    calls: dict[str, int] = {}
    started = time.monotonic()

    class Workflow(EachScenarioRolledBack, schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            label = case.operation.label
            calls[label] = calls.get(label, 0) + 1
            try:
                case.validate_response(response, checks=checks, headers=headers, recorder=self.recorder)
            except FailureGroup as exc:
                problems.setdefault(label, str(exc)[:1500])

    transitions = sum(len(t.outgoing) for t in Workflow._transitions.operations.values())
    Workflow.run(
        settings=settings(
            max_examples=STATEFUL["scenarios"],
            stateful_step_count=STATEFUL["steps"],
            phases=[Phase.generate],
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    chained = {label for label in calls if "{" in label}  # operations on one row, reached through a link
    print(
        f"stateful: {transitions} links, {sum(calls.values())} calls to {len(calls)} operations "
        f"({len(chained)} on a row) in {time.monotonic() - started:.0f} s"
    )
    assert transitions > 300, f"only {transitions} links between operations"
    assert len(chained) > 30, f"only {len(chained)} row operations were reached through links: {sorted(chained)}"
    # which rows a run reaches depends on the ids the database hands out; a write through a link always must
    writes = {label for label in chained if label.split()[0] in ("DELETE", "PATCH", "PUT")}
    assert writes, f"no chain reached a write on a row: {sorted(chained)}"
    assert Resident.objects.filter(household__building__zone__community=community_b).count() == 1  # B untouched
    assert not problems, f"{len(problems)} operations failed in chains:\n\n" + "\n\n".join(
        f"== {label}\n{text}" for label, text in sorted(problems.items())
    )
