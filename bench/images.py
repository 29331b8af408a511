"""What one image adds (issue 13): the requests it costs on every leg, counted while the real code
runs, and the cold-start CPU its check costs.

- Upload: the calls `POST /api/media` and `complete` make (DynamoDB, S3), plus the browser's one
  POST straight to the bucket; attaching it to a post: the calls a post with one image makes
  beyond the same post without.
- Review: the Slack Web API calls that show one image to reviewers (uploaded once per post,
  whatever the number of steps), against the dev workspace, and the S3 read behind them.
- Publishing: the requests each network's stand-in receives for a post with one image beyond the
  same post without (Mastodon with one 202 and one poll, as a large image gets; Bluesky), and
  the S3 read.
- Cold start: the CPU a fresh interpreter spends importing Pillow and checking the JPEG, the
  only code an image adds to a cold start (only `complete` imports it), and what that is at the
  share of a vCPU the API function's memory gets. The image: a photo-like JPEG of 1-1.5 MB (under
  Bluesky's 2,000,000-byte limit, so every network takes it).

Needs the environment of bench/__main__ (a moto server). The stand-ins are the tests' own
(tests/standins), which follow each network's documentation.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.cpu_limit import cpu_limit, cpu_share

ROOT = Path(__file__).resolve().parent.parent
MEMORY_MB = 512


@contextmanager
def recorded() -> Iterator[Counter[str]]:
    """Every botocore call made meanwhile, as "service:Operation" -> count."""
    import botocore.client

    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls[f"{self.meta.service_model.service_name}:{operation}"] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def sample_jpeg(target_bytes: int = 1_000_000) -> bytes:
    """A photo-like JPEG of about ``target_bytes`` (noise compresses badly, like photos)."""
    from PIL import Image

    side = 1200
    while True:
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        if buffer.tell() >= target_bytes * 0.9 or side > 4000:
            return buffer.getvalue()
        side = int(side * 1.2)


def run_legs() -> dict[str, Any]:
    import boto3
    import requests

    from chalicelib import bootstrap
    from chalicelib.adapters.channels.base import HttpOptions
    from chalicelib.adapters.channels.registry import build_publisher
    from chalicelib.adapters.slack.client import build_web_client
    from chalicelib.adapters.slack.files import SlackImages
    from chalicelib.domain.publication import Copy, Publication
    from chalicelib.services import media, writing
    from chalicelib.services.ports import Identity
    from dev.resources import ensure_media_bucket
    from dev.slack_workspace import DEV_BOT_TOKEN, start_in_thread
    from tests.standins.bluesky import BlueskyStandin
    from tests.standins.mastodon import MastodonStandin
    from tests.standins.rig import SECRET_REF, channel_config

    bucket = f"freigabe-bench-media-{uuid.uuid4().hex[:8]}"
    os.environ["FREIGABE_MEDIA_BUCKET"] = bucket
    os.environ["FREIGABE_CONFIG"] = str(ROOT / "tests" / "fixtures" / "workflow.toml")
    bootstrap.reset()
    ensure_media_bucket(boto3.client("s3"), bucket, ["http://localhost:8000"])
    container = bootstrap.container()
    ctx = container.context()
    who = Identity("writer@freigabe.example", "Wanda Writer")
    data = sample_jpeg()
    figures: dict[str, Any] = {"image_bytes": len(data)}

    with recorded() as calls:
        upload, form = media.create_upload(ctx, who, "foto.jpg", "image/jpeg", len(data))
    figures["create_upload"] = dict(calls)
    fields: dict[str, str] = form["fields"]  # type: ignore[assignment]
    answer = requests.post(str(form["url"]), data=fields, timeout=30,
                           files={"file": ("foto.jpg", data, "image/jpeg")})
    assert answer.status_code in (200, 201, 204), answer.text
    with recorded() as calls:
        ready = media.complete(ctx, who, upload.id)
    figures["complete"] = dict(calls)

    with recorded() as without:
        writing.create(ctx, who, writing.Draft(text="Hallo Welt", channels=["outbox"]))
    with recorded() as with_image:
        post = writing.create(ctx, who, writing.Draft(
            text="Hallo Welt", channels=["outbox"], media=[writing.MediaRef(ready.id, "Ein Foto")]))
    figures["attach"] = dict(with_image - without)

    workspace = start_in_thread("http://127.0.0.1:9/slack/events")
    try:
        client = build_web_client(DEV_BOT_TOKEN, workspace.api_url)
        shown_before = len(workspace_calls(workspace))
        with recorded() as calls:
            SlackImages(client, lambda: container.media, container.repository).show(
                post.id, post.content.media, {})
        slack = Counter(c["method"] for c in workspace_calls(workspace)[shown_before:])
        figures["slack"] = {**dict(slack), **{f"aws {k}": v for k, v in calls.items()},
                            "upload to Slack's URL": 1}
    finally:
        workspace.stop()

    publishing: dict[str, Any] = {}
    for standin in (MastodonStandin(), BlueskyStandin()):
        if isinstance(standin, MastodonStandin):
            standin.processing_polls = 1
        try:
            secret = standin.secret

            def resolve(reference: str, secret: str = secret) -> str:
                return secret if reference == SECRET_REF else ""

            publisher = build_publisher(
                "main", channel_config(standin.network, standin.base_url), resolve,
                http_options=HttpOptions(sleep=lambda _seconds: None), media=lambda: container.media)
            counts = []
            # The first publish opens the session (Bluesky): warm it, then compare like with like.
            for images in ((), (), post.content.media):
                before = len(standin.requests)
                publication = Publication(post.id + standin.network + str(len(images)), "main",
                                          uuid.uuid4().hex)
                with recorded() as calls:
                    outcome = publisher.publish(publication, Copy(
                        text="Hallo Welt", title="", author="writer@freigabe.example",
                        publish_at=None, images=images))
                assert outcome.status == "published", outcome
                counts.append((len(standin.requests) - before, dict(calls)))
            publishing[standin.network] = {"requests_without": counts[1][0],
                                           "requests_with_one_image": counts[2][0],
                                           "aws": counts[2][1]}
        finally:
            standin.stop()
    figures["publishing"] = publishing
    bootstrap.reset()
    return figures


def workspace_calls(workspace: Any) -> list[dict[str, Any]]:
    import requests

    state = requests.get(workspace.url + "/_dev/state", timeout=10).json()
    return list(state.get("calls") or [])


CHECK = """
import io, sys, time, resource
data = sys.stdin.buffer.read()
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
started = cpu()
from PIL import Image
imported = cpu()
with Image.open(io.BytesIO(data)) as image:
    size = image.size
    image.verify()
