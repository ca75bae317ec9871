"""TLS certificate facts and the cold-start wait (real TLS server; MockTransport for the wait)."""

import datetime as dt
import json

import httpx
import pytest
from proxy import serve

from harness.checks.health import check_health
from harness.config.targets import HealthSpec, Target
from harness.errors import CertificateUntrusted, ConfigError, TargetUnreachable
from harness.transport.http import HttpClient
from harness.transport.tls import TlsSpec, peer_certificate, tls_spec
from harness.transport.wait import HttpWaitStrategy

trustme = pytest.importorskip("trustme")


async def ok_app(scope, receive, send):
    body = json.dumps({"status": "ok"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
    leaf.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    with serve(ok_app, certfile=str(folder / "cert.pem"), keyfile=str(folder / "key.pem")) as url:
        yield url, folder / "ca.pem"


def test_certificate_expiry_verified_and_unverified(tls_server):
    url, ca = tls_server
    trusted = peer_certificate(url, TlsSpec(ca_bundle=ca))
    unverified = peer_certificate(url, TlsSpec(verify=False))
    for cert in (trusted, unverified):
        assert 2.9 < cert.days_left() <= 3 and cert.host == "127.0.0.1"
    assert trusted.not_after == unverified.not_after
    assert peer_certificate("http://127.0.0.1:1", TlsSpec()) is None


def test_untrusted_certificate_is_a_config_error_with_a_hint(tls_server):
    with pytest.raises(CertificateUntrusted, match=r"TLS handshake with 127\.0\.0\.1") as info:
        peer_certificate(tls_server[0], TlsSpec())
    assert "ca_bundle" in info.value.hint


def test_health_fails_naming_the_expiry_and_passes_with_a_smaller_window(tls_server):
    url, ca = tls_server
    with HttpClient(url, verify=TlsSpec(ca_bundle=ca).httpx_verify()) as client:
        failing = check_health(client, HealthSpec(), TlsSpec(ca_bundle=ca))
        passing = check_health(client, HealthSpec(), TlsSpec(ca_bundle=ca, expiry_warn_days=2))
    assert (
        not failing.ok
        and "expires in 3.0 day(s)" in failing.summary
        and "less than 14 days" in failing.summary
    )
    assert f"on {failing.evidence['tls_certificate']['not_after']}" in failing.summary
    assert passing.ok and passing.evidence["tls_certificate"]["days_left"] <= 3


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"verify": "yes"}, "tls.verify"),
        ({"expiry_warn_days": -1}, "tls.expiry_warn_days"),
        ({"ca_bundle": "nope.pem"}, "tls.ca_bundle"),
        ({"cafile": "x"}, "unknown key 'cafile'"),
    ],
)
def test_bad_tls_section_names_the_key(table, named, tmp_path):
    with pytest.raises(ConfigError, match=named):
        tls_spec(Target(name="t", kind="remote", raw={"tls": table}, base_dir=tmp_path))


# ---------------------------------------------------------------- cold start


def sleeping_service(wake_after: int):
    """Answers 503 (a PaaS router while the service boots) for the first requests."""
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) <= wake_after:  # the router's own page, not the app's JSON
            return httpx.Response(503, text="Service Unavailable")
        return httpx.Response(200, json={"status": "ok"})

    return handler, calls


def test_wait_reports_progress_then_the_wake_up():
    handler, calls = sleeping_service(3)
    lines = []
    strategy = HttpWaitStrategy(
        "http://svc.test/api/health",
        timeout_s=30,
        interval_s=0.01,
        transport=httpx.MockTransport(handler),
    )
    assert strategy.wait(lines.append).status_code == 200
    assert len(calls) == 4
    assert [line.split(" (")[0] for line in lines[:3]] == [
        "waiting for http://svc.test/api/health to answer"
    ] * 3
    assert "attempt 1" in lines[0] and "HTTP 503" in lines[0] and "of at most 30s" in lines[0]
    assert (
        lines[-1].startswith("http://svc.test/api/health answered HTTP 200 after")
        and "(4 attempts)" in lines[-1]
    )


def test_wait_is_bounded_and_names_the_last_problem():
    handler, _ = sleeping_service(10**6)
    strategy = HttpWaitStrategy(
        "http://svc.test/h", timeout_s=0.2, interval_s=0.05, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(TargetUnreachable, match=r"not ready after \d+s \(\d+ attempts\): HTTP 503"):
        strategy.wait()


def test_a_tls_failure_ends_the_wait_at_once():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate has expired")

    strategy = HttpWaitStrategy(
        "https://svc.test/h", timeout_s=30, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(CertificateUntrusted, match="TLS failure"):  # exit 4: a retry cannot help
        strategy.wait()
    assert len(calls) == 1
