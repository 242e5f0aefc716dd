"""flows.deploy: the inbox served on a schedule (`newsdesk serve`) and deployed from prefect.yaml,
each on a real Prefect server on 127.0.0.1, checked through its API and the warehouse."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import duckdb
import pytest

from tests.conftest import ROOT
from tests.prefect_server import (
    api_client,
    client_env,
    flow_runs,
    prefect_server,
    run_prefect,
    state_of,
    wait_for,
)

# Prefect and flows.deploy (which imports it) are imported inside the tests: Prefect reads its
# settings when first imported, and that must happen inside conftest's sandbox (its own
# PREFECT_HOME, no PREFECT_API_URL), not at collection time.
if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun
    from prefect.client.schemas.responses import DeploymentResponse

FLOW = "newsdesk-ingest-inbox"
SERVED = "newsdesk-inbox-served"  # the deployment `newsdesk serve` registers by default
YAML_DEPLOYMENT = "newsdesk-inbox"  # the deployment prefect.yaml defines
POOL = "newsdesk"  # the work pool prefect.yaml names
# Generous: every run starts a process that imports Prefect and loads spaCy, maybe on a busy
# machine. Only a bound on waiting, never a measurement.
WAIT = 300.0
FINAL = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})

# Short articles written for these tests: a headline, a lead, a quotation.
ARTICLES = {
    "harbour.txt": (
        "Harbour Ferry Returns After Repairs\n\n"
        "The harbour ferry resumed its morning crossings on Tuesday after three weeks in dry "
        "dock. Engineers replaced a worn propeller shaft and repainted the hull.\n\n"
        '"We are glad to have her back," said Maria Lopez, who runs the ticket office. '
        "Crossings will run every forty minutes until the summer timetable begins.\n"
    ),
    "library.txt": (
        "Library Extends Weekend Hours\n\n"
        "The central library will stay open until eight on Saturdays from next month, the "
        "city council said on Wednesday. The change follows a survey of readers.\n\n"
        '"Evenings are when people can come," said Tom Becker, the head librarian. '
        "The reading room will also gain forty new seats.\n"
    ),
    "orchard.txt": (
        "Orchard Growers Expect Early Harvest\n\n"
        "Apple growers in the valley expect to start picking two weeks early after a warm "
        "spring. Cooperatives are hiring seasonal workers sooner than usual.\n\n"
        '"The fruit is already sweet," said Anna Novak, who chairs the growers\' '
        "association. Prices at the market are expected to hold steady.\n"
    ),
}
EDIT = "The ferry operator also announced a new evening crossing on Fridays."

Versions = dict[str, list[tuple[str, str]]]  # source_uri -> [(doc_id, text)]


def read_documents(warehouse: Path) -> Versions:
    """Every row of the documents table, by source_uri; nothing before the first document."""
    if not any((warehouse / "documents").glob("**/*.parquet")):
        return {}  # no commit yet, or commits that held no documents
    rows = (
        duckdb.connect()
        .execute(
            "select source_uri, doc_id, text from read_parquet(?, hive_partitioning=true)",
            [f"{warehouse}/documents/**/*.parquet"],
        )
        .fetchall()
    )
    out: Versions = {}
    for uri, doc_id, text in rows:
        out.setdefault(uri, []).append((doc_id, text))
    return out


# --- in process: the flow's parameters, the inbox, the command line --------------------------


def test_settings_travel_as_json_and_come_back_equal() -> None:
    """A deployment's parameters are stored as JSON; the run validates them back into Settings."""
    from prefect.deployments.runner import RunnerDeployment

    from flows import deploy
    from flows.settings import load_settings

    settings = load_settings({"warehouse": "/data/w", "batch_size": 4, "extract_quotes": False})
    deployment = RunnerDeployment.from_flow(
        deploy.ingest_inbox, name="t", parameters={"inbox": "/data/in", "settings": settings}
    )
    stored = json.loads(json.dumps(deployment.model_dump(mode="json")["parameters"]))
    assert stored["settings"]["warehouse"] == "/data/w"
    assert stored["settings"]["extract_quotes"] is False
    assert deploy.ingest_inbox.validate_parameters(stored) == {
        "inbox": "/data/in",
        "settings": settings,
    }
    # prefect.yaml gives only some fields: the others take Settings' defaults.
    partial = deploy.ingest_inbox.validate_parameters(
        {"inbox": "in", "settings": {"warehouse": "w"}}
    )
    assert partial["settings"] == load_settings({"warehouse": "w"}, env={})


def test_an_empty_inbox_has_no_sources_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    from flows import deploy
    from flows.errors import UsageError

    assert deploy.inbox_sources(str(tmp_path)) == ()
    (tmp_path / "b.txt").write_text("b", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / ".partial").write_text("hidden", encoding="utf-8")
    found = [ref.uri for ref in deploy.inbox_sources(str(tmp_path))]
    assert found == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    with pytest.raises(UsageError, match="not a directory"):
        deploy.inbox_sources(str(tmp_path / "missing"))


