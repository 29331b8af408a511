"""Bytecode for the deployment package, so Lambda's cold starts do not compile every module.

/var/task is read-only and zip entries carry a 1980 timestamp, so Python can neither write a
``__pycache__`` there nor trust a ``.pyc`` whose header names a source mtime. What Chalice puts
into deployment.zip (the app, the dependencies, and whatever ``__pycache__`` the working tree
happened to hold) is therefore rewritten: every ``.pyc`` and ``__pycache__`` entry is dropped,
and each ``.py`` gets a ``.pyc`` in unchecked-hash mode (PEP 552, what
``python -m compileall --invalidation-mode unchecked-hash`` writes), which the import system
loads without looking at the source's mtime. Bytecode is specific to the Python version, so
the interpreter that compiles must be the one the functions' ``Runtime`` names.

The same pass leaves out botocore's models of the AWS services no function may call: the
package keeps ``botocore/data/<service>`` only for the services whose actions the template's
policies name (``granted_services``). botocore lists every model folder (424 services, 850
directory reads) before it builds its first client, 47 ms of CPU at a full vCPU and about
0.16 s at 512 MB's share, on every cold start; the models were also 26 MB of the 102 MB
unpacked package. A call to a service the template does not grant would be refused by IAM
anyway; without its model it fails as ``UnknownServiceError`` in the Lambda-shaped tests.

It also adds ``aws_roots.pem``: the roots of Amazon Trust Services, which issues the
certificates of AWS's endpoints, taken from botocore's own bundle by label. botocore loads
its CA bundle into the connection's SSL context again for every new HTTPS connection
(urllib3's load_verify_locations with the ca_certs botocore sets; botocore issue 3171): its
127 roots cost 36-46 ms of CPU each time at a full vCPU, and a cold click opens two such
connections (SSM for the Slack secrets, DynamoDB). The five roots cost under a millisecond.
infra/finish.py points ``AWS_CA_BUNDLE`` (botocore's setting, nobody else's) of every function
at it unless the stage's environment sets its own.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from infra.resources import PackagingError

FUNCTION = "AWS::Serverless::Function"
# Where Lambda unpacks the package: tracebacks name the files as they are there.
TASK_ROOT = "/var/task"


def runtime_of(template: dict[str, Any]) -> str:
    """The one Python runtime all functions of the template run on (``python3.13``: the packaging Python)."""
    runtimes = set()
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == FUNCTION:
            runtime = resource.get("Properties", {}).get("Runtime") or (
                template.get("Globals", {}).get("Function", {}).get("Runtime"))
            runtimes.add(str(runtime))
    if len(runtimes) != 1:
        raise PackagingError(f"the functions must share one Python runtime, found {sorted(runtimes)}")
    return runtimes.pop()


def interpreter_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def check_interpreter(runtime: str) -> None:
    if runtime != interpreter_runtime():
        raise PackagingError(
            f"the functions run on {runtime}, but bytecode would be compiled by {interpreter_runtime()} "
            f"({sys.executable}), which Lambda's Python cannot load: package from a venv made with "
            f"{runtime}")


BOTOCORE_DATA = "botocore/data/"
# IAM's prefix -> botocore's model folders, where they differ (DynamoDB's stream actions are
# dynamodb:GetRecords and friends; their API is the model "dynamodbstreams").
MODELS_OF_PREFIX = {"dynamodb": ("dynamodb", "dynamodbstreams")}


def _actions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Action", "NotAction"):
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions(item)


def granted_services(template: dict[str, Any]) -> frozenset[str] | None:
    """The botocore models the template's policies (roles, key and queue policies, trust
    policies) name an action of; None (keep every model) when one grants everything or any
    action is not a literal string."""
    models: set[str] = set()
    for action in _actions(template.get("Resources", {})):
        if not isinstance(action, str) or ":" not in action:
            return None
        prefix = action.split(":", 1)[0].lower()
        if prefix == "*":
            return None
        models.update(MODELS_OF_PREFIX.get(prefix, (prefix,)))
    return frozenset(models)


def model_kept(name: str, services: frozenset[str] | None) -> bool:
    """Whether a package entry stays: everything but botocore's model folders of other services
    (its top-level data files, endpoints and partitions, always stay)."""
    if services is None or not name.startswith(BOTOCORE_DATA):
        return True
    rest = name[len(BOTOCORE_DATA):]
    return "/" not in rest or rest.split("/", 1)[0] in services


AWS_ROOTS = "aws_roots.pem"
CA_BUNDLE = "botocore/cacert.pem"
# Amazon Trust Services' roots, and the Starfield root that cross-signs them (AWS's endpoints
# moved to these from 2018 on; S3, the last, in June 2022).
AWS_ROOT_LABELS = ("Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4",
                   "Starfield Services Root Certificate Authority - G2")


def aws_roots(bundle: str) -> str:
    """The certificates of ``AWS_ROOT_LABELS`` from a certifi-style bundle (``# Label: "..."``
    above each PEM block), in that order; PackagingError naming any that is missing."""
    blocks: dict[str, str] = {}
    label = None
    lines: list[str] = []
    for line in bundle.splitlines():
        if line.startswith("# Label: "):
            label, lines = line.removeprefix("# Label: ").strip().strip('"'), []
        elif label is not None:
            lines.append(line)
            if line.strip() == "-----END CERTIFICATE-----":
                pem = "\n".join(item for item in lines if item.strip())
                blocks[label] = pem[pem.index("-----BEGIN CERTIFICATE-----"):]
                label = None
    missing = [name for name in AWS_ROOT_LABELS if name not in blocks]
    if missing:
        raise PackagingError(f"{CA_BUNDLE} lacks {missing}: AWS's endpoints could not be verified "
                             f"with {AWS_ROOTS}")
    return "".join(f"# {name}\n{blocks[name]}\n" for name in AWS_ROOT_LABELS)


def is_bytecode(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return "__pycache__" in parts or name.endswith((".pyc", ".pyo"))


def compile_source(name: str, source: bytes) -> bytes | None:
    """The unchecked-hash .pyc of one module, or None for a file Python cannot compile (some
    packages ship templates or Python 2 examples named .py; compileall skips them too)."""
    try:
        code = compile(source, f"{TASK_ROOT}/{name}", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    from importlib import _bootstrap_external  # the writer compileall and py_compile use

    return bytes(_bootstrap_external._code_to_hash_pyc(  # type: ignore[attr-defined]
        code, importlib.util.source_hash(source), checked=False))


def cache_name(name: str) -> str:
    """``pkg/mod.py`` -> ``pkg/__pycache__/mod.cpython-311.pyc``."""
    return importlib.util.cache_from_source(name).replace(os.sep, "/")


def add_bytecode(zip_path: Path, template: dict[str, Any]) -> dict[str, int]:
    """Rewrite deployment.zip with fresh bytecode for the template's runtime, only the botocore
    models the template grants and ``aws_roots.pem``; returns counts (``models``: entries left
    out, ``roots``: certificates in aws_roots.pem)."""
    check_interpreter(runtime_of(template))
    services = granted_services(template)
    counts = {"dropped": 0, "compiled": 0, "skipped": 0, "models": 0, "roots": 0}
    with tempfile.NamedTemporaryFile(dir=zip_path.parent, prefix=".bytecode-", suffix=".zip",
                                     delete=False) as handle:
        new_path = Path(handle.name)
    try:
        with zipfile.ZipFile(zip_path) as old, \
                zipfile.ZipFile(new_path, "w", compression=zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                if is_bytecode(info.filename):
                    counts["dropped"] += 1
                    continue
                if not model_kept(info.filename, services):
                    counts["models"] += 1
                    continue
                data = old.read(info)
                new.writestr(info, data)
                if info.filename == CA_BUNDLE:
                    roots = zipfile.ZipInfo(AWS_ROOTS, date_time=info.date_time)
                    roots.external_attr = 0o644 << 16
                    roots.compress_type = zipfile.ZIP_DEFLATED
                    new.writestr(roots, aws_roots(data.decode("ascii")))
                    counts["roots"] = len(AWS_ROOT_LABELS)
                if not info.filename.endswith(".py"):
                    continue
                pyc = compile_source(info.filename, data)
                if pyc is None:
                    counts["skipped"] += 1
                    continue
                entry = zipfile.ZipInfo(cache_name(info.filename), date_time=info.date_time)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                new.writestr(entry, pyc)
                counts["compiled"] += 1
        os.chmod(new_path, zip_path.stat().st_mode & 0o777)
        shutil.move(new_path, zip_path)
    finally:
        new_path.unlink(missing_ok=True)
    return counts
