"""The store and job runtime of tests/jobs, for the outgoing events' tests."""

from tests.jobs.conftest import engine, runtime

__all__ = ["engine", "runtime"]
