"""Starting and stopping the local stack from tests: `start_stack(state_dir, env) -> handle`.

The stack runs as `make run` runs it, a `python -m dev.stack` subprocess, on free ports, so
tests see the product the way a developer does and never collide with a running `make run`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dev.environment import REPO_ROOT
from dev.processes import die_with_parent

# Variables from the developer's shell that would point the stack somewhere else.
_INHERITED_BUT_NOT_WANTED = ("AWS_", "FREIGABE_", "SLACK_")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class StackHandle:
    process: subprocess.Popen[str]
    env: dict[str, str]
    state_dir: Path
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.env["FREIGABE_PORT"])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def aws_url(self) -> str:
        return f"http://127.0.0.1:{self.env['FREIGABE_AWS_PORT']}"

    @property
    def slack_url(self) -> str:
        return f"http://127.0.0.1:{self.env['FREIGABE_SLACK_PORT']}"

    @property
    def networks_url(self) -> str:
        """The stand-in networks (authorization servers and posting APIs, dev/oauth_standins)."""
        return f"http://127.0.0.1:{self.env['FREIGABE_OAUTH_PORT']}"

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's emulator."""
        import boto3

        return boto3.session.Session().client(
            service,
            endpoint_url=self.aws_url,
            region_name=self.env["AWS_DEFAULT_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, Any]:
        """(status, JSON body or None) of a GET on the API."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            body = err.read()
            try:
                return err.code, json.loads(body or b"null")
            except ValueError:
                return err.code, None

    def wait_healthy(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"stack exited with {self.process.returncode}:\n{self.output}")
            try:
                status, body = self.get("/health", timeout=2)
                if status == 200:
                    return body  # type: ignore[no-any-return]
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"no healthy /health within {timeout:g} s:\n{self.output}")

    def descendants(self) -> set[int]:
        return descendants(self.process.pid)

    def stop(self, signum: int = signal.SIGINT, timeout: float = 30.0) -> int:
        """Signals the stack as Ctrl-C would and waits for it; its return code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_tree(self.process.pid)
                self.process.wait()
                raise
        if self._reader:
            self._reader.join(timeout=5)
        return self.process.returncode


def start_stack(
    state_dir: Path,
    env_overrides: Mapping[str, str] | None = None,
    healthy_within: float = 60.0,
) -> StackHandle:
    """A running stack on free ports, answering /health. Give ``SLACK_BOT_TOKEN`` in
    ``env_overrides`` to run it without the Slack dev workspace. The stack ends when the
    thread that started it does (Linux ties the parent-death signal to the thread)."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(_INHERITED_BUT_NOT_WANTED)
    }
    env.update(
        FREIGABE_PORT=str(free_port()),
        FREIGABE_AWS_PORT=str(free_port()),
        FREIGABE_SLACK_PORT=str(free_port()),
        FREIGABE_WEBHOOK_PORT=str(free_port()),
        FREIGABE_OAUTH_PORT=str(free_port()),
        FREIGABE_STATE_DIR=str(state_dir),
        AWS_DEFAULT_REGION="eu-central-1",
        PYTHONUNBUFFERED="1",
    )
    env.update(env_overrides or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "dev.stack"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A test run killed hard must not leave a stack (and its emulator) behind.
        preexec_fn=die_with_parent,
    )
    handle = StackHandle(process, env, state_dir)
    handle._reader = threading.Thread(target=_collect, args=(process, handle.lines), daemon=True)
    handle._reader.start()
    try:
        handle.wait_healthy(healthy_within)
    except BaseException:
        handle.stop()
        raise
    return handle


def _collect(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after its last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    table = _processes()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {p for p, (parent, _) in table.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def alive(pids: set[int]) -> set[int]:
    """The ones still running; zombies waiting for a reaper do not count."""
    table = _processes()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def kill_tree(pid: int) -> None:
    for child in descendants(pid) | {pid}:
        # Each of the stack's children leads a process group; the stack itself does not.
        with contextlib.suppress(OSError):
            os.killpg(child, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
