"""Fixtures shared by every test folder (real Postgres, real Tansu)."""

pytest_plugins = ["academy_testkit.fixtures"]
