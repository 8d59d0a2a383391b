"""Pydantic models shared by the API, the generator, the local stack and the tests."""
