"""The cluster's TLS: a local CA and a server certificate for nginx, made once with `cryptography`.

The CA stays in the cluster directory, so clients (the tests, the load driver, curl --cacert)
verify nginx exactly as they would verify a public certificate. Generated on the first `up` and
reused afterwards, so a client that trusted the CA keeps working across restarts.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crowdhire.dev.cluster.layout import Layout

VALID_DAYS = 825  # the longest lifetime browsers accept for a server certificate


def tls_dir(layout: Layout) -> Path:
    """Where the CA and the server certificate live."""
    return layout.root / "tls"


def ca_file(layout: Layout) -> Path:
    """The CA certificate clients trust (PEM)."""
    return tls_dir(layout) / "ca.pem"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)


def ensure_certificates(layout: Layout, host: str) -> tuple[Path, Path]:
    """(certificate chain, key) for nginx, issued by the cluster's CA for `host` and localhost."""
    directory = tls_dir(layout)
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    if cert_path.exists() and key_path.exists() and ca_file(layout).exists():
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("crowdhire local cluster CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    names.append(x509.IPAddress(ipaddress.ip_address(host)))
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(directory / "ca.key", ca_key)
    _write_key(key_path, server_key)
    ca_file(layout).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = server.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    cert_path.write_bytes(chain)
    return cert_path, key_path


def client_context(layout: Layout) -> ssl.SSLContext:
    """A TLS context that trusts the cluster's CA only."""
    return ssl.create_default_context(cafile=str(ca_file(layout)))
