"""A throwaway PostgreSQL database for the tests: created on the server at 127.0.0.1:5432 (or
``$TROLYSO_TEST_POSTGRES``) when the first test needs it, dropped when the run ends.

No server is not a reason to skip: the PostgreSQL tests then fail, saying how to start one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

SERVER = os.environ.get("TROLYSO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

HOW_TO_START = f"""the PostgreSQL tests need a PostgreSQL server, and none answered at {SERVER}:
{{detail}}
Start one (trust authentication for local connections, as on the CI machines):
    sudo apt-get install postgresql && sudo systemctl start postgresql
or name another server, whose user may create databases, in TROLYSO_TEST_POSTGRES
(for example postgresql://postgres@127.0.0.1:5432/postgres). These tests never skip."""


def _on(url: str, dbname: str) -> str:
    """``url`` with another database name."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**info)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty database for this run (dropped at its end)."""
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())
    else:
        detail = ""
    if detail:
        pytest.fail(HOW_TO_START.format(detail=detail), pytrace=False)
    name = f"trolyso_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield _on(SERVER, name)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The run's database, emptied for this test: the bot builds its schema from nothing."""
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return postgres_database
