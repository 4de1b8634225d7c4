"""`terrarium.gym`: episodes of real fossil tasks through Gymnasium's API, and Gymnasium's own checker."""

from __future__ import annotations

import re
import textwrap
import warnings

import gymnasium
import httpx
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env

import terrarium.gym
from terrarium import NotFoundError, Terrarium, TerrariumError
from terrarium.gym import ENV_ID, EXECUTE, SUBMIT, TerrariumTaskEnv

from support import Server, run_python

# Solved in the shell with fossil's CLI: find the ticket, set its priority.
PRIORITY = "fossil/raise-crc-check-priority"
# A question: the answer is a number the agent reads from the tracker.
COUNT = "fossil/count-open-storage-tickets"
CRC_TICKET = "Check the CRC of each record when replaying"
OPEN_STORAGE = "SELECT count(*) FROM ticket WHERE subsystem = 'storage' AND status = 'Open'"


def sql(query: str) -> str:
    return f'fossil sql -R /data/project.fossil "{query}"'


def test_the_reference_shell_actions_reach_reward_1_and_doing_nothing_0(server: Server) -> None:
    env = TerrariumTaskEnv(PRIORITY, base_url=server.url)
    try:
        observation, info = env.reset(seed=7)
        assert observation in env.observation_space
        assert observation["prompt"] == env.task.prompt
        assert (observation["stdout"], observation["exit_code"], observation["step"]) == ("", -1, 0)
        forge = observation["envs"]["forge"]
        assert forge["simulator"] == "fossil"
        assert forge["start_url"] == forge["url"].rstrip("/") + "/reportlist"
        assert {"username": "admin", "password": "terrarium-admin", "role": "admin"} in forge["accounts"]
        # The observed URL is the app itself, through the server's proxy.
        page = httpx.get(forge["start_url"], follow_redirects=True, timeout=30)
        assert page.status_code == 200 and "Ticket" in page.text
        session_id = info["session_id"]
        assert info["job_ids"].keys() == {"forge"}

        found = env.step(env.shell(sql(f"SELECT tkt_uuid FROM ticket WHERE title = '{CRC_TICKET}'"), env="forge"))
        observation, reward, terminated, truncated, info = found
        assert observation in env.observation_space
        assert (reward, terminated, truncated) == (0.0, False, False)
        assert (observation["exit_code"], observation["step"]) == (0, 1)
        assert info["env"] == "forge" and not info["timed_out"] and "evaluation" not in info
        uuid = observation["stdout"].strip().strip("'")
        assert re.fullmatch("[0-9a-f]{40}", uuid), observation["stdout"]

        observation, reward, *_ = env.step(
            env.shell(f"fossil ticket set {uuid} priority Immediate -R /data/project.fossil")
        )
        assert "succeeded" in observation["stdout"] and reward == 0.0
        observation, reward, terminated, truncated, info = env.step(env.submit())
        assert observation in env.observation_space
        assert (reward, terminated, truncated, observation["step"]) == (1.0, True, False, 3)
        assert info["evaluation"]["success"] and all(check["pass"] for check in info["evaluation"]["checks"])
        with pytest.raises(ResetNeeded, match="episode ended"):
            env.step(env.submit())

        # Doing nothing: the same session, back at its start (the ticket's priority is High again).
        observation, info = env.reset()
        assert info["session_id"] == session_id
        observation, *_ = env.step(env.shell(sql(f"SELECT priority FROM ticket WHERE tkt_uuid = '{uuid}'")))
        assert observation["stdout"].strip() == "'High'"
        observation, reward, terminated, truncated, info = env.step(env.submit())
        assert (reward, terminated, truncated) == (0.0, True, False)
        assert not info["evaluation"]["success"]
        failed = {check["id"] for check in info["evaluation"]["checks"] if not check["pass"]}
        assert "priority-immediate" in failed
    finally:
        env.close()
        env.close()  # safe to repeat
    with Terrarium(base_url=server.url) as client:
        assert client.sessions.retrieve(session_id).status == "closed"