checked = cpu()
print(imported - started, checked - imported)
"""


def cold_cost(data: bytes) -> dict[str, Any]:
    """CPU seconds of importing Pillow and checking ``data`` in a fresh interpreter, at full CPU
    and inside the CPU quota of MEMORY_MB (wall seconds)."""
    figures: dict[str, Any] = {}
    for label, memory in (("full", None), (f"{MEMORY_MB} MB", MEMORY_MB)):
        limit = cpu_limit(memory) if memory else None
        command = [sys.executable, "-I", "-c", CHECK]
        try:
            started = time.perf_counter()
            done = subprocess.run(limit.wrap(command) if limit else command, input=data,
                                  capture_output=True, check=True, timeout=120)
            wall = time.perf_counter() - started
        finally:
            if limit:
                limit.remove()
        import_cpu, check_cpu = (float(x) for x in done.stdout.split())
        figures[label] = {"import_cpu_s": import_cpu, "check_cpu_s": check_cpu, "process_wall_s": wall,
                          "cgroup": (limit.version if limit and limit.folder else "none") if memory else "-"}
    return figures


def report(figures: dict[str, Any]) -> str:
    def calls(mapping: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(mapping.items())) or "none"

    lines = [f"Images: what one image adds (a {figures['image_bytes'] / 1e6:.1f} MB JPEG)",
             f"  upload: POST /api/media -> {calls(figures['create_upload'])}; the browser's POST "
             f"to the bucket 1; complete -> {calls(figures['complete'])}",
             f"  attached to a post (beyond a text-only post): {calls(figures['attach'])}",
             f"  shown to reviewers (once per post, every step reuses the file): "
             f"{calls(figures['slack'])}"]
    for network, leg in figures["publishing"].items():
        lines.append(f"  published on {network}: +{leg['requests_with_one_image'] - leg['requests_without']} "
                     f"requests to the network ({leg['requests_without']} without, "
                     f"{leg['requests_with_one_image']} with), {calls(leg['aws'])}")
    for label, cold in figures["cold"].items():
        share = f" (cgroup {cold['cgroup']}, {cpu_share(MEMORY_MB):.2f} vCPU)" if label != "full" else ""
        lines.append(f"  cold start, {label}{share}: importing Pillow {cold['import_cpu_s']:.3f} s CPU, "
                     f"checking the image {cold['check_cpu_s']:.3f} s CPU; the process took "
                     f"{cold['process_wall_s']:.2f} s")
    lines.append("  only `complete` imports Pillow; a review click, the tick and the worker never do")
    return "\n".join(lines)


def measure(run_legs: Callable[[], dict[str, Any]] = run_legs) -> dict[str, Any]:
    figures = run_legs()
    figures["cold"] = cold_cost(sample_jpeg())
    return figures


def run() -> dict[str, Any]:
    """Needs the environment of bench/__main__ (moto, credentials, region)."""
    return measure()
