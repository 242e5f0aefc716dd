"""Start and stop a real S3-compatible server (moto's server mode) on 127.0.0.1 for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.prefect_server import free_port

# Credentials the test server accepts (moto accepts any); never real ones.
ACCESS_KEY = "newsdesk-test"
SECRET_KEY = "newsdesk-test-secret"
REGION = "us-east-1"


@contextmanager
def s3_server(*, timeout: float = 120) -> Iterator[str]:
    """Yield the endpoint URL of a fresh moto server in its own process; stop it afterwards."""
    port = free_port()
    moto = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "false"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                client(endpoint).list_buckets()
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def client(endpoint: str) -> Any:
    """A boto3 S3 client for the test server."""
    import boto3  # type: ignore[import-untyped]  # boto3 ships no types; no stubs installed

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


def environment(endpoint: str) -> dict[str, str]:
    """The standard AWS variables that point newsdesk at the test server."""
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
    }
