"""Fixtures of the storage tests: a throwaway PostgreSQL database (tests/storage/postgres_server.py)."""

from tests.storage.postgres_server import postgres_database, postgres_url

__all__ = ["postgres_database", "postgres_url"]
