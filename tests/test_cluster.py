"""flows.cluster and the Dask settings: the checks a worker passes before it takes a batch, and
the paths it is sent (the real cluster runs are in test_dask.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows import __version__, cli
from flows.cluster import _check_worker, _Expected, check_paths
from flows.errors import ClusterError, UsageError
from flows.run import BatchJob, cluster_jobs
from flows.settings import Settings, load_settings
from flows.sources import SourceRef, read_source
from flows.store import Index


@dataclass(frozen=True)
class _Worker:
    address: str = "tcp://127.0.0.1:40001"


@pytest.mark.parametrize(
    "address",
    ["tcp://127.0.0.1:8786", "tcp://scheduler.example:8786", "tls://[::1]:8786", "ucx://h-1:1"],
)
def test_a_scheduler_address_is_taken(address: str) -> None:
    assert load_settings({"dask_address": address}, env={}).dask_address == address


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8786", "tcp://127.0.0.1", "http://h:80", "tcp://h:80/x", "tcp://:1"]
)
def test_a_malformed_scheduler_address_is_a_usage_error(address: str) -> None:
    with pytest.raises(UsageError, match="not a Dask scheduler address"):
        load_settings({"dask_address": address}, env={})


def test_the_address_comes_from_the_environment_and_the_flag_wins() -> None:
    env = {"NEWSDESK_DASK_ADDRESS": "tcp://10.0.0.1:8786"}
    assert load_settings(env=env).dask_address == "tcp://10.0.0.1:8786"
    flag = load_settings({"dask_address": "tcp://10.0.0.2:8786"}, env=env)
    assert flag.dask_address == "tcp://10.0.0.2:8786"
    assert load_settings(env={}).dask_address == ""


def test_local_workers_and_a_cluster_exclude_each_other() -> None:
    with pytest.raises(UsageError, match="exclude each other"):
        Settings(workers=2, dask_address="tcp://127.0.0.1:8786")


def test_the_cli_refuses_a_malformed_address(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["ingest", "seeds", "--dask-address", "localhost"])
    assert code == cli.EXIT_USAGE
    assert "not a Dask scheduler address: 'localhost'" in capsys.readouterr().err


def test_jobs_for_a_cluster_carry_absolute_paths_and_keep_the_uris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    job = BatchJob((SourceRef("inbox/a.txt"), SourceRef("/data/b.txt")), 3, "w/.newsdesk/s/r")
    (portable,), index = cluster_jobs([job], Settings(warehouse=Path("w")))
    assert portable.refs == (
        SourceRef("inbox/a.txt", str(tmp_path / "inbox" / "a.txt")),
        SourceRef("/data/b.txt", "/data/b.txt"),
    )
    assert portable.staging == str(tmp_path / "w" / ".newsdesk" / "s" / "r")
    assert (portable.number, portable.on_cluster, job.on_cluster) == (3, True, False)
    assert isinstance(index, Index)
    assert index.path == tmp_path / "w" / ".newsdesk" / "index.sqlite"


def test_a_ref_is_read_at_its_path_and_named_by_its_uri(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Harbor officials met.\n")
    raw = read_source(SourceRef("inbox/a.txt", str(tmp_path / "a.txt")), max_bytes=1000)
    assert raw.stat is not None
    assert (raw.uri, raw.stat.uri) == ("inbox/a.txt", "inbox/a.txt")
    assert raw.data == b"Harbor officials met.\n"


def _staging(tmp_path: Path, token: str = "run-1") -> Path:
    staging = tmp_path / "staging" / "run-1"
    staging.mkdir(parents=True)
    (staging / ".cluster-token").write_text(token)
    return staging


def _expected(staging: Path, inputs: tuple[tuple[str, int, int], ...] = ()) -> _Expected:
    return _Expected(__version__, str(staging), "run-1", inputs)


def test_a_worker_that_sees_everything_passes_and_answers_in_the_staging_folder(
    tmp_path: Path,
) -> None:
    staging = _staging(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("text")
    info = article.stat()
    expected = _expected(staging, ((str(article), info.st_size, info.st_mtime_ns),))
    assert _check_worker(expected, _Worker()) == []
    assert (staging / ".cluster-seen-tcp___127_0_0_1_40001").read_text() == "run-1"


def test_a_worker_of_another_version_is_refused(tmp_path: Path) -> None:
    expected = _Expected("0.0.0-other", str(_staging(tmp_path)), "run-1", ())
    (problem,) = _check_worker(expected, _Worker())
    assert f"runs newsdesk {__version__}, this process 0.0.0-other" in problem


@pytest.mark.parametrize("token", ["another-run", None])
def test_a_worker_that_does_not_see_the_callers_staging_folder_is_refused(
    tmp_path: Path, token: str | None
) -> None:
    staging = _staging(tmp_path, token or "x")
    if token is None:
        (staging / ".cluster-token").unlink()
    (problem,) = _check_worker(_expected(staging), _Worker())
    assert f"cannot see the run's staging folder {staging}" in problem
    assert not list(staging.glob(".cluster-seen-*"))


def test_a_worker_that_does_not_see_an_input_or_sees_another_file_is_refused(
    tmp_path: Path,
) -> None:
    staging = _staging(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("text")
    info = article.stat()
    missing = _expected(staging, ((str(tmp_path / "gone.txt"), 4, info.st_mtime_ns),))
    assert _check_worker(missing, _Worker()) == [
        f"cannot see the input {tmp_path / 'gone.txt'}: inputs must be on a shared file system"
    ]
    other = _expected(staging, ((str(article), info.st_size + 1, info.st_mtime_ns),))
    (problem,) = _check_worker(other, _Worker())
    assert f"sees another file at {article}" in problem


def test_a_batch_checks_its_staging_folder_and_input_folders(tmp_path: Path) -> None:
    staging = _staging(tmp_path)
    inside = SourceRef("a.txt", str(tmp_path / "a.txt"))
    check_paths(str(staging), (inside,))  # both there: no error
    elsewhere = SourceRef("b.txt", str(tmp_path / "nowhere" / "b.txt"))
    with pytest.raises(ClusterError, match=r"cannot see the input folder .*nowhere"):
        check_paths(str(staging), (inside, elsewhere))
    os.remove(staging / ".cluster-token")
    with pytest.raises(ClusterError, match="cannot see the run's staging folder"):
        check_paths(str(staging), (inside,))


def test_a_served_deployment_carries_the_dask_address() -> None:
    from flows import deploy

    stored = {"inbox": "in", "settings": {"warehouse": "w", "dask_address": "tcp://h:8786"}}
    settings = deploy.ingest_inbox.validate_parameters(stored)["settings"]
    assert settings == load_settings({"warehouse": "w", "dask_address": "tcp://h:8786"}, env={})
    assert settings.dask_address == "tcp://h:8786"
