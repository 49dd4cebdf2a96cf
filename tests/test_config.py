"""Settings: one resolver, precedence command line > ini > [tool.e2i_schema] > default."""

from __future__ import annotations

import pytest

from pytest_e2i_schema.config import SETTINGS_HELP, load_settings
from pytest_e2i_schema.errors import ConfigError, mask_secrets

from .conftest import write_project


def test_precedence(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.e2i_schema]\nengine = "local"\nmigrations = ["a", "b"]\nkeep_going = true\n'
        'session_settings = { search_path = "app, public", "app.tenant" = "t1" }\n'
    )
    s = load_settings(tmp_path)
    assert (s.engine, s.migrations, s.keep_going) == ("local", ("a", "b"), True)
    assert s.session_settings == (("search_path", "app, public"), ("app.tenant", "t1"))
    s = load_settings(tmp_path, ini={"engine": "docker", "migrations": ["c"]})
    assert (s.engine, s.migrations) == ("docker", ("c",))
    s = load_settings(tmp_path, {"engine": "embedded", "keep_going": None}, ini={"engine": "docker"})
    assert (s.engine, s.keep_going) == ("embedded", True)


def test_defaults_and_stand_ins_follow_engine(tmp_path):
    s = load_settings(tmp_path)
    assert (s.engine, s.migrations, s.contracts, s.dsn_env) == ("embedded", (), "contracts", "E2I_DSN")
    assert s.stand_ins_on
    assert not load_settings(tmp_path, {"engine": "local"}).stand_ins_on
    assert load_settings(tmp_path, {"engine": "local", "stand_ins": True}).stand_ins_on
    assert load_settings(tmp_path, {"dsn": "postgresql://x@h/db"}).engine == "dsn"


@pytest.mark.parametrize("toml, message", [
    ('engine = "oracle"', "unknown engine 'oracle'"),
    ('migratons = ["x"]', "unknown key 'migratons'"),
    ('keep_going = "maybe"', "keep_going must be true or false"),
    ('session_settings = { "bad name" = "x" }', "invalid setting name 'bad name'"),
    ('migrations = 3', "migrations must be a list of strings"),
])
def test_bad_values_are_named(tmp_path, toml, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.e2i_schema]\n{toml}\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path)


def test_ini_session_settings_lines(tmp_path):
    s = load_settings(tmp_path, ini={"session_settings": ["search_path = app", "app.x=1"]})
    assert s.session_settings == (("search_path", "app"), ("app.x", "1"))


def test_help_lists_every_option_in_its_group(pytester):
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*PostgreSQL schema contracts*", "*--e2i-contracts*"])
    for flag in ("--e2i-migrations", "--e2i-engine", "--e2i-prelude", "--e2i-pg-bin", "--e2i-dsn",
                 "--e2i-keep-going", "--e2i-keep-server"):
        result.stdout.fnmatch_lines([f"*{flag}*"])
    for key in SETTINGS_HELP:
        result.stdout.fnmatch_lines([f"*e2i_{key} *"])


def test_bad_config_is_a_usage_error_not_a_traceback(pytester):
    write_project(pytester, {}, engine="oracle")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown engine 'oracle'; choose one of embedded, local, docker, dsn*"])
    result.stderr.no_fnmatch_line("*Traceback*")


@pytest.mark.parametrize("raw, secret", [
    ("postgresql://app:s3cr3t@db:5432/x", "s3cr3t"),
    ("host=db password=s3cr3t user=app", "s3cr3t"),
    ("host=db password='a b c' user=app", "a b c"),
    ("postgresql://app@db/x?password=s3cr3t&sslmode=require", "s3cr3t"),
])
def test_mask_secrets(raw, secret):
    masked = mask_secrets(raw)
    assert secret not in masked and "***" in masked


def test_errors_are_masked():
    assert "pw1" not in str(ConfigError("bad postgresql://u:pw1@h/db"))
