"""The prod deployment package as infra/package.py builds it: bytecode for the runtime's
Python and nothing stale, loaded from the read-only tree without compiling or writing."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from dev.lambda_events import scheduled_event

from .conftest import Package, Stage, tree_files
from .events import api_event


def test_the_package_carries_unchecked_hash_bytecode_for_every_module_and_no_stale_one(
        package: Package) -> None:
    runtimes = {r["Properties"]["Runtime"] for r in package.template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"}
    assert runtimes == {f"python{sys.version_info.major}.{sys.version_info.minor}"}
    with zipfile.ZipFile(package.zip_path) as archive:
        names = set(archive.namelist())
        sources = {n for n in names if n.endswith(".py")}
        pycs = {n for n in names if n.endswith(".pyc")}
        expected = {importlib.util.cache_from_source(n) for n in sources}
        assert pycs <= expected, sorted(pycs - expected)[:10]  # nothing stale or of another version
        ours = {n for n in sources if n == "app.py" or n.startswith("chalicelib/")}
        assert ours and {importlib.util.cache_from_source(n) for n in ours} <= pycs
        assert len(pycs) > 0.95 * len(sources)  # the dependencies too (a few .py are not Python)
        for name in sorted(ours):
            header = archive.read(importlib.util.cache_from_source(name))[:8]
            assert header[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(header[4:8], "little") == 0b01, name  # unchecked hash
    assert not any("__pycache__" in n and not n.endswith(".pyc") for n in names)


def test_running_the_functions_writes_nothing_into_the_task_root(stage: Stage) -> None:
    """Stage.invoke already fails when a module was compiled from source; here: after a cold
    start and a request nothing new is in the tree (no __pycache__ written, no outbox file)."""
    run = stage.invoke("APIHandler", [api_event("GET", "/health")])
    assert run.answers[0]["statusCode"] == 200
    assert run.raw["module_file"] == str(stage.package.task_root / "app.py")
    assert run.raw["sys_path"][0] == str(stage.package.task_root)
    assert not [p for p in run.raw["sys_path"][1:] if "-packages" in p or "tests" in p]
    with zipfile.ZipFile(stage.package.zip_path) as archive:
        shipped = {n for n in archive.namelist() if not n.endswith("/")}
    assert tree_files(stage.package.task_root) == shipped
    assert json.loads(run.answers[0]["body"])


def test_the_package_carries_botocore_models_only_of_the_services_the_template_grants(
        package: Package) -> None:
    """botocore lists every model folder before its first client (a cold start's CPU); the
    functions' calls are all checked against their roles (test_lambda_iam.py), so a model the
    template grants nothing of is never needed."""
    from infra.bytecode import granted_services

    with zipfile.ZipFile(package.zip_path) as archive:
        models = {n.split("/")[2] for n in archive.namelist()
                  if n.startswith("botocore/data/") and n.count("/") > 2}
        assert {"botocore/data/endpoints.json", "botocore/data/partitions.json"} <= set(archive.namelist())
    granted = granted_services(package.template)
    assert granted is not None
    # What the functions build clients for (chalicelib, Bolt's lazy listener runner).
    assert {"dynamodb", "sqs", "ssm", "secretsmanager", "kms", "logs", "s3", "lambda"} <= models
    assert models <= granted
    assert len(models) < 15  # of the 400-odd botocore carries


def test_no_garbage_collection_until_the_first_answer_then_the_cold_start_is_frozen(
        stage: Stage) -> None:
    """chalicelib/coldstart.py: the collector would walk the cold start's objects again and
    again while they are being built; after the first answer they are frozen, and later
    collections only look at what requests make."""
    run = stage.invoke("APIHandler", [api_event("GET", "/health"), api_event("GET", "/health")])

    assert [answer["statusCode"] for answer in run.answers] == [200, 200]
    after_import, after_first, after_second = run.raw["gc"]
    assert not after_import["enabled"] and after_import["frozen"] == 0
    assert after_first["enabled"] and after_first["frozen"] > 50_000  # modules, classes, schemas, clients
    # The answer waits for whatever runs before the handler returns: no collection for it.
    assert after_first["full_collections"] == after_import["full_collections"]
    # Only the first answer freezes: the second request's objects are not added (the count moves
    # by a few dozen as frozen containers are untracked and tracked again).
    assert after_second["enabled"] and abs(after_second["frozen"] - after_first["frozen"]) < 1_000


def test_a_function_nobody_waits_on_collects_once_before_it_freezes(stage: Stage) -> None:
    """The tick's first run may leave a thousand posts' cyclic garbage: freed, not frozen."""
    rule = f"arn:aws:events:eu-central-1:123456789012:rule/{stage.functions['PublishDue'].name}"
    event = scheduled_event(rule, "eu-central-1", "123456789012")

    run = stage.invoke("PublishDue", [event, event])

    assert all("claimed" in answer for answer in run.answers), run.answers
    after_import, after_first, after_second = run.raw["gc"]
    assert not after_import["enabled"] and after_import["frozen"] == 0
    assert after_first["full_collections"] == after_import["full_collections"] + 1
    assert after_first["enabled"] and after_first["frozen"] > 50_000
    assert abs(after_second["frozen"] - after_first["frozen"]) < 1_000


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that chains to nothing botocore trusts."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


PROBE = """
import json, sys
sys.path[:] = [sys.argv[1]] + [p for p in sys.path if p.startswith(sys.base_prefix) and "-packages" not in p]
import botocore.session
client = botocore.session.get_session().create_client(
    "dynamodb", region_name="eu-central-1", endpoint_url=sys.argv[2],
    aws_access_key_id="a", aws_secret_access_key="b")
try:
    client.list_tables()
    print("answered")
except Exception as err:
    print(type(err).__name__, "CERTIFICATE_VERIFY_FAILED" in str(err))
"""


def test_the_packaged_botocore_verifies_aws_against_the_bundle_the_template_names(
        package: Package, tmp_path: Path) -> None:
    """AWS_CA_BUNDLE is botocore's: a server whose certificate is not under Amazon's roots is
    refused, and the same server is reached once the bundle holds its certificate."""
    import http.server
    import ssl
    import threading

    bundle = package.template["Globals"]["Function"]["Environment"]["Variables"]["AWS_CA_BUNDLE"]
    roots = package.task_root / bundle.removeprefix("/var/task/")
    assert roots.is_file()
    cert, key = self_signed(tmp_path)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trusting = tmp_path / "trusting.pem"
    trusting.write_text(roots.read_text(encoding="ascii") + cert.read_text(encoding="ascii"),
                        encoding="ascii")

    def probe(ca_bundle: Path) -> str:
        env = {"PATH": "/usr/bin:/bin", "AWS_CA_BUNDLE": str(ca_bundle)}
        done = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, str(package.task_root),
                               f"https://127.0.0.1:{server.server_port}"],
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        return done.stdout.strip() or done.stderr[-2000:]

    try:
        assert probe(roots) == "SSLError True"
        # Trusted, the request reaches the server, which answers 501 to the POST.
        assert probe(trusting) == "ClientError False"
    finally:
        server.shutdown()
