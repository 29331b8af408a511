"""The house keeps its shape: import layers, the typed composition root, and the map of where
each behaviour lives (docs/architecture.md)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from dev.layers import problems

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_layers_hold() -> None:
    assert problems(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "app.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"chalicelib/domain/post.py": "def f():\n    from chalicelib.config import X\n",
      "chalicelib/config.py": ""}, "domain imports outside the domain"),
    ({"chalicelib/services/posting.py": "from chalicelib.adapters.sqs import Q\n",
      "chalicelib/adapters/sqs.py": ""}, "service imports an outer layer"),
    ({"chalicelib/adapters/slack/home.py": "def f():\n    from chalicelib import bootstrap\n",
      "chalicelib/bootstrap.py": ""}, "reaches into the composition root"),
    ({"chalicelib/http/a.py": "from chalicelib.http import b\n",
      "chalicelib/http/b.py": "def f():\n    from chalicelib.http import a\n"}, "import circle"),
    ({"chalicelib/handlers/slack.py": "def f():\n    import app\n"}, "imports app"),
])
def test_the_check_finds_each_kind_of_break(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = problems(_tree(tmp_path, files))
    assert any(expected in line for line in found), found


def test_the_composition_root_is_typed_without_any() -> None:
    from chalicelib import bootstrap

    checked = 0
    for owner in (bootstrap, bootstrap.Container):
        for name, member in vars(owner).items():
            function = getattr(member, "fget", None) or getattr(member, "func", None) or member
            if name.startswith("__") or not callable(function) or isinstance(function, type):
                continue
            if getattr(function, "__module__", None) != bootstrap.__name__:
                continue
            hints = inspect.get_annotations(function)  # strings: the types are imported lazily
            assert "return" in hints, f"{name} has no return type"
            words = {w for hint in hints.values() for w in re.findall(r"\w+", str(hint))}
            assert "Any" not in words and "object" not in words, f"{name}: {hints}"
            checked += 1
    assert checked >= 15


MODULE = re.compile(r"`((?:app|chalicelib/[\w/]+)\.py)`")


def test_every_module_the_architecture_map_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(MODULE.findall(text))
    assert len(named) >= 25
    missing = sorted(name for name in named if not (ROOT / name).is_file())
    assert missing == []


def test_the_architecture_map_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(MODULE.findall(text))
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "chalicelib").rglob("*.py")
               if p.name != "__init__.py"}
    assert sorted(modules - named) == []


def test_every_module_parses_with_the_python_the_shared_layer_check_runs_on() -> None:
    """The import-layer check the house uses (../shared/tools/layers.py) reads the code with the
    machine's python3 (3.11): syntax only newer Pythons parse (PEP 701 f-strings, PEP 695
    generics) would make it fail on the whole tree."""
    import subprocess

    python = "/usr/bin/python3"  # Debian's, which the shared check runs on
    if not Path(python).exists():
        pytest.skip("no system python3 on this machine")
    root = Path(__file__).resolve().parents[2]
    files = [str(root / "app.py"), *map(str, sorted((root / "chalicelib").rglob("*.py")))]
    parse = "import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f, encoding='utf-8').read(), f)"
    checked = subprocess.run([python, "-c", parse, *files], capture_output=True, text=True,
                             timeout=120, check=False)
    assert checked.returncode == 0, checked.stderr[-2000:]
