"""Package Freigabe for CloudFormation: `python -m infra.package --stage dev`.

Builds the merge template (infra/template.json plus the table and queues from schema.py),
runs `chalice package --merge-template`, finishes the output (infra/finish.py) and writes
build/<stage>/sam.json next to Chalice's deployment.zip. `--template-only` packages a copy of
the app without its dependencies: offline and fast, for the checks in `make test`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra import bytecode, finish, resources, workflow_rules
from infra.resources import PackagingError, StageNames

if TYPE_CHECKING:
    from chalicelib.config import Config

ROOT = Path(__file__).resolve().parent.parent
STATIC_TEMPLATE = ROOT / "infra" / "template.json"
TEMPLATE_NAME = "sam.json"
MERGE_NAME = "merge-template.json"
# What Chalice puts into the deployment package besides the dependencies.
APP_FILES = ("app.py", "chalicelib", "vendor")


def intrinsic_values(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Where the merge template sets a value with an intrinsic function (Fn::GetAtt, Ref...)."""
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref")):
            yield path, node
            return
        for key, value in node.items():
            yield from intrinsic_values(value, (*path, key))


def replace_intrinsics(template: dict[str, Any], merge: dict[str, Any]) -> None:
    """Chalice's merge joins dictionaries key by key, so our {"Fn::GetAtt": ...} over its
    {"Fn::Sub": ...} becomes an object with both; an intrinsic must replace, not merge."""
    for path, value in intrinsic_values(merge):
        node = template
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = copy.deepcopy(value)


def load_config(project_dir: Path = ROOT) -> dict[str, Any]:
    return json.loads((project_dir / ".chalice" / "config.json").read_text(encoding="utf-8"))


def merge_template(names: StageNames) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(STATIC_TEMPLATE.read_text(encoding="utf-8"))
    generated = {resources.TABLE_ID: resources.table_resource(names), **resources.queue_resources(names),
                 **resources.media_bucket_resources()}
    clash = sorted(set(generated) & set(template["Resources"]))
    if clash:
        raise PackagingError(f"infra/template.json defines {clash}; they are generated from schema.py "
                             "and chalicelib/adapters/media_bucket.py")
    template["Resources"].update(generated)
    return template


@contextmanager
def app_only_copy(project_dir: Path) -> Iterator[Path]:
    """The app without its requirements: the template does not depend on them, and packaging
    them needs the network and about 20 s."""
    with tempfile.TemporaryDirectory(prefix="freigabe-package-") as tmp:
        copy_dir = Path(tmp)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".freigabe")
        for name in APP_FILES:
            source = project_dir / name
            if source.is_dir():
                shutil.copytree(source, copy_dir / name, ignore=ignore)
            elif source.is_file():
                shutil.copy2(source, copy_dir / name)
        (copy_dir / ".chalice").mkdir()
        for source in (project_dir / ".chalice").glob("*.json"):
            shutil.copy2(source, copy_dir / ".chalice" / source.name)
        (copy_dir / "requirements.txt").write_text("", encoding="utf-8")
        yield copy_dir


def run_chalice(project_dir: Path, stage: str, merge_path: Path, out_dir: Path) -> None:
    env = dict(os.environ)
    # Chalice insists on a region although the template only uses ${AWS::Region}.
    env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "eu-central-1"))
    command = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
               "--project-dir", str(project_dir), "package", "--pkg-format", "cloudformation",
               "--stage", stage, "--merge-template", str(merge_path), str(out_dir)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(f"chalice package failed:\n{result.stdout}{result.stderr}")


def validate_workflow(project_dir: Path, env: dict[str, str], stage: str) -> Config:
    """The stage's workflow file as the functions will load it, `${NAME}` in URLs expanded with
    the stage's environment (not this shell's): a file that does not validate would make every
    invocation fail, so it is never packaged."""
    from chalicelib.config import WorkflowError, load_config

    try:
        return load_config(project_dir / env.get("FREIGABE_CONFIG", "chalicelib/freigabe.toml"), env=env)
    except WorkflowError as err:
        raise PackagingError(f"workflow file of stage {stage} (FREIGABE_CONFIG): {err}") from err


def check_workflow(project_dir: Path, env: dict[str, str], stage: str) -> list[str]:
    """Refuses a stage whose workflow file cannot work in Lambda (infra/workflow_rules.py), with
    one line per key; returns the placeholders still to fill in, which package but fail later."""
    problem = workflow_rules.config_path_problem(env, stage)
    if problem:
        raise PackagingError(problem)
    config = validate_workflow(project_dir, env, stage)
    raw = tomllib.loads((project_dir / env["FREIGABE_CONFIG"]).read_text(encoding="utf-8"))
    problems = workflow_rules.problems(config, raw, stage)
    if problems:
        raise PackagingError(f"workflow file of stage {stage} ({env['FREIGABE_CONFIG']}) cannot work in "
                             "Lambda:\n  " + "\n  ".join(problems))
    return workflow_rules.placeholders(config)


def build(stage: str, out_dir: Path, *, project_dir: Path = ROOT, template_only: bool = False) -> Path:
    """Package the stage into out_dir; returns the finished template's path."""
    config = load_config(project_dir)
    names = resources.stage_names(config, stage)
    out_dir.mkdir(parents=True, exist_ok=True)
    merge_path = out_dir / MERGE_NAME
    merge = merge_template(names)
    merge_path.write_text(json.dumps(merge, indent=2), encoding="utf-8")
    if template_only:
        with app_only_copy(project_dir) as copy_dir:
            run_chalice(copy_dir, stage, merge_path, out_dir)
    else:
        run_chalice(project_dir, stage, merge_path, out_dir)
    template_path = out_dir / TEMPLATE_NAME
    template = json.loads(template_path.read_text(encoding="utf-8"))
    replace_intrinsics(template, merge)
    env = resources.stage_environment(config, stage)
    validate_workflow(project_dir, env, stage)
    check_workflow(project_dir, env, stage)  # raises for what cannot work in Lambda
    finished = finish.finish(template, names, env)
    if not template_only:
        # Bytecode valid on read-only /var/task, for the runtime's Python (infra/bytecode.py).
        bytecode.add_bytecode(out_dir / "deployment.zip", finished)
    template_path.write_text(json.dumps(finished, indent=2) + "\n", encoding="utf-8")
    return template_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, help="output folder (default: build/<stage>)")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--template-only", action="store_true",
                        help="skip the dependencies: a template to check, not a package to deploy")
    args = parser.parse_args(argv)
    out_dir = args.out or ROOT / "build" / args.stage
    try:
        path = build(args.stage, out_dir, project_dir=args.project_dir, template_only=args.template_only)
    except PackagingError as err:
        print(f"package: {err}", file=sys.stderr)
        return 1
    env = resources.stage_environment(load_config(args.project_dir), args.stage)
    for warning in check_workflow(args.project_dir, env, args.stage):
        print(f"package: warning: {warning}", file=sys.stderr)
    print(f"Packaged stage {args.stage}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
