"""A local RS256 signing key and JWKS, standing in for the identity provider.

The key pair is kept in `.local/` of the checkout, so `compliance-local token` and a running
`compliance-local serve` from the same checkout agree on it.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from compliance_local.functions import REPOSITORY

ISSUER = "http://127.0.0.1/compliance-local"
AUDIENCE = "compliance-reports"
KEY_DIR = REPOSITORY / ".local"
TOKEN_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: bytes

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.private_pem, password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    def mint(
        self,
        org_id: str,
        role: str,
        user: str,
        *,
        ttl_seconds: int = TOKEN_TTL_SECONDS,
        audience: str = AUDIENCE,
        issuer: str = ISSUER,
        now: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": f"user-{uuid.uuid5(uuid.NAMESPACE_URL, user).hex[:12]}",
            "email": user,
            "org_id": org_id,
            "role": role,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            **(extra or {}),
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


def generate_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(kid=uuid.uuid4().hex[:16], private_pem=pem)


def load_or_create_key(directory: Path = KEY_DIR) -> SigningKey:
    """Return the checkout's local signing key, creating it on first use."""
    path = directory / "signing-key.json"
    if path.exists():
        stored = json.loads(path.read_text())
        return SigningKey(kid=stored["kid"], private_pem=stored["pem"].encode())
    key = generate_key()
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"kid": key.kid, "pem": key.private_pem.decode()}))
    path.chmod(0o600)
    return key


class TokenRejectedError(Exception):
    """The token failed a check the JWT authorizer makes; API Gateway returns 401."""


def verify(
    token: str, jwks: dict[str, Any], audience: str = AUDIENCE, issuer: str = ISSUER
) -> dict[str, Any]:
    """Verify a bearer token as the HTTP API JWT authorizer does and return its claims.

    Checks: RS256 signature by the key whose `kid` the header names, issuer, audience, expiry and
    not-before. Any failure raises TokenRejectedError.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenRejectedError("malformed token") from error
    if header.get("alg") != "RS256":
        raise TokenRejectedError("token algorithm is not RS256")
    key_data = next((key for key in jwks["keys"] if key.get("kid") == header.get("kid")), None)
    if key_data is None:
        raise TokenRejectedError("token kid is not in the JWKS")
    public_key = RSAAlgorithm.from_jwk(json.dumps(key_data))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise TokenRejectedError(str(error)) from error
    return claims
