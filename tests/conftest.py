"""Fixtures shared by the functional and end-to-end tests: one local stack per test session."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway
from compliance_local.keys import SigningKey, load_or_create_key
from compliance_local.stack import LocalStack, free_port

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_org_numbers = itertools.count(1)

ClientFactory = Callable[..., ApiClient]


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    stack = LocalStack().start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """Return the checkout's local key, which `compliance-local import` in a subprocess uses too."""
    return load_or_create_key()


@pytest.fixture(scope="session")
def gateway(local_stack: LocalStack, signing_key: SigningKey) -> Iterator[Gateway]:
    server = Gateway(signing_key, "127.0.0.1", free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def org_id() -> str:
    """Return a fresh org id, so tests never see each other's events or reports."""
    return f"org-test-{os.getpid()}-{next(_org_numbers)}"


@pytest.fixture
def client_for(gateway: Gateway, signing_key: SigningKey) -> ClientFactory:
    def make(org: str, role: str = "admin") -> ApiClient:
        return ApiClient(gateway.url, signing_key.mint(org, role, f"{role}@{org}.example"))

    return make
