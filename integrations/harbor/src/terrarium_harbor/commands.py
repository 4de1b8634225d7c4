"""The shell commands the provider sends through Terrarium's `execute`, as pure functions of their inputs.

Terrarium's one way into an environment is `execute`: a `/bin/sh -c COMMAND` in the container, as the container's
user, answering stdout and stderr (exact bytes with base64, at most 4 MiB each) and the exit code. Harbor's
operations (a command with a working directory, variables and a user; files in and out) are made of it here.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping

__all__ = [
    "DOWNLOAD_CHUNK",
    "UPLOAD_CHUNK",
    "append_command",
    "extract_command",
    "read_command",
    "shell_command",
    "size_command",
    "upload_chunks",
]

# A command travels in a JSON body of at most 16 MiB: 6 MiB of data is 8 MiB of base64.
UPLOAD_CHUNK = 6 * 1024 * 1024
# The server keeps 4 MiB of a command's standard output.
DOWNLOAD_CHUNK = 3 * 1024 * 1024


def shell_command(
    command: str,
    *,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    user: str | int | None = None,
) -> str:
    """`command` run by bash (Harbor's commands rely on bash, as its Docker provider runs them), in `cwd`, with
    `env` exported, as `user` (through `su`, which needs the container to run as root; None: the container's
    own user).

    >>> shell_command("echo $HOME", cwd="/data", env={"A": "1 2"})
    "cd /data && export A='1 2' && exec bash -c 'echo $HOME'"
    """
    steps: list[str] = []
    if cwd:
        steps.append(f"cd {shlex.quote(cwd)}")
    if env:
        for key in env:
            if not key.isidentifier():
                raise ValueError(f"environment variable name {key!r} is not a shell identifier")
        steps.append("export " + " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items()))
    steps.append(f"exec bash -c {shlex.quote(command)}")
    script = " && ".join(steps)
    if user is None:
        return script
    # su (not `su -`) keeps the working directory and the variables; a uid is looked up for its name.
    name = f'"$(getent passwd {int(user)} | cut -d: -f1)"' if isinstance(user, int) else shlex.quote(user)
    return f"exec su {name} -s /bin/sh -c {shlex.quote(script)}"


def upload_chunks(data: bytes, chunk: int = UPLOAD_CHUNK) -> Iterator[bytes]:
    """`data` in pieces of at most `chunk` bytes; one empty piece for empty data (so the file is still made)."""
    if not data:
        yield b""
        return
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def append_command(path: str, encoded: str, *, first: bool) -> str:
    """Decodes one base64 piece into `path`: the first piece makes the file (and its folder), the others append."""
    quoted = shlex.quote(path)
    redirect = ">" if first else ">>"
    make_dir = f'mkdir -p -- "$(dirname -- {quoted})" && ' if first else ""
    return f"{make_dir}printf %s {shlex.quote(encoded)} | base64 -d {redirect} {quoted}"


def extract_command(archive: str, target_dir: str) -> str:
    """Unpacks a gzipped tar at `archive` into `target_dir` (made if missing), then removes it. Owners come from
    the container's user, not from the host's uids in the archive."""
    archive_q, target_q = shlex.quote(archive), shlex.quote(target_dir)
    unpack = f"mkdir -p -- {target_q} && tar -xzf {archive_q} --no-same-owner -C {target_q}"
    return f"{unpack}; status=$?; rm -f -- {archive_q}; exit $status"


def size_command(path: str) -> str:
    """Prints the size of the regular file at `path`, or fails naming it."""
    quoted = shlex.quote(path)
    return f'if [ -f {quoted} ]; then stat -c %s -- {quoted}; else echo "no file at "{quoted} >&2; exit 1; fi'


def read_command(path: str, offset: int, length: int) -> str:
    """Prints `length` bytes of the file at `path` from `offset`."""
    return f"tail -c +{offset + 1} -- {shlex.quote(path)} | head -c {length}"
