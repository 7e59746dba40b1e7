"""Passwords are stored with scrypt wherever Doorbook really runs; the tests' cheap hash
(tests/conftest.py) never reaches a server, the CLI or the demo."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from doorbook import credentials

DOORBOOK = Path(sys.executable).with_name("doorbook")


@pytest.mark.served
def test_the_cli_stores_a_new_managers_password_with_scrypt(tmp_path):
    data = tmp_path / "data"
    subprocess.run(
        [
            str(DOORBOOK),
            "--data",
            str(data),
            "create-user",
            "--name",
            "Priya Shah",
            "--username",
            "priya",
            "--role",
            "manager",
            "--password",
            "a long enough password",
        ],
        check=True,
        capture_output=True,
    )
    with sqlite3.connect(data / "doorbook.db") as conn:
        (stored,) = conn.execute("SELECT secret_hash FROM credentials").fetchone()
    assert stored.startswith("scrypt:")


@pytest.mark.served
def test_a_fresh_process_hashes_with_scrypt():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from doorbook import credentials; print(credentials.hash_password('x'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.startswith("scrypt:")


@pytest.mark.served
def test_a_scrypt_hash_still_checks_under_the_tests_cheap_hash():
    real = subprocess.run(
        [
            sys.executable,
            "-c",
            "from doorbook import credentials; print(credentials.hash_password('right'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert credentials.check_password(real, "right")
    assert not credentials.check_password(real, "wrong")
