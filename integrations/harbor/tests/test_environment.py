"""`TerrariumEnvironment`'s operations, one by one, on a real fossil environment of the test server: what Harbor's
trials and agents call (exec with a working directory, variables, a user and a timeout; files and folders in and
out, in several pieces when large), and the errors a user can cause."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from harbor.models.task.config import EnvironmentConfig
from harbor.models.trial.config import ServiceVolumeConfig
from harbor.models.trial.paths import TrialPaths

from terrarium import AsyncTerrarium, NotFoundError
from terrarium_harbor import TerrariumEnvironment
from terrarium_harbor.commands import DOWNLOAD_CHUNK, UPLOAD_CHUNK

pytestmark = pytest.mark.anyio

LOG_FOLDERS = ("/logs/agent", "/logs/verifier", "/logs/artifacts")


def environment_dir(tmp_path: Path, definition: str) -> Path:
    folder = tmp_path / "environment"
    folder.mkdir(parents=True)
    (folder / "terrarium.toml").write_text(definition)
    return folder


def make(
    tmp_path: Path,
    definition: str = 'simulator = "fossil"\n',
    *,
    task: EnvironmentConfig | None = None,
    **kwargs: Any,
) -> TerrariumEnvironment:
    """The environment as Harbor's trial makes it (its log folders as automatic mounts, which Terrarium makes in the
    container instead of mounting them)."""
    trial = TrialPaths(tmp_path / "trial")
    auto_mounts: list[ServiceVolumeConfig] = [
        {"type": "bind", "source": str(tmp_path / "trial" / Path(target).name), "target": target}
        for target in LOG_FOLDERS
    ]
    return TerrariumEnvironment(
        environment_dir=environment_dir(tmp_path, definition),
        environment_name="probe",
        session_id="probe__env",
        trial_paths=trial,
        task_env_config=task or EnvironmentConfig(),
        auto_mounts=auto_mounts,
        **kwargs,
    )


@pytest.fixture
async def fossil(server_url: str, tmp_path: Path) -> AsyncIterator[TerrariumEnvironment]:
    environment = make(tmp_path, url=server_url)
    await environment.start(force_build=False)
    try:
        yield environment
    finally:
        await environment.stop(delete=True)


async def test_start_makes_a_ready_simulator_with_harbors_folders(
    fossil: TerrariumEnvironment, client: AsyncTerrarium
) -> None:
    info = await client.sessions.retrieve(fossil.session.session_id)
    assert info.status == "active" and [e.simulator for e in info.envs] == ["fossil"]
    listed = await fossil.exec("fossil version && ls -d /logs/* && stat -c %a /logs/agent")
    assert listed.return_code == 0
    assert "This is fossil version" in (listed.stdout or "")
    assert (listed.stdout or "").split()[-4:] == [*sorted(LOG_FOLDERS), "777"]


async def test_exec_takes_a_working_directory_variables_a_user_and_a_timeout(fossil: TerrariumEnvironment) -> None:
    value = 'it\'s $HOME, "quoted" & `not run`'
    shown = await fossil.exec('pwd; printf "%s\\n" "$GREETING"; whoami', cwd="/tmp", env={"GREETING": value})
    assert (shown.return_code, shown.stdout) == (0, f"/tmp\n{value}\nroot\n")

    # Bash, as Harbor's Docker provider runs commands: arrays and [[ ]] work.
    bash = await fossil.exec('words=(a b c); [[ ${#words[@]} == 3 ]] && echo "${words[1]}"', user="root")
    assert bash.stdout == "b\n"

    as_fossil = await fossil.exec("whoami; pwd", user="fossil", cwd="/data")
    assert (as_fossil.return_code, as_fossil.stdout) == (0, "fossil\n/data\n")

    with fossil.with_default_user("fossil"):
        assert (await fossil.exec("id -un")).stdout == "fossil\n"

    failed = await fossil.exec("echo oops >&2; exit 3")
    assert (failed.return_code, failed.stderr) == (3, "oops\n")

    timed_out = await fossil.exec("sleep 30", timeout_sec=1)
    assert timed_out.return_code == 124


async def test_files_and_folders_go_in_and_out_exactly(fossil: TerrariumEnvironment, tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "nested" / "deeper").mkdir(parents=True)
    big = os.urandom(UPLOAD_CHUNK + DOWNLOAD_CHUNK + 12345)  # two pieces in, three out
    (source / "big.bin").write_bytes(big)
    (source / "nested" / "solve.sh").write_text("#!/bin/bash\necho solved\n")
    (source / "nested" / "solve.sh").chmod(0o755)
    os.chown(source / "nested" / "solve.sh", 4321, 4321)  # a host uid: the container's user owns what is unpacked
    (source / "nested" / "deeper" / "empty").write_bytes(b"")
    (source / "nested" / "deeper" / "naïve name.txt").write_text("ünïcode\n")

    await fossil.upload_dir(source, "/solution")
    inside = await fossil.exec(
        "sha256sum /solution/big.bin | cut -d' ' -f1; /solution/nested/solve.sh; stat -c %U /solution/nested/solve.sh;"
        " cat '/solution/nested/deeper/naïve name.txt'; ls -a /tmp | grep -c terrarium-upload || true"
    )
    assert (inside.stdout or "").split("\n") == [hashlib.sha256(big).hexdigest(), "solved", "root", "ünïcode", "0", ""]

    back = tmp_path / "back"
    await fossil.download_dir("/solution", back)
    assert (back / "big.bin").read_bytes() == big
    assert (back / "nested" / "solve.sh").stat().st_mode & 0o111
    assert (back / "nested" / "deeper" / "empty").read_bytes() == b""
    assert (back / "nested" / "deeper" / "naïve name.txt").read_text() == "ünïcode\n"

    await fossil.upload_file(source / "nested" / "solve.sh", "/made/on/the/way/run.sh")
    await fossil.download_file("/made/on/the/way/run.sh", tmp_path / "one" / "run.sh")
    assert (tmp_path / "one" / "run.sh").read_text() == "#!/bin/bash\necho solved\n"

    await fossil.upload_file(source / "nested" / "deeper" / "empty", "/tmp/empty")
    assert (await fossil.exec("stat -c %s /tmp/empty")).stdout == "0\n"

    with pytest.raises(RuntimeError, match="no file at /nowhere"):
        await fossil.download_file("/nowhere", tmp_path / "nowhere")
    with pytest.raises(RuntimeError, match="packing /nowhere failed"):
        await fossil.download_dir("/nowhere", tmp_path / "nowhere")


async def test_stop_closes_the_session(server_url: str, tmp_path: Path, client: AsyncTerrarium) -> None:
    environment = make(tmp_path, url=server_url)
    await environment.start(force_build=False)
    session_id = environment.session.session_id
    await environment.stop(delete=True)
    assert (await client.sessions.retrieve(session_id)).status == "closed"
    with pytest.raises(RuntimeError, match="not started"):
        await environment.exec("true")


async def test_an_unknown_simulator_fails_to_start_with_the_servers_message(server_url: str, tmp_path: Path) -> None:
    environment = make(tmp_path, 'simulator = "no-such-app"\n', url=server_url)
    with pytest.raises(NotFoundError, match="no-such-app"):
        await environment.start(force_build=False)
    await environment.stop(delete=True)  # as Harbor's trial does after a failed start: nothing to close


def test_a_task_without_terrarium_toml_is_told_what_to_write(tmp_path: Path) -> None:
    trial = TrialPaths(tmp_path / "trial")
    folder = tmp_path / "environment"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM debian:bookworm\n")
    with pytest.raises(FileNotFoundError, match=r'`simulator = "fossil"`.*Dockerfile: Terrarium .* does not build'):
        TerrariumEnvironment(
            environment_dir=folder,
            environment_name="probe",
            session_id="probe__env",
            trial_paths=trial,
            task_env_config=EnvironmentConfig(),
        )


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ('simulator = "fossil"\nimage = "x"\n', r"image: unknown key \(simulator, dataset, tag and alias are\)"),
        ('dataset = "base"\n', "simulator: Field required"),
        ("simulator = fossil\n", "is not valid TOML"),
    ],
)
def test_a_wrong_terrarium_toml_is_named(tmp_path: Path, definition: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(tmp_path, definition)


def test_what_terrarium_cannot_do_is_refused_before_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="remove docker_image"):
        make(tmp_path / "image", task=EnvironmentConfig(docker_image="debian:bookworm"))
    with pytest.raises(ValueError, match="cannot mount host folders"):
        make(tmp_path / "mounts", mounts=[{"type": "bind", "source": str(tmp_path), "target": "/host"}])
    with pytest.raises(ValueError, match="Unknown option 'region'"):
        make(tmp_path / "option", region="eu")


def test_preflight_checks_the_options_and_the_server(server_url: str) -> None:
    TerrariumEnvironment.preflight({"url": server_url})
    with pytest.raises(
        SystemExit,
        match=r"needs a Terrarium server: cannot reach the Terrarium server at http://127.0.0.1:9 .*--ek url=",
    ):
        TerrariumEnvironment.preflight({"url": "http://127.0.0.1:9"})
    with pytest.raises(ValueError, match="ready_timeout_sec"):
        TerrariumEnvironment.preflight({"ready_timeout_sec": -1})
