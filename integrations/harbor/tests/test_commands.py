"""The provider's shell commands, run here by this machine's shell: what a Terrarium environment would run."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest

from terrarium_harbor.commands import append_command, read_command, shell_command, size_command, upload_chunks


def sh(script: str) -> subprocess.CompletedProcess[bytes]:
    """As Terrarium runs a command: `/bin/sh -c COMMAND`."""
    return subprocess.run(["/bin/sh", "-c", script], capture_output=True, timeout=30, check=False)


@pytest.mark.parametrize(
    "value", ["plain", "two words", "it's", '"double"', "$HOME and `id`", "new\nline", "", "ünï ✓"]
)
def test_variables_reach_the_command_as_given(tmp_path: Path, value: str) -> None:
    run = sh(shell_command('printf %s "$V"; echo; pwd', cwd=str(tmp_path), env={"V": value}))
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode() == f"{value}\n{tmp_path}\n"


def test_the_command_runs_in_bash_with_its_exit_status() -> None:
    assert sh(shell_command("[[ -n x ]] && exit 7")).returncode == 7


def test_a_variable_name_that_is_not_an_identifier_is_refused() -> None:
    with pytest.raises(ValueError, match="not a shell identifier"):
        shell_command("true", env={"A B": "1"})


def test_another_user_goes_through_su() -> None:
    assert shell_command("id", user="fossil") == "exec su fossil -s /bin/sh -c 'exec bash -c id'"
    assert shell_command("id", user=1000).startswith('exec su "$(getent passwd 1000 | cut -d: -f1)" -s /bin/sh')


def test_pieces_rebuild_the_file_exactly(tmp_path: Path) -> None:
    data = os.urandom(10_000)
    target = tmp_path / "made" / "here" / "file.bin"
    for i, piece in enumerate(upload_chunks(data, chunk=4096)):
        run = sh(append_command(str(target), base64.b64encode(piece).decode(), first=i == 0))
        assert run.returncode == 0, run.stderr
    assert target.read_bytes() == data
    assert sh(size_command(str(target))).stdout == b"10000\n"
    assert sh(read_command(str(target), 4000, 3000)).stdout == data[4000:7000]
    assert sh(read_command(str(target), 9000, 3000)).stdout == data[9000:]


def test_empty_data_is_one_empty_piece() -> None:
    assert list(upload_chunks(b"")) == [b""]
    assert list(upload_chunks(b"abcde", chunk=2)) == [b"ab", b"cd", b"e"]


def test_the_size_of_a_missing_file_fails_naming_it(tmp_path: Path) -> None:
    run = sh(size_command(str(tmp_path / "missing")))
    assert run.returncode == 1 and b"no file at " + str(tmp_path / "missing").encode() in run.stderr
