"""TLS: which certificates to trust, and when the target's certificate expires.

``[targets.NAME.tls]`` (all optional)::

    ca_bundle = "certs/internal-ca.pem"   # trust this CA (relative to targets.toml)
    verify = true                          # false: do not verify (the expiry is still read)
    expiry_warn_days = 14                  # health fails when the certificate expires sooner

A certificate that expires while nobody looks is an outage on a known date; the health
item records the date for every https target and fails inside the warning window.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import CertificateUntrusted, ConfigError, TargetUnreachable
from harness.messages.core import msg

_KNOWN = {"ca_bundle", "verify", "expiry_warn_days"}


@dataclass(frozen=True)
class TlsSpec:
    verify: bool = True
    ca_bundle: Path | None = None
    expiry_warn_days: int = 14

    def ssl_context(self) -> ssl.SSLContext:
        if not self.verify:
            return ssl._create_unverified_context()  # the profile asked for it
        return ssl.create_default_context(cafile=str(self.ca_bundle) if self.ca_bundle else None)

    def httpx_verify(self) -> ssl.SSLContext | bool:
        """What httpx's ``verify=`` wants: the default trust store stays ``True``."""
        return self.ssl_context() if self.ca_bundle or not self.verify else True


def tls_spec(target: Target) -> TlsSpec:
    table = target.section("tls")
    where = f"targets.{target.name}.tls"
    reject_unknown_keys(table, _KNOWN, where)
    verify = table.get("verify", True)
    days = table.get("expiry_warn_days", 14)
    if not isinstance(verify, bool):
        raise ConfigError(
            msg("tls.verify_bool", where=where, value=repr(verify)), hint=msg("tls.fix_verify")
        )
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ConfigError(
            msg("tls.days", where=where, value=repr(days)), hint=msg("tls.fix_it"),
        )
    return TlsSpec(
        verify=verify,
        ca_bundle=_ca_bundle(table.get("ca_bundle"), target.base_dir, where),
        expiry_warn_days=days,
    )


def _ca_bundle(value: Any, base: Path, where: str) -> Path | None:
    if value in (None, ""):
        return None
    path = Path(str(value)).expanduser()
    path = path if path.is_absolute() else (base / path).resolve()
    if not path.is_file():
        raise ConfigError(
            msg("tls.no_bundle", where=where, path=path), hint=msg("tls.bundle_hint")
        )
    return path


@dataclass(frozen=True)
class Certificate:
    host: str
    port: int
    not_after: datetime
    subject: str
    issuer: str

    def days_left(self, now: datetime | None = None) -> float:
        return (self.not_after - (now or datetime.now(UTC))).total_seconds() / 86400

    def evidence(self) -> dict[str, Any]:
        return {
            "host": f"{self.host}:{self.port}",
            "not_after": self.not_after.isoformat(timespec="seconds"),
            "days_left": round(self.days_left(), 1),
            "subject": self.subject,
            "issuer": self.issuer,
        }


def peer_certificate(url: str, spec: TlsSpec, timeout_s: float = 10.0) -> Certificate | None:
    """The certificate ``url``'s server presents; ``None`` for plain http."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    host, port = parts.hostname, parts.port or 443
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            spec.ssl_context().wrap_socket(raw, server_hostname=host) as tls,
        ):
            return _certificate(host, port, tls)
    except ssl.SSLError as exc:  # before OSError, its base: a retry cannot help here
        raise CertificateUntrusted(
            msg("tls.handshake", host=f"{host}:{port}", error=exc), hint=msg("http.tls_hint"),
        ) from exc
    except OSError as exc:
        raise TargetUnreachable(
            msg("tls.handshake", host=f"{host}:{port}", error=exc), hint=msg("http.check_hint"),
        ) from exc


def _certificate(host: str, port: int, tls: ssl.SSLSocket) -> Certificate:
    decoded = tls.getpeercert()
    if decoded:  # verified: the standard library decodes it for us
        return Certificate(
            host, port,
            datetime.fromtimestamp(ssl.cert_time_to_seconds(str(decoded["notAfter"])), UTC),
            _name(decoded.get("subject", ())), _name(decoded.get("issuer", ())),
        )  # fmt: skip
    return _from_der(host, port, tls.getpeercert(binary_form=True) or b"")


def _from_der(host: str, port: int, der: bytes) -> Certificate:
    """Unverified connections only hand out DER; ``cryptography`` (trustme's dependency)
    decodes it."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    return Certificate(
        host,
        port,
        cert.not_valid_after_utc,
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
    )


def _name(rdns: Any) -> str:
    return ", ".join(f"{key}={value}" for rdn in rdns for key, value in rdn)
