"""What a test needs from the machine: on a laptop it may be missing, in CI never."""

import os

import pytest


def unavailable(reason: str):
    """Skip, saying why, on a laptop without the service; fail in CI, which must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)
