"""The workflow in the table as code: `python -m dev.workflow_cli export|import|versions`.

Works on the table the environment names (FREIGABE_TABLE, boto3's own endpoint and credential
variables, FREIGABE_CONFIG for the packaged file), like `make verify`.

- ``export [--version N]`` prints a version's TOML (the current one by default; the packaged
  file while the table has none). ``make workflow-export`` runs it.
- ``import FILE --by EMAIL`` validates FILE like the packaged file and stores it as the next
  version, recorded as saved by EMAIL (the workflow managed as code: review it in git, import
  it in the deploy). ``make workflow-import FILE=... BY=...`` runs it.
- ``versions`` lists every version, newest first, with who saved it, when and what changed.

Exit status 1 when the file does not validate or the version does not exist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib.domain.workflow_versions import InvalidWorkflow
from chalicelib.services import workflow_admin
from chalicelib.services.workflow_admin import WorkflowAdmin


def export(admin: WorkflowAdmin, number: int | None = None) -> str | None:
    """A version's TOML; the current one (the packaged file while there is none) for None."""
    if number is not None:
        found = admin.versions.get(number)
        return found.toml if found is not None else None
    current = admin.versions.current()
    return current.toml if current is not None else admin.packaged()


def listing(admin: WorkflowAdmin) -> list[str]:
    lines = []
    for version in workflow_admin.history(admin):
        lines.append(f"{version.number:>5}  {version.saved_at}  {version.saved_by}")
        for change in version.changes:
            said = f" {change.old} -> {change.new}" if change.kind == "changed" else ""
            lines.append(f"         {change.kind} {change.path}{said}")
    return lines


def main(argv: list[str] | None = None, admin: WorkflowAdmin | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.workflow_cli")
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="print a version's TOML")
    out.add_argument("--version", type=int, default=None)
    into = commands.add_parser("import", help="store a TOML file as the next version")
    into.add_argument("file", type=Path)
    into.add_argument("--by", required=True, help="who is recorded as having saved it")
    commands.add_parser("versions", help="list every version")
    args = parser.parse_args(argv)
    if admin is None:
        from chalicelib import bootstrap

        admin = bootstrap.container().workflow_admin()
    if args.command == "export":
        text = export(admin, args.version)
        if text is None:
            print(f"there is no version {args.version}", file=sys.stderr)
            return 1
        sys.stdout.write(text)
        return 0
    if args.command == "import":
        try:
            saved = workflow_admin.import_file(admin, args.by,
                                               args.file.read_text(encoding="utf-8"))
        except InvalidWorkflow as err:
            for problem in err.problems:
                print(f"{args.file}: {problem.path}: {problem.detail}", file=sys.stderr)
            return 1
        print(f"version {saved.number} saved by {saved.saved_by}")
        for change in saved.changes:
            print(f"  {change.kind} {change.path}")
        return 0
    print("\n".join(listing(admin)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
