"""Where a warehouse lives: a local directory, or the URI of an object store.

A `--warehouse` value with a scheme (`s3://bucket/prefix`, `file:///abs/path`, or any other URI
deltalake opens) is an object-storage warehouse of Delta tables (flows.store.lake); anything else is
a local directory with the snapshot protocol (flows.store.warehouse).

Credentials and endpoint come from the variables every AWS client reads (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL),
read here when a table is opened and handed to deltalake only: they never enter Settings, the
`runs` table's parameters or a task's arguments.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
)
# Read only by the tests: the committing process creates this file once every table of the
# commit is written and the manifest is not, then waits to be killed (a crash point a test can
# wait for, instead of racing a SIGKILL against the commit).
TEST_HOLD_VARIABLE = "NEWSDESK_TEST_HOLD_BEFORE_MANIFEST"


def is_uri(location: str | Path) -> bool:
    """Whether a warehouse location names an object store (a URI) rather than a directory."""
    return isinstance(location, str) and bool(_URI.match(location))


def table_uri(warehouse: str, *parts: str) -> str:
    """The URI of a table (or control table) under a warehouse URI."""
    return "/".join([warehouse.rstrip("/"), *parts])


def storage_options(warehouse: str) -> dict[str, str]:
    """deltalake's storage options for a warehouse URI, from the standard AWS variables."""
    if not warehouse.startswith(("s3://", "s3a://")):
        return {}
    options = {name: os.environ[name] for name in _AWS_VARIABLES if os.environ.get(name)}
    if "AWS_REGION" not in options and "AWS_DEFAULT_REGION" in options:
        options["AWS_REGION"] = options["AWS_DEFAULT_REGION"]
    if options.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        options["AWS_ALLOW_HTTP"] = "true"  # a local or private endpoint without TLS
    # Concurrent commits are made safe by the store itself, without a lock service: every Delta
    # log entry and every manifest entry is written with a conditional put (If-None-Match: *),
    # so of two writers racing for one version exactly one succeeds (the other gets a
    # CommitFailedError and retries from the manifest). deltalake 1.x does this by default on
    # S3 (it dropped the DynamoDB lock); it is set explicitly so that a change of default can
    # never make two writers overwrite each other. AWS S3 (since 2024), MinIO, R2 and moto's
    # server honour the header.
    options["conditional_put"] = "etag"
    return options


def staging_root(warehouse: str) -> Path:
    """The local folder where runs on this machine stage rows for a warehouse URI.

    Object storage has no rename and no links, so staged rows would have to be uploaded and
    downloaded again to be committed; they stay on the committing machine instead (the batch
    tasks run in its processes), in a folder of the system's temporary directory named for the
    warehouse, and flows.store.staging keeps them invisible and removes them on every exit."""
    digest = hashlib.sha256(warehouse.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "newsdesk-staging" / digest


def hold_before_manifest() -> Path | None:
    """The file named by TEST_HOLD_VARIABLE, when a test set it."""
    value = os.environ.get(TEST_HOLD_VARIABLE)
    return Path(value) if value else None