def test_an_answer_task_right_wrong_and_out_of_steps(server: Server) -> None:
    with Terrarium(base_url=server.url) as client:
        env = TerrariumTaskEnv(COUNT, client=client, max_steps=2)
        try:
            env.reset()
            observation, reward, terminated, truncated, _ = env.step(env.shell(sql(OPEN_STORAGE)))
            assert observation["stdout"].strip() == "3" and (reward, terminated, truncated) == (0.0, False, False)
            observation, reward, terminated, truncated, info = env.step(env.submit(observation["stdout"].strip()))
            assert (reward, terminated, truncated) == (1.0, True, False) and info["evaluation"]["success"]

            env.reset()
            _, reward, terminated, _, info = env.step(env.submit("4"))
            assert (reward, terminated) == (0.0, True) and not info["evaluation"]["success"]

            # max_steps actions without a submit: truncated, and scored as it stands (no answer: not done).
            env.reset()
            assert env.step(env.shell("true"))[2:4] == (False, False)
            observation, reward, terminated, truncated, info = env.step(env.shell("echo still looking"))
            assert (terminated, truncated, reward, observation["step"]) == (False, True, 0.0, 2)
            assert observation["stdout"] == "still looking\n" and not info["evaluation"]["success"]
            with pytest.raises(ResetNeeded):
                env.step(env.shell("true"))
        finally:
            env.close()
        # The client was given, so it stays open.
        assert client.health().status == "ok"


def test_gymnasium_check_env_passes(server: Server) -> None:
    """Through `gymnasium.make`, whose spec says the environment is nondeterministic (shell output may depend on
    the clock or the app's own randomness), so check_env's determinism comparisons do not apply; every other check
    runs, with each warning of the checker an error here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = gymnasium.make(ENV_ID, task_id=COUNT, base_url=server.url, reward="score")
        try:
            assert env.spec is not None and env.spec.nondeterministic
            check_env(env.unwrapped)
            # reward="score": the evaluation's score, a wrong answer gets the part of the criteria it meets.
            env.reset()
            _, reward, terminated, _, info = env.step({"kind": SUBMIT, "env": 0, "command": "true", "answer": "4"})
            assert terminated and reward == info["evaluation"]["score"] and 0 < float(reward) < 1
        finally:
            env.close()


def test_the_module_example_runs_as_written(server: Server) -> None:
    assert terrarium.gym.__doc__ is not None
    found = re.search(r"Example::\n\n(.*?)\n\n(?=\S)", terrarium.gym.__doc__, re.S)
    assert found, "terrarium.gym's docstring has no example"
    ran = run_python(textwrap.dedent(found.group(1)), env={"TERRARIUM_URL": server.url})
    assert ran.returncode == 0, ran.stderr
    prompt, start, executed, submitted = ran.stdout.strip().split("\n")[-4:]
    assert prompt.startswith("For the 0.2 planning meeting")
    assert re.fullmatch(r"http://j-\w+\.localhost:\d+/reportlist admin", start)
    assert (executed, submitted) == ("0 3 0.0", "1.0 True True")


def test_bad_input_is_a_clear_error(server: Server) -> None:
    with pytest.raises(NotFoundError, match='unknown task "fossil/no-such-task"'):
        TerrariumTaskEnv("fossil/no-such-task", base_url=server.url)
    env = TerrariumTaskEnv(COUNT, base_url=server.url)
    try:
        unknown = "unknown environment \"wiki\": task fossil/count-open-storage-tickets has 'forge'"
        with pytest.raises(ValueError, match=unknown):
            env.shell("ls", env="wiki")
        with pytest.raises(ResetNeeded, match="call reset"):
            env.step(env.shell("ls"))
        env.reset()
        with pytest.raises(ValueError, match='unknown environment "wiki"'):
            env.step({"kind": EXECUTE, "env": "wiki", "command": "ls", "answer": ""})
        with pytest.raises(ValueError, match=r"an index in \['forge'\] \(0 to 0\)"):
            env.step({"kind": EXECUTE, "env": 3, "command": "ls", "answer": ""})
        with pytest.raises(ValueError, match=r"action\['kind'\] is 0 \(EXECUTE\) or 1 \(SUBMIT\)"):
            env.step({"kind": 7})
        with pytest.raises(ValueError, match=r"unknown key\(s\) \['cmd'\]"):
            env.step({"kind": EXECUTE, "cmd": "ls"})
        with pytest.raises(ValueError, match=r"action\['command'\] is the shell command"):
            env.step({"kind": EXECUTE, "env": 0, "command": "", "answer": ""})
        with pytest.raises(TypeError, match="an action is a dict"):
            env.step("ls")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="takes no options"):
            env.reset(options={"dataset": "blank"})
        # None of those took a step, and the alias works as well as its index.
        observation, *_ = env.step({"kind": EXECUTE, "env": "forge", "command": "echo ok", "answer": ""})
        assert (observation["stdout"], observation["step"]) == ("ok\n", 1)
    finally:
        env.close()
    with pytest.raises(TerrariumError, match="closed"):
        env.reset()
