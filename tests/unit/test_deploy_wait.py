"""The deploy wait: profile section, JSON pointer, short commit ids, wait and timeout wording
(httpx.MockTransport: the retry logic itself, no server needed)."""

from __future__ import annotations

import httpx
import pytest

from harness.config.deploy import DeploySpec, deploy_spec
from harness.config.targets import Target
from harness.errors import ConfigError, TargetUnavailable
from harness.transport.deploy import DeployWait, resolve_pointer, same_version

SHA = "3f9c2b7d1e0a4c5b6a7980f1e2d3c4b5a6978877"


def target(section: dict) -> Target:
    return Target(name="t", kind="remote", base_url="http://x", raw={"deploy": section})


def test_deploy_section_defaults_and_errors():
    assert deploy_spec(target({})) is None
    spec = deploy_spec(target({"version_path": "/api/health", "version_pointer": "/build/sha", "expect": SHA}))
    assert spec == DeploySpec("/api/health", "/build/sha", SHA, 600.0, 5.0)
    for section, message in [
        ({"version_path": "api/health"}, "targets.t.deploy.version_path"),
        ({"version_path": "/h", "version_pointer": "version"}, "targets.t.deploy.version_pointer"),
        ({"version_path": "/h", "timeout_s": 0}, "targets.t.deploy.timeout_s: expected seconds > 0"),
        ({"version_path": "/h", "expected": SHA}, "targets.t.deploy: unknown key 'expected'"),
    ]:
        with pytest.raises(ConfigError, match=message):
            deploy_spec(target(section))


def test_pointer_and_short_ids():
    doc = {"build": {"sha": SHA, "tags": ["a/b"]}, "a~b": 1}
    assert resolve_pointer(doc, "/build/sha") == SHA and resolve_pointer(doc, "/a~0b") == 1
    assert resolve_pointer(doc, "/build/tags/0") == "a/b" and resolve_pointer(doc, "") is doc
    with pytest.raises(KeyError):
        resolve_pointer(doc, "/build/version")
    assert same_version(SHA[:7], SHA) and same_version(SHA, SHA[:12]) and same_version("v1.2", "v1.2")
    assert not same_version(SHA[:6], SHA) and not same_version("v1.2", "v1.20")


def waiter(answers: list, **spec) -> DeployWait:
    """Each request takes the next answer (the last repeats): a version, or an httpx.Response."""
    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json={"version": answer})

    settings = {"version_path": "/api/health", "version_pointer": "/version", "expect": SHA,
                "timeout_s": 30.0, "interval_s": 0.001, **spec}  # fmt: skip
    return DeployWait("http://x/api/health", DeploySpec(**settings), transport=httpx.MockTransport(handler))


def test_waits_until_the_new_revision_serves_with_a_progress_line():
    lines: list[str] = []
    seen = waiter([httpx.Response(503), "0ld0ld0ld", "0ld0ld0ld", SHA[:7]]).wait(lines.append)
    assert seen["served"] == SHA[:7] and seen["attempts"] == 4
    assert len(lines) == 3 and f"waiting for the deploy of {SHA}" in lines[0]
    assert "HTTP 503" in lines[0] and "it still serves 0ld0ld0ld" in lines[-1]


def test_timeout_says_what_still_serves():
    with pytest.raises(TargetUnavailable, match=f"staging still serves 0ld0ld0ld, expected {SHA}") as info:
        waiter(["0ld0ld0ld"], timeout_s=0.01).wait()
    assert "deploy" in (info.value.hint or "")


def test_timeout_without_a_readable_version_names_the_pointer():
    with pytest.raises(TargetUnavailable, match="has no /version"):
        waiter([httpx.Response(200, json={"status": "ok"})], timeout_s=0.01).wait()
    with pytest.raises(TargetUnavailable, match="did not answer JSON"):
        waiter([httpx.Response(200, text="ok")], timeout_s=0.01).wait()
