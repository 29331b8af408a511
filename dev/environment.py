"""The environment `make run` gives the product: the README's Configuration defaults, applied only
where the caller has not set a variable, so the caller always wins."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# `chalice local` and the ticker run under their own stage, so the deployed stages' variables
# (FREIGABE_AUTH=cognito, real table names) never leak into the local product.
LOCAL_STAGE = "local"
DEFAULT_REGION = "eu-central-1"
DEFAULT_STATE_DIR = ".freigabe"

PRODUCT_DEFAULTS: dict[str, str] = {
    "FREIGABE_PORT": "8000",
    "FREIGABE_AWS_PORT": "5055",
    "FREIGABE_SLACK_PORT": "8001",
    "FREIGABE_WEBHOOK_PORT": "8002",
    "FREIGABE_CONFIG": "chalicelib/freigabe.toml",
    "FREIGABE_TABLE": "freigabe",
    "FREIGABE_AUTH": "dev",
    "FREIGABE_TICK_SECONDS": "5",
    # AWS needs six times the worker's timeout; on a laptop a minute is enough to wait for
    # a failed publication to come back.
    "FREIGABE_QUEUE_VISIBILITY_SECONDS": "60",
    # The sample workflow's webhook channel signs with this; a real deployment keeps its
    # own in SSM.
    "WEBHOOK_SECRET": "freigabe-local-webhook-secret",
    # External review links are signed with this key; a real deployment keeps its own in SSM
    # (infra/README.md, "Store secrets").
    "FREIGABE_LINK_KEY": "env:FREIGABE_LOCAL_LINK_KEY",
    "FREIGABE_LOCAL_LINK_KEY": "freigabe-local-link-key",
}


def stack_defaults(caller: Mapping[str, str]) -> dict[str, str]:
    """The variables to add to ``caller``; never one the caller already has."""
    wanted = dict(PRODUCT_DEFAULTS)
    aws_port = caller.get("FREIGABE_AWS_PORT", wanted["FREIGABE_AWS_PORT"])
    wanted["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{aws_port}"
    wanted["AWS_DEFAULT_REGION"] = caller.get("AWS_REGION", DEFAULT_REGION)
    # botocore >= 1.37 derives endpoints from the account id, which breaks DynamoDB streams
    # against an emulator (FACTS.md).
    wanted["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    wanted["PYTHONUNBUFFERED"] = "1"
    if not _has_credentials(caller):
        # The emulator accepts anything; fake keys keep boto3 from searching for real ones.
        wanted["AWS_ACCESS_KEY_ID"] = "testing"
        wanted["AWS_SECRET_ACCESS_KEY"] = "testing"
    return {name: value for name, value in wanted.items() if name not in caller}


def _has_credentials(env: Mapping[str, str]) -> bool:
    return "AWS_ACCESS_KEY_ID" in env or "AWS_PROFILE" in env


def owns_emulator(caller: Mapping[str, str]) -> bool:
    """A caller who names an endpoint brings their own AWS (another emulator, a sandbox)."""
    return "AWS_ENDPOINT_URL" not in caller


def state_dir(env: Mapping[str, str]) -> Path:
    """Relative paths count from the repository, where `chalice local` runs, so the state and
    the outbox (`.freigabe/outbox.jsonl`) end up side by side whatever the caller's cwd."""
    path = Path(env.get("FREIGABE_STATE_DIR", DEFAULT_STATE_DIR)).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def repo_path(path: str) -> Path:
    """A path as the product reads it: relative ones from the repository, where it runs."""
    found = Path(path).expanduser()
    return found if found.is_absolute() else REPO_ROOT / found


def queue_visibility_override(env: Mapping[str, str]) -> int | None:
    """FREIGABE_QUEUE_VISIBILITY_SECONDS: a short visibility timeout so tests see retries
    and dead-lettering in seconds rather than minutes."""
    raw = env.get("FREIGABE_QUEUE_VISIBILITY_SECONDS", "").strip()
    if not raw:
        return None
    seconds = int(raw)
    if not 0 <= seconds <= 43200:
        raise ValueError("FREIGABE_QUEUE_VISIBILITY_SECONDS must be between 0 and 43200")
    return seconds
