"""The stack's children: started in process groups of their own, their output prefixed with a
name, and stopped group by group so nothing outlives the stack."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


# Looked up before any fork: the code between fork and exec must not load libraries.
_PRCTL = _libc_prctl()


def die_with_parent() -> None:
    """Runs in the child before exec. Each child leads its own process group, so a terminal's
    Ctrl-C reaches only the stack, which saves the data before stopping the emulator. The
    price is that a SIGKILLed stack would leave orphans; this asks Linux to end them too."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Console:
    """One writer for every prefixed line, so lines from different children never interleave."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()

    def say(self, prefix: str, line: str) -> None:
        # A reader that went away (`make run | head`) must not stop the relays: a child whose
        # output is not drained blocks on its next write.
        with self._lock, contextlib.suppress(OSError, ValueError):
            self._stream.write(f"[{prefix}] {line}\n")
            self._stream.flush()


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    reader: threading.Thread
    expected_exit: bool = field(default=False)


class Supervisor:
    def __init__(self, console: Console, cwd: Path) -> None:
        self._console = console
        self._cwd = cwd
        self._children: list[Child] = []

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Child:
        process = subprocess.Popen(
            list(argv),
            cwd=self._cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        reader = threading.Thread(target=self._relay, args=(name, process), name=f"relay-{name}", daemon=True)
        reader.start()
        child = Child(name, process, reader)
        self._children.append(child)
        return child

    def _relay(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            self._console.say(name, raw.decode("utf-8", "replace").rstrip())

    def child(self, name: str) -> Child:
        return next(c for c in self._children if c.name == name)

    def dead(self) -> list[Child]:
        """Children that ended without being asked to."""
        return [c for c in self._children if c.process.poll() is not None and not c.expected_exit]

    def stop(self, name: str, timeout: float = 8.0) -> None:
        for child in [c for c in self._children if c.name == name]:
            self._stop(child, timeout)

    def stop_all(self, timeout: float = 8.0) -> None:
        for child in reversed(self._children):
            self._stop(child, timeout)

    def _stop(self, child: Child, timeout: float) -> None:
        child.expected_exit = True
        process = child.process
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._console.say("stack", f"{child.name} ignored SIGTERM for {timeout:g} s")
        # Also when the leader is gone: anything it started may still be in its group.
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
        child.reader.join(timeout=2)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def wait_for_port(
    host: str, port: int, timeout: float, alive: Callable[[], bool], stop: threading.Event
) -> bool:
    """True once something accepts connections on the port; False if the child died, the
    stack was asked to stop, or time ran out."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        if not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            stop.wait(0.1)
    return False
