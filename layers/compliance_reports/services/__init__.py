"""Use cases that combine the domain with the adapters; handlers call these."""