SERVE_ERRORS = [
    (("serve", "--interval", "5"), "the following arguments are required: --inbox"),
    (("serve", "--inbox", "{tmp}"), "one of the arguments --cron --interval is required"),
    (("serve", "--inbox", "{tmp}", "--interval", "5", "--cron", "* * * * *"), "not allowed"),
    (("serve", "--inbox", "{tmp}/missing", "--interval", "5"), "the inbox is not a directory"),
    (("serve", "--inbox", "{tmp}", "--interval", "0"), "the interval must be positive"),
    (("serve", "--inbox", "{tmp}", "--cron", "every day"), "not a cron expression"),
    (("serve", "--inbox", "{tmp}", "--interval", "5"), "needs a Prefect server"),
]


@pytest.mark.parametrize(("args", "message"), SERVE_ERRORS)
def test_serve_usage_errors_exit_2_before_serving(
    args: tuple[str, ...],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No server is configured here (conftest), so every case must stop before serving."""
    from flows import deploy
    from flows.cli import main

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("newsdesk serve started serving")

    monkeypatch.setattr(deploy, "serve", refuse)
    assert main([arg.format(tmp=tmp_path) for arg in args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("newsdesk: error: ")
    assert message in err


# --- on a real server ---------------------------------------------------------------------------


def _counts(found: Versions) -> dict[str, int]:
    return {uri: len(rows) for uri, rows in found.items()}


@contextmanager
def _serving(
    inbox: Path, warehouse: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`newsdesk serve` in a subprocess of its own process group, stopped at the end if the test
    has not stopped it: SIGTERM first (it cancels its runs), then SIGKILL for the whole group,
    flow-run processes included."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "flows.cli", "serve"),
                *("--inbox", str(inbox), "--warehouse", str(warehouse), "--interval", "5"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(30)


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    """Stop serving as a service manager would (SIGTERM); it must exit cleanly."""
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"newsdesk serve did not stop on SIGTERM:\n{_tail(log)}")
    assert code == 0, _tail(log)


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:]


def _deployment(api: str, name: str) -> DeploymentResponse | None:
    from prefect.exceptions import ObjectNotFound

    with api_client(api) as client:
        try:
            return client.read_deployment_by_name(f"{FLOW}/{name}")
        except ObjectNotFound:
            return None


def _flow_run(api: str, run_id: UUID) -> FlowRun:
    with api_client(api) as client:
        return client.read_flow_run(run_id)


def _assert_no_run_failed(api: str, deployment_id: UUID, log: Path) -> None:
    failed = flow_runs(api, deployment_id, ["FAILED", "CRASHED"])
    assert not failed, (
        [(run.name, run.state.message if run.state else None) for run in failed],
        _tail(log),
    )


def _wait_for_documents(
    api: str,
    deployment_id: UUID,
    warehouse: Path,
    log: Path,
    *,
    expected: dict[str, int],
    what: str,
) -> Versions:
    """Wait until the warehouse holds exactly `expected` rows per source_uri, and a run of the
    deployment has completed. Every completed run must have been started by the schedule (the
    test starts none by hand), so the rows are the work of scheduled runs."""

    def check() -> Versions | None:
        _assert_no_run_failed(api, deployment_id, log)
        found = read_documents(warehouse)
        completed = flow_runs(api, deployment_id, ["COMPLETED"])
        assert all(run.auto_scheduled for run in completed), completed
        return found if completed and _counts(found) == expected else None

    return wait_for(
        check,
        what,
        timeout=WAIT,
        explain=lambda: f"documents: {_counts(read_documents(warehouse))}\n{_tail(log)}",
    )


def _a_run_due_while_one_runs_is_cancelled(api: str, deployment_id: UUID) -> None:
    """The deployment's collision strategy, seen through the server: while one run holds the
    deployment's single slot, the next run to start is cancelled, not queued."""
    from prefect.states import Cancelled, Pending

    with api_client(api) as client:
        first = client.create_flow_run_from_deployment(deployment_id)
        second = client.create_flow_run_from_deployment(deployment_id)
        client.set_flow_run_state(first.id, Pending())
        assert state_of(client.read_flow_run(first.id)) == "PENDING"
        client.set_flow_run_state(second.id, Pending())
        refused = client.read_flow_run(second.id)
        assert state_of(refused) == "CANCELLED", refused.state
        client.set_flow_run_state(first.id, Cancelled())
        limit = client.read_deployment(deployment_id).global_concurrency_limit
        assert limit is not None
        assert (limit.limit, limit.active_slots) == (1, 0)


@pytest.mark.slow
def test_serve_ingests_the_inbox_on_its_schedule_one_run_at_a_time(tmp_path: Path) -> None:
    inbox, warehouse, log = tmp_path / "inbox", tmp_path / "w", tmp_path / "serve.log"
    inbox.mkdir()
    (tmp_path / "server").mkdir()
    with prefect_server(tmp_path / "server") as api:
        env = client_env(api, tmp_path / "client-home")
        # The runner asks for due runs every 10 s by default; a 5 s schedule wants it sooner.
        env["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"
        with _serving(inbox, warehouse, env, log) as proc:
            deployment = wait_for(
                lambda: _deployment(api, SERVED),
                "newsdesk serve to register its deployment",
                timeout=WAIT,
                explain=lambda: _tail(log),
            )
            assert deployment.parameters["inbox"] == str(inbox)
            settings = deployment.parameters["settings"]
            assert settings["warehouse"] == str(warehouse)
            assert settings["batch_size"] >= 1  # the whole Settings, as JSON
            assert [s.active for s in deployment.schedules] == [True]

            # An empty inbox is a scheduled run that completes and adds nothing.
            wait_for(
                lambda: flow_runs(api, deployment.id, ["COMPLETED"]) or None,
                "a scheduled run over the empty inbox to complete",
                timeout=WAIT,
                explain=lambda: _tail(log),
            )
            _assert_no_run_failed(api, deployment.id, log)
            assert read_documents(warehouse) == {}

            for name in ("harbour.txt", "library.txt"):
                (inbox / name).write_text(ARTICLES[name], encoding="utf-8")
            first_two = {str(inbox / "harbour.txt"): 1, str(inbox / "library.txt"): 1}
            _wait_for_documents(
                api, deployment.id, warehouse, log, expected=first_two, what="two articles"
            )

            (inbox / "orchard.txt").write_text(ARTICLES["orchard.txt"], encoding="utf-8")
            all_three = {str(inbox / name): 1 for name in ARTICLES}  # the first two not again
            _wait_for_documents(
                api, deployment.id, warehouse, log, expected=all_three, what="a third article"
            )
            _stop(proc, log)

        # A clean stop pauses the schedule: no runs pile up while nothing would run them.
        stopped = _deployment(api, SERVED)
        assert stopped is not None
        assert stopped.paused
        _a_run_due_while_one_runs_is_cancelled(api, stopped.id)

        # Serving again updates the same deployment and sets its schedule active again.
        with _serving(inbox, warehouse, env, log) as proc:
            again = wait_for(
                lambda: d if (d := _deployment(api, SERVED)) and not d.paused else None,
                "newsdesk serve to set the schedule active again",
                timeout=WAIT,
                explain=lambda: _tail(log),
            )
            assert again.id == deployment.id

            # An edited article is a new version: a new doc_id under the same source_uri.
            edited = inbox / "harbour.txt"
            edited.write_text(f"{ARTICLES['harbour.txt']}\n{EDIT}\n", encoding="utf-8")
            versions = _wait_for_documents(
                api,
                deployment.id,
                warehouse,
                log,
                expected={**all_three, str(edited): 2},
                what="the edited article's new version",
            )
            _stop(proc, log)
        doc_ids = {doc_id for doc_id, _ in versions[str(edited)]}
        assert len(doc_ids) == 2
        assert sorted(EDIT in text for _, text in versions[str(edited)]) == [False, True]


@pytest.mark.slow
def test_prefect_yaml_deploys_to_a_process_work_pool(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "w"
    inbox.mkdir()
    (inbox / "library.txt").write_text(ARTICLES["library.txt"], encoding="utf-8")
    (tmp_path / "server").mkdir()
    with prefect_server(tmp_path / "server") as api:
        env = client_env(api, tmp_path / "client-home")
        run_prefect("work-pool", "create", "--type", "process", POOL, env=env)
        run_prefect(
            "--no-prompt",
            "deploy",
            "--name",
            YAML_DEPLOYMENT,
            "--param",
            f"inbox={inbox}",
            "--param",
            "settings=" + json.dumps({"warehouse": str(warehouse)}),
            env=env,
            cwd=ROOT,
        )
        deployment = _deployment(api, YAML_DEPLOYMENT)
        assert deployment is not None
        assert deployment.work_pool_name == POOL
        assert deployment.entrypoint == "flows/deploy.py:ingest_inbox"
        assert deployment.parameters == {
            "inbox": str(inbox),
            "settings": {"warehouse": str(warehouse)},
        }
        # The code runs in place: the pull step names this checkout, recorded at deploy time.
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
        ]
        assert [s.active for s in deployment.schedules] == [True]
        assert deployment.global_concurrency_limit is not None
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options is not None
        assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"

        with api_client(api) as client:
            run = client.create_flow_run_from_deployment(deployment.id)
        worker = run_prefect(
            "worker", "start", "--pool", POOL, "--run-once", "--limit", "1", env=env
        )
        finished = wait_for(
            lambda: r if state_of(r := _flow_run(api, run.id)) in FINAL else None,
            "the worker's run to finish",
            timeout=WAIT,
            explain=lambda: worker.stdout + worker.stderr,
        )
        assert state_of(finished) == "COMPLETED", (finished.state, worker.stderr)
        assert _counts(read_documents(warehouse)) == {str(inbox / "library.txt"): 1}
