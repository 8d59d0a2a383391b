"""Shared package of the Compliance Reports service: models, report domain and AWS adapters."""

SCHEMA_VERSION = "1.0"
