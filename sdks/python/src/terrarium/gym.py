"""A Terrarium task as a Gymnasium environment: `TerrariumTaskEnv` (`pip install 'terrarium-sdk[gym]'`).

An episode is one attempt at the task in a session of its environments: the first `reset()` makes the session
(`client.sessions.create(task=...)`), every later one brings it back to its starting state (`session.reset()`),
so episodes after the first start in about a second. An action runs a shell command in one of the task's
environments or submits the episode (with an answer, for a question): the reward is 0 until the episode ends,
then the task's evaluation (`session.evaluate()`): 1 when the task succeeded, else 0 (or its score, with
`reward="score"`).

Example::

    from terrarium.gym import TerrariumTaskEnv

    env = TerrariumTaskEnv("fossil/count-open-storage-tickets")  # TERRARIUM_URL, TERRARIUM_API_KEY
    observation, info = env.reset()  # the first reset makes the session, later ones reset it
    forge = observation["envs"]["forge"]
    print(observation["prompt"])
    print(forge["start_url"], forge["accounts"][0]["username"])  # http://j-....localhost:7351/reportlist admin

    query = "SELECT count(*) FROM ticket WHERE subsystem = 'storage' AND status = 'Open'"
    observation, reward, terminated, truncated, info = env.step(
        env.shell(f'fossil sql -R /data/project.fossil "{query}"', env="forge")
    )
    print(observation["exit_code"], observation["stdout"].strip(), reward)  # 0 3 0.0
    observation, reward, terminated, truncated, info = env.step(env.submit(observation["stdout"].strip()))
    print(reward, terminated, info["evaluation"]["success"])  # 1.0 True True
    env.close()  # closes the session

`gymnasium.make("terrarium/Task-v0", task_id=...)` makes one too, once this module is imported (or with the id
`"terrarium.gym:terrarium/Task-v0"`, which imports it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, SupportsFloat, TypeGuard

try:
    import gymnasium
    import numpy as np
    from gymnasium import spaces
    from gymnasium.error import ResetNeeded
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "terrarium.gym needs gymnasium: pip install 'terrarium-sdk[gym]' (or pip install gymnasium)"
    ) from error

from ._sync import Session, Terrarium
from ._wire import EvaluationAnswer, JobExecuteResult, Task
from .errors import TerrariumError

__all__ = ["CHARSET", "ENV_ID", "EXECUTE", "SUBMIT", "TerrariumTaskEnv"]

ENV_ID = "terrarium/Task-v0"
"""The id `gymnasium.make` knows `TerrariumTaskEnv` by."""

EXECUTE = 0
"""`action["kind"]` of a shell command, run in the environment `action["env"]`."""
SUBMIT = 1
"""`action["kind"]` that ends the episode, with `action["answer"]` as the answer (empty: none)."""


def _printable(first: int, last: int) -> str:
    return "".join(c for c in map(chr, range(first, last + 1)) if c.isprintable())


CHARSET: frozenset[str] = frozenset(
    "\t\n\r"
    + _printable(0x20, 0x7E)  # ASCII
    + _printable(0xA0, 0x24F)  # Latin-1 Supplement, Latin Extended-A and -B
    + _printable(0x370, 0x3FF)  # Greek
    + _printable(0x400, 0x4FF)  # Cyrillic
    + _printable(0x2000, 0x206F)  # General Punctuation: dashes, quotes, bullets, ellipsis
    + _printable(0x20A0, 0x20CF)  # currency signs
    + _printable(0x2100, 0x22FF)  # letterlike symbols, number forms, arrows, mathematical operators
    + _printable(0x2500, 0x25FF)  # box drawing, blocks, geometric shapes (tree, progress bars)
    + _printable(0x2600, 0x27BF)  # symbols and dingbats: check marks, crosses
    + "\ufffd"
)
"""The characters of the text spaces: what shell tools and web apps commonly print in Latin, Greek or Cyrillic
script. A text outside it (CJK, emoji, control characters) reaches the observation with each such character
replaced by U+FFFD; pass `charset=` to widen it (a Text space's cost grows with its charset: the whole Basic
Multilingual Plane takes a few seconds and tens of MB per environment)."""


class TerrariumTaskEnv(gymnasium.Env[dict[str, Any], dict[str, Any]]):
    """A Terrarium task as a Gymnasium environment, on the synchronous client `Terrarium`.

    Observation (a `Dict`): `prompt`, the task's prompt; `envs`, per alias: `simulator`, `url` (the app's public
    URL), `start_url` (where the task starts in it) and `accounts` (a tuple of `{username, password, role}`);
    `stdout`, `stderr` and `exit_code` of the last command (empty and -1 at reset and after a submit; -1 also
    when the command timed out or could not run, see `info`), cut at `max_output_chars`; `step`, the steps
    taken in the episode.

    Action (a `Dict`): `kind` (`EXECUTE` or `SUBMIT`); `env`, the index in `aliases` of the environment a command
    runs in (`step` also takes the alias itself); `command`, a shell command (`/bin/sh -c`); `answer`, the answer
    a `SUBMIT` gives (empty: none). `shell(command, env=alias)` and `submit(answer)` build them.

    The episode ends when an action submits (`terminated`) or after `max_steps` actions (`truncated`); its last
    step's reward is the evaluation of the session's state (and answer) then: 1.0 if the task succeeded else
    0.0, or the score with `reward="score"`; every other step's is 0.0. `info["evaluation"]` holds the checks.

    Example::

        env = TerrariumTaskEnv("fossil/raise-crc-check-priority", base_url="http://127.0.0.1:7350")
        observation, info = env.reset()
        tickets = env.shell("fossil ticket show 0 -R /data/project.fossil")
        observation, reward, terminated, truncated, info = env.step(tickets)
        env.close()
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 - gymnasium's declared attribute

    def __init__(
        self,
        task_id: str,
        *,
        client: Terrarium | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        max_steps: int = 50,
        command_timeout: float = 30.0,
        reward: Literal["success", "score"] = "success",
        max_output_chars: int = 32_768,
        max_command_chars: int = 8_192,
        max_answer_chars: int = 4_096,
        charset: frozenset[str] | str = CHARSET,
        create_timeout: float = 120.0,
    ) -> None:
        """Reads the task and its simulators' accounts (a `NotFoundError` for an unknown task); the session is made
        by the first `reset()`. Without `client` it talks through a `Terrarium(base_url=, api_key=)` of its own
        (`TERRARIUM_URL`, `TERRARIUM_API_KEY` by default), which `close()` closes."""
        if max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, not {max_steps}")
        if reward not in ("success", "score"):
            raise ValueError(f'reward is "success" (1 or 0) or "score" (0 to 1), not {reward!r}')
        self._owns_client = client is None
        self.client = client if client is not None else Terrarium(base_url=base_url, api_key=api_key)
        """The client the environment talks through."""
        try:
            self.task: Task = self.client.tasks.retrieve(task_id)
            """The task: its prompt, environments and criteria."""
            accounts = _accounts(self.client, self.task)
        except BaseException:
            self._close_client()
            raise
        self.task_id = task_id
        self.aliases: tuple[str, ...] = tuple(env.alias for env in self.task.envs)
        """The task's environments, in order: `action["env"]` is an index in it."""
        self.max_steps = max_steps
        self.command_timeout = command_timeout
        self.reward_kind = reward
        self.create_timeout = create_timeout
        self.session: Session | None = None
        """The session of the episodes, made by the first `reset()`."""
        self._accounts = accounts
        self._charset = frozenset(charset)
        self._outside = re.compile("[^" + "".join(re.escape(c) for c in sorted(self._charset)) + "]")
        self._max_output = max_output_chars
        self._urls: dict[str, tuple[str, str]] = {}
        self._steps = 0
        self._running = False
        self._closed = False

        def text(max_length: int, min_length: int = 0) -> spaces.Text:
            return spaces.Text(max_length, min_length=min_length, charset=self._charset)

        account = spaces.Dict({"username": text(256), "password": text(256), "role": text(256)})
        self.observation_space = spaces.Dict(
            {
                "prompt": text(max(len(self.task.prompt), 1)),
                "envs": spaces.Dict(
                    {
                        alias: spaces.Dict(
                            {
                                "simulator": text(256),
                                "url": text(2048),
                                "start_url": text(4096),
                                "accounts": spaces.Sequence(account),
                            }
                        )
                        for alias in self.aliases
                    }
                ),
                "stdout": text(max_output_chars),
                "stderr": text(max_output_chars),
                "exit_code": spaces.Discrete(257, start=-1),
                "step": spaces.Discrete(max_steps + 1),
            }
        )
        self.action_space = spaces.Dict(
            {
                "kind": spaces.Discrete(2),
                "env": spaces.Discrete(len(self.aliases)),
                "command": text(max_command_chars, min_length=1),
                "answer": text(max_answer_chars),
            }
        )

    def __repr__(self) -> str:
        return f"TerrariumTaskEnv(task_id={self.task_id!r}, aliases={self.aliases!r})"

    def shell(self, command: str, *, env: str | None = None) -> dict[str, Any]:
        """The action that runs `command` in the environment `env` (an alias; the only one when there is one).

        Example::

            observation, *_ = env.step(env.shell("ls /data", env="forge"))
        """
        return {"kind": EXECUTE, "env": self._env_index(env), "command": command, "answer": ""}

    def submit(self, answer: str | None = None) -> dict[str, Any]:
        """The action that ends the episode, with `answer` as the task's answer (for a question).

        Example::

            observation, reward, terminated, truncated, info = env.step(env.submit("3"))
        """
        # A complete action of the space (whose commands are not empty); a submit runs no command.
        return {"kind": SUBMIT, "env": 0, "command": "true", "answer": answer or ""}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Starts an episode: makes the task's session the first time, resets it to its starting state later.
        `seed` seeds `np_random` (a task has no randomness of its own); there are no options."""
        super().reset(seed=seed)
        if options:
            raise ValueError(f"TerrariumTaskEnv.reset takes no options, got {sorted(options)}")
        if self._closed:
            raise TerrariumError("this TerrariumTaskEnv is closed; make a new one")
        self._running = False
        if self.session is None:
            self.session = self.client.sessions.create(task=self.task_id, timeout=self.create_timeout)
            urls = self.session.get_public_url()
            if any(not self._accounts[env.alias][0] for env in self.session.envs):
                # An environment the task starts from an artifact: its simulator is known now.
                simulators = {env.alias: env.simulator for env in self.session.envs}
                self._accounts.update(_accounts(self.client, self.task, simulators))
            starts = {env.alias: env.start_url for env in self.task.envs}
            self._urls = {alias: (url, _join(url, starts[alias])) for alias, url in urls.items()}
        else:
            answer = self.session.reset()
            if not answer.success:
                failed = "; ".join(
                    f"{self._alias_of(job)}: {outcome.error or outcome.message or 'failed'}"
                    for job, outcome in answer.results.items()
                    if not outcome.success
                )
                raise TerrariumError(f"session {self.session.session_id} could not be reset: {failed}")
        self._steps = 0
        self._running = True
        info = {
            "session_id": self.session.session_id,
            "task_id": self.task_id,
            "job_ids": {env.alias: env.job_id for env in self.session.envs},
        }
        return self._observation("", "", -1), info

    def step(self, action: Mapping[str, Any]) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        """Runs the action's command, or submits; see the class's description for what it returns."""
        if self.session is None or not self._running:
            why = "no episode started yet" if self.session is None else "the episode ended"
            raise ResetNeeded(f"call reset() before step(): {why}")
        kind, index, command, answer = self._parse(action)
        self._steps += 1
        info: dict[str, Any] = {}
        stdout = stderr = ""
        exit_code = -1
        if kind == EXECUTE:
            alias = self.aliases[index]
            environment = self.session.get_env(alias)
            if environment is None:
                raise TerrariumError(f'session {self.session.session_id} has no environment "{alias}" any more')
            result: JobExecuteResult = environment.execute(command, timeout=self.command_timeout)
            stdout, stderr = result.stdout, result.stderr
            exit_code = result.exit_code if result.exit_code is not None and 0 <= result.exit_code <= 255 else -1
            info.update(
                env=alias,
                job_id=environment.job_id,
                exit_code=result.exit_code,
                timed_out=result.timed_out,
                truncated_output=result.truncated or len(stdout) > self._max_output or len(stderr) > self._max_output,
                error=result.error,
            )
        terminated = kind == SUBMIT
        truncated = not terminated and self._steps >= self.max_steps
        reward = 0.0
        if terminated or truncated:
            evaluation = self.session.evaluate(value=answer if terminated and answer else None)
            reward = float(evaluation.success) if self.reward_kind == "success" else float(evaluation.score)
            info["evaluation"] = _evaluation(evaluation)
            self._running = False
        return self._observation(stdout, stderr, exit_code), reward, terminated, truncated, info

    def close(self) -> None:
        """Closes the session (its environments are removed) and the client the environment made; safe to
        repeat."""
        if self._closed:
            return
        self._closed = True
        self._running = False
        try:
            if self.session is not None:
                self.session.close()
        finally:
            self._close_client()
        super().close()

    def _close_client(self) -> None:
        if self._owns_client:
            self.client.close()

    def _observation(self, stdout: str, stderr: str, exit_code: int) -> dict[str, Any]:
        # Fresh containers every call: a caller may keep and change what it was given.
        return {
            "prompt": self._text(self.task.prompt),
            "envs": {
                alias: {
                    "simulator": self._text(simulator, 256),
                    "url": self._text(self._urls[alias][0], 2048),
                    "start_url": self._text(self._urls[alias][1], 4096),
                    "accounts": tuple(
                        {key: self._text(value, 256) for key, value in account.items()}
                        for account in self._accounts[alias][1]
                    ),
                }
                for alias, (simulator, _) in self._accounts.items()
            },
            "stdout": self._text(stdout, self._max_output),
            "stderr": self._text(stderr, self._max_output),
            "exit_code": exit_code,
            "step": self._steps,
        }

    def _text(self, value: str, limit: int | None = None) -> str:
        """`value` within the text spaces: characters outside the charset as U+FFFD, cut at `limit`."""
        return self._outside.sub("\ufffd", value if limit is None else value[:limit])

    def _parse(self, action: Mapping[str, Any]) -> tuple[int, int, str, str]:
        example = 'e.g. env.shell("ls", env="forge") or env.submit("42")'
        if not isinstance(action, Mapping):
            raise TypeError(f"an action is a dict of kind, env, command and answer ({example}), not {action!r}")
        unknown = sorted(set(action) - {"kind", "env", "command", "answer"})
        if unknown:
            raise ValueError(f"unknown key(s) {unknown} in the action; it has kind, env, command, answer ({example})")
        kind = action.get("kind")
        if not _is_int(kind) or int(kind) not in (EXECUTE, SUBMIT):
            raise ValueError(f"action['kind'] is {EXECUTE} (EXECUTE) or {SUBMIT} (SUBMIT), not {kind!r} ({example})")
        answer = action.get("answer") or ""
        if not isinstance(answer, str):
            raise ValueError(f"action['answer'] is a string (empty: no answer), not {answer!r}")
        if int(kind) == SUBMIT:
            return SUBMIT, 0, "", answer
        env = action.get("env")
        index = self._env_index(env) if env is None or isinstance(env, str) else env
        if not _is_int(index) or not 0 <= int(index) < len(self.aliases):
            raise ValueError(
                f"action['env'] is an index in {list(self.aliases)} (0 to {len(self.aliases) - 1}) or one of those "
                f"aliases, not {env!r}"
            )
        command = action.get("command")
        if not isinstance(command, str) or not command:
            raise ValueError(f"action['command'] is the shell command to run, a non-empty string, not {command!r}")
        return EXECUTE, int(index), command, answer

    def _env_index(self, alias: str | None) -> int:
        if alias is None:
            if len(self.aliases) == 1:
                return 0
            raise ValueError(f"task {self.task_id} has several environments: say which, one of {list(self.aliases)}")
        if alias not in self.aliases:
            raise ValueError(
                f'unknown environment "{alias}": task {self.task_id} has {", ".join(repr(a) for a in self.aliases)}'
            )
        return self.aliases.index(alias)

    def _alias_of(self, job_id: str) -> str:
        assert self.session is not None
        return next((env.alias for env in self.session.envs if env.job_id == job_id), job_id)


def _is_int(value: object) -> TypeGuard[int | np.integer[Any]]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _join(url: str, path: str) -> str:
    return url.rstrip("/") + (path if path.startswith("/") else "/" + path)


def _accounts(
    client: Terrarium, task: Task, simulators: Mapping[str, str | None] | None = None
) -> dict[str, tuple[str, list[dict[str, str]]]]:
    """Per alias of the task: its simulator (the task's, or `simulators`' for an alias the task starts from an
    artifact) and that simulator's accounts from the catalog."""
    catalog = {simulator.name: simulator for simulator in client.simulators.list()}
    out: dict[str, tuple[str, list[dict[str, str]]]] = {}
    for env in task.envs:
        name = env.simulator or (simulators or {}).get(env.alias) or ""
        simulator = catalog.get(name)
        accounts: Iterable[Any] = simulator.accounts if simulator is not None else []
        out[env.alias] = (name, [{"username": a.username, "password": a.password, "role": a.role} for a in accounts])
    return out


def _evaluation(evaluation: EvaluationAnswer) -> dict[str, Any]:
    """What an agent or trainer reads of an evaluation (its timing and judge usage aside)."""
    return {
        "success": evaluation.success,
        "score": float(evaluation.score),
        "status": evaluation.status,
        "checks": [
            {"id": c.id, "pass": c.pass_, "score": float(c.score), "required": c.required, "reason": c.reason}
            for c in evaluation.checks
        ],
        "unexpected": list(evaluation.unexpected),
    }


gymnasium.register(id=ENV_ID, entry_point="terrarium.gym:TerrariumTaskEnv", nondeterministic=True, reward_threshold=1.0)
