"""The few helpers every app shares: API errors and pagination, the rate limit, the cache backend, enqueue_on_commit.

It imports no app of the portal (an import-linter contract in pyproject.toml checks it).
"""
