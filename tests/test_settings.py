"""flows.settings.load_settings: flags > NEWSDESK_* environment > defaults; bad values refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flows.errors import UsageError
from flows.settings import Settings, load_settings


def test_defaults_when_nothing_is_given() -> None:
    settings = load_settings({}, env={})
    assert settings == Settings()
    assert settings.warehouse == Path("warehouse")
    assert settings.extract_entities is True
    assert settings.extract_quotes is True


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"NEWSDESK_WAREHOUSE": "/data/w"}, "warehouse", Path("/data/w")),
        ({"NEWSDESK_BATCH_SIZE": "4"}, "batch_size", 4),
        ({"NEWSDESK_MAX_BYTES": "1024"}, "max_bytes", 1024),
        ({"NEWSDESK_NLP_PIPELINE": "xx_custom_pipeline"}, "nlp_pipeline", "xx_custom_pipeline"),
        ({"NEWSDESK_EXTRACT_QUOTES": "false"}, "extract_quotes", False),
        ({"NEWSDESK_EXTRACT_QUOTES": "0"}, "extract_quotes", False),
        ({"NEWSDESK_EXTRACT_QUOTES": "No"}, "extract_quotes", False),
        ({"NEWSDESK_EXTRACT_ENTITIES": "OFF"}, "extract_entities", False),
        ({"NEWSDESK_EXTRACT_ENTITIES": "yes"}, "extract_entities", True),
        ({"NEWSDESK_EXTRACT_ENTITIES": "1"}, "extract_entities", True),
    ],
)
def test_environment_over_defaults(env: dict[str, str], field: str, value: object) -> None:
    settings = load_settings({}, env=env)
    assert getattr(settings, field) == value
    others = {f.name for f in dataclasses.fields(Settings)} - {field}
    assert {f: getattr(settings, f) for f in others} == {f: getattr(Settings(), f) for f in others}


@pytest.mark.parametrize(
    ("flags", "env", "field", "value"),
    [
        ({"batch_size": 2}, {"NEWSDESK_BATCH_SIZE": "4"}, "batch_size", 2),
        ({"warehouse": "flag/w"}, {"NEWSDESK_WAREHOUSE": "env/w"}, "warehouse", Path("flag/w")),
        ({"extract_quotes": False}, {"NEWSDESK_EXTRACT_QUOTES": "true"}, "extract_quotes", False),
        # None is a flag not given: the environment decides
        ({"batch_size": None}, {"NEWSDESK_BATCH_SIZE": "4"}, "batch_size", 4),
        ({"extract_quotes": None}, {"NEWSDESK_EXTRACT_QUOTES": "off"}, "extract_quotes", False),
        ({"nlp_pipeline": None}, {}, "nlp_pipeline", Settings().nlp_pipeline),
    ],
)
def test_flags_over_environment(
    flags: dict[str, object], env: dict[str, str], field: str, value: object
) -> None:
    assert getattr(load_settings(flags, env=env), field) == value


def test_other_variables_are_ignored() -> None:
    env = {"BATCH_SIZE": "3", "NEWSDESK_COLOUR": "red", "newsdesk_batch_size": "5"}
    assert load_settings({}, env=env) == Settings()


def test_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BATCH_SIZE", "3")
    assert load_settings().batch_size == 3
    assert load_settings({"batch_size": 5}).batch_size == 5


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        ({}, {"NEWSDESK_BATCH_SIZE": "four"}, "NEWSDESK_BATCH_SIZE must be an integer, not 'four'"),
        ({}, {"NEWSDESK_MAX_BYTES": "1.5"}, "NEWSDESK_MAX_BYTES must be an integer"),
        ({}, {"NEWSDESK_EXTRACT_QUOTES": "maybe"}, "NEWSDESK_EXTRACT_QUOTES must be true or false"),
        ({}, {"NEWSDESK_BATCH_SIZE": "0"}, "batch size must be at least 1, not 0"),
        ({}, {"NEWSDESK_MAX_BYTES": "-1"}, "max bytes must be at least 1, not -1"),
        ({"batch_size": 0}, {}, "batch size must be at least 1, not 0"),
        # a good flag does not excuse a malformed variable: the environment is read whole
        ({"batch_size": 2}, {"NEWSDESK_BATCH_SIZE": "four"}, "must be an integer"),
        ({"colour": "red", "batch_size": 2}, {}, r"unknown setting\(s\): colour"),
    ],
)
def test_bad_values_are_usage_errors(
    flags: dict[str, object], env: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        load_settings(flags, env=env)


def test_settings_are_frozen() -> None:
    settings = load_settings({}, env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.batch_size = 2  # type: ignore[misc]  # the assignment is what is under test


@pytest.mark.parametrize(
    ("flags", "env", "uri", "directory"),
    [
        ({"warehouse": "s3://bucket/news/"}, {}, "s3://bucket/news", Path("warehouse")),
        ({}, {"NEWSDESK_WAREHOUSE": "s3://bucket/p"}, "s3://bucket/p", Path("warehouse")),
        ({}, {"NEWSDESK_WAREHOUSE": "file:///srv/lake"}, "file:///srv/lake", Path("warehouse")),
        # a directory given as a flag beats a URI in the environment
        ({"warehouse": "here"}, {"NEWSDESK_WAREHOUSE": "s3://bucket/p"}, None, Path("here")),
        ({"warehouse": "s3:/not-a-uri"}, {}, None, Path("s3:/not-a-uri")),
    ],
)
def test_a_warehouse_with_a_scheme_is_a_uri(
    flags: dict[str, object], env: dict[str, str], uri: str | None, directory: Path
) -> None:
    from flows.settings import warehouse_location

    settings = load_settings(flags, env=env)
    assert settings.warehouse_uri == uri
    assert settings.warehouse == directory
    assert warehouse_location(settings) == (uri or str(directory))


def test_a_uri_setting_must_be_a_uri() -> None:
    with pytest.raises(UsageError, match="not a warehouse URI"):
        Settings(warehouse_uri="bucket/news")
