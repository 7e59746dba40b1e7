"""The `doorbook` command, run as a user would through Click's runner."""

import stat
from pathlib import Path

from tests.conftest import DEMO_FILES

COMMANDS = ["init", "demo", "import", "serve", "check", "routes", "create-user", "unlock"]


def test_help_lists_the_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output


def test_init_creates_the_database_secret_key_and_first_manager(run_cli, tmp_path):
    data = tmp_path / "fresh"
    result = run_cli("init", "--username", "jo", "--password", "a long enough password", data=data)
    assert result.exit_code == 0, result.output
    assert "jo can now log in" in result.output
    assert (data / "doorbook.db").exists()
    for secret in ("secret_key", "credential_key"):
        mode = stat.S_IMODE((data / secret).stat().st_mode)
        assert mode == 0o600, f"{secret} is {oct(mode)}"
    assert stat.S_IMODE((data / "doorbook.db").stat().st_mode) == 0o600
    again = run_cli("init", "--password", "another long password", data=data)
    assert again.exit_code == 0 and "already set up" in again.output


def test_init_takes_the_password_from_the_environment(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DOORBOOK_MANAGER_PASSWORD", "from the environment")
    result = run_cli("init", data=tmp_path / "env")
    assert result.exit_code == 0, result.output


def test_init_without_a_password_or_a_terminal_says_how_to_give_one(run_cli, tmp_path):
    result = run_cli("init", data=tmp_path / "none")
    assert result.exit_code == 1
    assert "--password or DOORBOOK_MANAGER_PASSWORD" in result.output


def test_init_refuses_a_short_password_and_creates_no_manager(run_cli, tmp_path):
    result = run_cli("init", "--password", "short", data=tmp_path / "short")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    check = run_cli("init", "--password", "long enough now", data=tmp_path / "short")
    assert "can now log in" in check.output


def test_init_asks_for_a_password_when_none_is_given(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr("doorbook.cli.can_ask", lambda: True)
    result = run_cli("init", data=tmp_path / "ask", input="typed password 1\ntyped password 1\n")
    assert result.exit_code == 0, result.output
    assert "Password for manager" in result.output


def test_demo_loads_the_demo_and_refuses_to_overwrite(run_cli, tmp_path):
    data = tmp_path / "demo"
    result = run_cli("demo", data=data)
    assert result.exit_code == 0, result.output
    assert "10 children" in result.output and "34 links" in result.output
    again = run_cli("demo", data=data)
    assert again.exit_code == 1 and "--replace" in again.output
    replaced = run_cli("demo", "--replace", data=data)
    assert replaced.exit_code == 0


def test_import_reports_every_problem_with_its_line_and_exits_non_zero(run_cli, tmp_path):
    folder = tmp_path / "setting"
    folder.mkdir()
    (folder / "children.csv").write_text(
        "first_name,last_name,date_of_birth,room\nAmy,Lee,2023-13-01,Babies\n"
        "Ben,Lee,2023-01-01,Attic\n",
        encoding="utf-8",
    )
    result = run_cli("import", str(folder), data=tmp_path / "data")
    assert result.exit_code == 1
    assert 'children.csv:2: date_of_birth "2023-13-01"' in result.output
    assert 'children.csv:3: room "Attic"' in result.output
    assert "Nothing was imported: 2 problem(s)." in result.output


def test_import_then_check(run_cli, tmp_path):
    data = tmp_path / "data"
    assert run_cli("import", str(DEMO_FILES), data=data).exit_code == 0
    result = run_cli("check", data=data)
    assert result.exit_code == 0, result.output
    assert "Integrity: ok" in result.output
    assert "children: 10" in result.output
    assert "All checks passed." in result.output


def test_check_fails_on_a_damaged_database(run_cli, tmp_path):
    data = tmp_path / "data"
    assert run_cli("import", str(DEMO_FILES), data=data).exit_code == 0
    db_file = data / "doorbook.db"
    raw = bytearray(db_file.read_bytes())
    raw[4096 : 4096 * 6] = b"\xff" * (4096 * 5)  # scribble over five pages
    db_file.write_bytes(bytes(raw))
    result = run_cli("check", data=data)
    assert result.exit_code == 1
    assert "the database file is damaged" in result.output
    assert "restore the last backup" in result.output
    assert "Traceback" not in result.output


def test_check_without_a_database_says_what_to_do(run_cli, tmp_path):
    result = run_cli("check", data=tmp_path / "empty")
    assert result.exit_code == 1
    assert "doorbook init" in result.output


def test_routes_lists_the_kiosk_and_the_admin_panel(run_cli):
    result = run_cli("routes")
    assert result.exit_code == 0
    assert "/healthz" in result.output and "/admin/login" in result.output


def test_the_data_folder_comes_from_the_environment(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from doorbook.cli import cli

    monkeypatch.setenv("DOORBOOK_DATA", str(tmp_path / "from-env"))
    result = CliRunner().invoke(cli, ["init", "--password", "from the environment"])
    assert result.exit_code == 0
    assert Path(tmp_path / "from-env" / "doorbook.db").exists()


def test_create_user_gives_an_imported_staff_member_a_login(run_cli, tmp_path):
    data = tmp_path / "demo"
    run_cli("demo", data=data)
    result = run_cli(
        "create-user",
        "--name",
        "Sam Kowalski",
        "--username",
        "sam",
        "--role",
        "practitioner",
        "--password",
        "a long enough one",
        data=data,
    )
    assert result.exit_code == 0, result.output
    assert "Sam Kowalski can now log in as sam (practitioner)" in result.output
    again = run_cli(
        "create-user",
        "--name",
        "Sam Kowalski",
        "--username",
        "sam2",
        "--password",
        "a long enough one",
        data=data,
    )
    assert again.exit_code == 1 and "already has a login" in again.output


def test_create_user_refuses_a_taken_username_or_unknown_role(run_cli, tmp_path):
    data = tmp_path / "demo"
    run_cli("demo", data=data)
    taken = run_cli(
        "create-user",
        "--name",
        "New Person",
        "--username",
        "priya",
        "--password",
        "a long enough one",
        data=data,
    )
    assert taken.exit_code == 1 and "is taken" in taken.output
    bad_role = run_cli(
        "create-user",
        "--name",
        "New Person",
        "--username",
        "np",
        "--role",
        "owner",
        "--password",
        "a long enough one",
        data=data,
    )
    assert bad_role.exit_code != 0 and "owner" in bad_role.output


def test_unlock_lets_a_locked_account_log_in(run_cli, tmp_path):
    data = tmp_path / "demo"
    run_cli("demo", data=data)
    result = run_cli("unlock", "priya", data=data)
    assert result.exit_code == 0 and "priya may log in again" in result.output
