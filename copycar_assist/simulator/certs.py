"""The demo world's certificates: a private CA made at run time (trustme) and certificates for
127.0.0.1 / localhost. The SMTP check trusts the CA in demo mode only (`smtp.ca_file` points at
the copy the world writes into its private directory); the API's TLS scenario serves a
certificate from a second CA that nothing trusts. Keys live in memory and in that directory only.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from copycar_assist.files.write import write_atomic


class DemoCA:
    def __init__(self) -> None:
        import trustme

        self._ca = trustme.CA(organization_name="copycar-assist demo CA")
        self._leaf = self._ca.issue_cert("127.0.0.1", "localhost")

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the 127.0.0.1 certificate."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._leaf.configure_cert(ctx)
        return ctx

    def write_ca(self, path: Path) -> str:
        """Write the CA certificate (PEM) to `path`; the path as text."""
        write_atomic(path, self._ca.cert_pem.bytes())
        return str(path)
