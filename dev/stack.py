"""The whole product on one machine (`python -m dev.stack`, what `make run` starts).

In order: the AWS emulator, the table and queues with the saved data, `chalice local`, the
Slack dev workspace (when the caller brings no Slack), the ticker. Ctrl-C or SIGTERM saves the
data to the state dir and stops every child; the data is also saved every few seconds so a hard
kill loses little.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Mapping
from types import FrameType

from botocore.exceptions import BotoCoreError, ClientError

from dev import environment
from dev.persistence import Persistence
from dev.processes import Console, Supervisor, wait_for_port

SAVE_EVERY_SECONDS = 10.0
WORKSPACE_MODULE = "dev.slack_workspace"
HOST = "127.0.0.1"


class StartupFailed(Exception):
    pass


class Stack:
    def __init__(self, caller: Mapping[str, str], console: Console) -> None:
        self._caller = dict(caller)
        self._console = console
        self._supervisor = Supervisor(console, environment.REPO_ROOT)
        self._persistence: Persistence | None = None
        self._slack_started = False
        self._began = time.monotonic()

    def say(self, line: str) -> None:
        self._console.say("stack", line)

    def run(self, stopping: threading.Event) -> int:
        try:
            self._start(stopping)
            if stopping.is_set():
                return 0
            self._announce()
            return self._watch(stopping)
        except StartupFailed as err:
            self.say(f"cannot start: {err}")
            return 1
        finally:
            self._shutdown()

    # -- start-up ---------------------------------------------------------------------------

    def _start(self, stopping: threading.Event) -> None:
        from chalicelib.config import WorkflowError, load_config
        from chalicelib.settings import get_settings

        # Before anything starts: an invalid workflow file would otherwise surface as errors
        # in a running product (the README promises it stops start-up, naming the key).
        wanted = {**environment.stack_defaults(self._caller), **self._caller}
        try:
            load_config(environment.repo_path(wanted["FREIGABE_CONFIG"]))
        except WorkflowError as err:
            raise StartupFailed(str(err)) from err
        os.environ.update(environment.stack_defaults(self._caller))
        slack_env = self._slack_defaults()
        os.environ.update(slack_env)
        try:
            settings = get_settings()
            visibility = environment.queue_visibility_override(os.environ)
        except ValueError as err:
            raise StartupFailed(str(err)) from err
        self._settings = settings
        own_emulator = environment.owns_emulator(self._caller)
        _ensure_free(
            {"FREIGABE_PORT": settings.port}
            | ({"FREIGABE_AWS_PORT": settings.aws_port} if own_emulator else {})
            | ({"FREIGABE_SLACK_PORT": settings.slack_port} if slack_env else {})
            | {"FREIGABE_WEBHOOK_PORT": int(os.environ["FREIGABE_WEBHOOK_PORT"])}
        )
        python = sys.executable

        if own_emulator:
            self._spawn("aws", [python, "-m", "dev.aws", "--port", str(settings.aws_port)])
            self._await_port("aws", settings.aws_port, 30, stopping)
        if stopping.is_set():
            return
        # The web page's origins (the stack announces 127.0.0.1; browsers may say localhost).
        origins = tuple(f"http://{host}:{settings.port}" for host in ("localhost", HOST))
        self._persistence = Persistence(environment.state_dir(os.environ), settings.table, self.say,
                                        bucket=settings.media_bucket, origins=origins)
        try:
            self._persistence.prepare(visibility)
        except (BotoCoreError, ClientError) as err:
            raise StartupFailed(f"setting up the table and queues: {err}") from err
        # The ticker relays every change from here on, however late it starts reading.
        os.environ["FREIGABE_STREAM_SINCE"] = f"{time.time():.6f}"
        if stopping.is_set():
            return

        # The API last: once /health answers, everything it talks to is already there.
        if slack_env and not stopping.is_set():
            events_url = f"http://{HOST}:{settings.port}/slack/events"
            self._spawn(
                "slack",
                [python, "-m", WORKSPACE_MODULE, "--port", str(settings.slack_port),
                 "--events-url", events_url],
            )  # fmt: skip
            self._await_port("slack", settings.slack_port, 30, stopping)
            self._slack_started = True
        if stopping.is_set():
            return
        hooks_port = int(os.environ["FREIGABE_WEBHOOK_PORT"])
        self._spawn("hooks", [python, "-m", "dev.webhook_sink", "--port", str(hooks_port)])
        self._await_port("hooks", hooks_port, 30, stopping)
        # Stand-in authorization servers, so Connect can be clicked through for every network.
        oauth_port = int(os.environ.setdefault("FREIGABE_OAUTH_PORT", "8003"))
        _ensure_free({"FREIGABE_OAUTH_PORT": oauth_port})
        self._spawn("oauth", [python, "-m", "dev.oauth_standins", "--port", str(oauth_port)])
        self._await_port("oauth", oauth_port, 30, stopping)
        self._spawn("ticker", [python, "-m", "dev.ticker"])
        self._spawn(
            "api",
            [
                python, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
                "local", "--no-autoreload", "--host", HOST, "--port", str(settings.port),
                "--stage", environment.LOCAL_STAGE,
            ],
        )  # fmt: skip
        self._await_port("api", settings.port, 60, stopping)

    def _slack_defaults(self) -> dict[str, str]:
        """The dev workspace's credentials and API, unless the caller brings a Slack."""
        if "SLACK_BOT_TOKEN" in self._caller:
            return {}
        if importlib.util.find_spec(WORKSPACE_MODULE) is None:
            self.say("no SLACK_BOT_TOKEN and no Slack dev workspace: Slack is off")
            return {}
        try:
            workspace = importlib.import_module(WORKSPACE_MODULE)
            wanted = {
                "SLACK_BOT_TOKEN": str(workspace.DEV_BOT_TOKEN),
                "SLACK_SIGNING_SECRET": str(workspace.DEV_SIGNING_SECRET),
                "SLACK_API_URL": f"http://{HOST}:{os.environ['FREIGABE_SLACK_PORT']}/api/",
            }
        except Exception as err:  # noqa: BLE001 - a broken workspace must not stop the product
            self.say(f"Slack dev workspace unusable ({type(err).__name__}: {err}): Slack is off")
            return {}
        return {name: value for name, value in wanted.items() if name not in self._caller}

    def _spawn(self, name: str, argv: list[str]) -> None:
        self._supervisor.start(name, argv, os.environ)

    def _await_port(self, name: str, port: int, timeout: float, stop: threading.Event) -> None:
        child = self._supervisor.child(name)
        if wait_for_port(HOST, port, timeout, lambda: child.process.poll() is None, stop):
            return
        if stop.is_set():
            return
        if child.process.poll() is not None:
            raise StartupFailed(f"{name} exited with {child.process.returncode}; see [{name}]")
        raise StartupFailed(f"{name} did not open port {port} within {timeout:g} s")

    def _announce(self) -> None:
        settings = self._settings
        api = f"http://{HOST}:{settings.port}"
        if self._slack_started:
            slack = f"http://{HOST}:{settings.slack_port}/"
        elif "SLACK_BOT_TOKEN" in self._caller:
            slack = f"not started (SLACK_BOT_TOKEN set; Slack API {settings.slack_api_url})"
        else:
            slack = "not started"
        assert self._persistence is not None
        rows = [
            ("Web form", f"{api}/"),
            ("API", f"{api}/api/  (health: {api}/health)"),
            ("Slack request URL", f"{api}/slack/events"),
            ("Slack dev workspace", slack),
            ("Webhook receiver", f"http://{HOST}:{os.environ['FREIGABE_WEBHOOK_PORT']}/"),
            ("Network stand-ins", f"http://{HOST}:{os.environ['FREIGABE_OAUTH_PORT']}/"
                                  "{mastodon,x,linkedin,facebook}  (README: Connect a channel)"),
            ("AWS emulator", os.environ["AWS_ENDPOINT_URL"]),
            ("Image bucket", settings.media_bucket),
            ("Saved data", str(self._persistence.path)),
        ]
        width = max(len(label) for label, _ in rows) + 1
        took = time.monotonic() - self._began
        self.say(f"Freigabe is running (started in {took:.1f} s). Ctrl-C stops it, saving the data.")
        for label, value in rows:
            self.say(f"  {label + ':':<{width}} {value}")

    # -- running ----------------------------------------------------------------------------

    def _watch(self, stopping: threading.Event) -> int:
        next_save = time.monotonic() + SAVE_EVERY_SECONDS
        while not stopping.wait(0.5):
            dead = self._supervisor.dead()
            if dead:
                for child in dead:
                    self.say(f"{child.name} exited with {child.process.returncode}; stopping")
                return 1
            if time.monotonic() >= next_save and self._persistence:
                self._persistence.save(with_queues=False)
                next_save = time.monotonic() + SAVE_EVERY_SECONDS
        return 0

    def _shutdown(self) -> None:
        # Writers first, so the final save sees everything; the emulator last, since the save
        # reads from it.
        for name in ("ticker", "hooks", "oauth", "slack", "api"):
            self._supervisor.stop(name)
        if self._persistence is not None:
            self._persistence.save(with_queues=True)
        self._supervisor.stop_all()
        self.say("stopped")


def _ensure_free(ports: Mapping[str, int]) -> None:
    """Waiting for a port that another program already holds would pass at once and send
    every request to that program."""
    for variable, port in ports.items():
        with socket.socket() as probe:
            # As the servers themselves bind: connections of a previous run lingering in
            # TIME_WAIT do not hold the port, a listening program does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError as err:
                raise StartupFailed(
                    f"port {port} is in use (another stack?); set {variable} to another port"
                ) from err


def main() -> int:
    console = Console()
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():
            console.say("stack", "already stopping; saving data before the emulator stops")
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return Stack(os.environ, console).run(stopping)


if __name__ == "__main__":
    sys.exit(main())
