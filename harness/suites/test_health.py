"""health: the target's health endpoint answers 200, the expected body, within budget."""

import pytest

from harness.checks.health import check_health
from harness.transport.tls import tls_spec


@pytest.mark.checklist("health")
def test_health_endpoint(http, target, check):
    check(check_health(http, target.health, tls_spec(target)))
