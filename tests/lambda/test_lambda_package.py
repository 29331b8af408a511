"""The prod deployment package as infra/package.py builds it: bytecode for the runtime's
Python and nothing stale, loaded from the read-only tree without compiling or writing."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile

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
