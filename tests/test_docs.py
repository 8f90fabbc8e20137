"""The documentation tells the truth: references match the code, examples print what they say.

* ``docs/cli-reference.md``, ``docs/json-schema.md`` and ``docs/schema.json`` match what
  ``docs/gen_reference.py`` makes from the live program (run it to update them);
* every command has a docstring with an ``Example:``; every public name has a docstring, and
  every public class and function one with an example; those examples run (doctest);
* the worked examples in the guides run, in order, in a fresh folder: each ``console`` block's
  ``$`` commands print what follows them, each ``python`` block prints the ``text`` block
  under it (times masked); a page whose examples use a bucket gets an empty one on a
  loopback S3 server (``BUCKET_PAGES``);
* the README and the docs say what threadkeep does not do.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import importlib.util
import inspect
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import click
import pytest

import threadkeep
import threadkeep.archive
from tests.conftest import ROOT
from threadkeep.cli import cli

DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


# -- generated references ----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(GEN.expected(), key=str), ids=lambda p: p.name)
def test_generated_reference_is_current(path: Path) -> None:
    expected = GEN.expected()[path]
    assert path.read_text("utf-8") == expected, (
        f"{path.relative_to(ROOT)} is stale: run `python docs/gen_reference.py` and commit"
    )


def test_cli_reference_has_every_command() -> None:
    reference = (DOCS / "cli-reference.md").read_text("utf-8")
    for name in cli.list_commands(click.Context(cli)):
        assert f"## `threadkeep {name}`" in reference
        assert f"$ threadkeep {name} --help\nUsage: threadkeep {name} " in reference


HELP_BLOCK = re.compile(
    r"^```text\n\$ threadkeep ?(?P<args>[\w ]*?) --help\n(?P<text>.*?)^```", re.S | re.M
)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_help_quoted_in_the_guides_is_current(page: str) -> None:
    for block in HELP_BLOCK.finditer((DOCS / page).read_text("utf-8")):
        args = block["args"].split()
        assert block["text"] == GEN.command_help(args), (
            f"docs/{page}: the quoted `threadkeep {' '.join(args)} --help` is stale"
        )


def _commands() -> Iterator[tuple[str, click.Command]]:
    yield "threadkeep", cli
    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None
        yield f"threadkeep {name}", command


@pytest.mark.parametrize(("name", "command"), list(_commands()), ids=lambda v: str(v))
def test_every_command_has_a_docstring_with_an_example(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no docstring"
    assert "Example:" in command.help, f"{name}'s docstring has no 'Example:'"
    example = command.help.split("Example:", 1)[1]
    assert name in example, f"{name}'s example does not show the command"


# -- docstrings of the public API ------------------------------------------------------------

PUBLIC = [(threadkeep, name) for name in threadkeep.__all__] + [
    (threadkeep.archive, name) for name in threadkeep.archive.__all__
]
# A version string: threadkeep/_version.py's module docstring documents it.
NOT_DOCUMENTED_HERE = {"__version__"}


def _defining_module(package: ModuleType, name: str) -> ModuleType:
    """Follow ``from X import name`` in a package's ``__init__`` to the module defining it
    (including the imports under ``if TYPE_CHECKING:`` that name what a lazy name loads)."""
    tree = ast.parse(Path(inspect.getfile(package)).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
            assert node.module is not None
            module = importlib.import_module(node.module)
            return _defining_module(module, name) if module.__name__ != node.module else module
    return package


def _attribute_docstring(module: ModuleType, name: str) -> str | None:
    """The string literal right after ``name = …`` at module level (PEP 257's convention)."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text("utf-8"))
    for node, after in zip(tree.body, tree.body[1:], strict=False):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        named = any(isinstance(t, ast.Name) and t.id == name for t in targets)
        if named and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            value = after.value.value
            return value if isinstance(value, str) else None
    return None


@pytest.mark.parametrize(("package", "name"), PUBLIC, ids=lambda v: getattr(v, "__name__", v))
def test_every_public_name_has_a_docstring_with_an_example(package: ModuleType, name: str) -> None:
    if name in NOT_DOCUMENTED_HERE:
        return
    obj = getattr(package, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        doc = obj.__doc__
        assert doc and doc.strip(), f"{package.__name__}.{name} has no docstring"
        assert ">>>" in doc or "::\n" in doc, f"{package.__name__}.{name}: no example"
    else:  # a constant or a type alias: documented by the string literal after it
        module = _defining_module(package, name)
        doc = _attribute_docstring(module, name)
        assert doc, f"{module.__name__}.{name} has no docstring (a string literal after it)"


def _doctest_modules() -> list[str]:
    modules = set()
    for package, name in PUBLIC:
        obj = getattr(package, name)
        modules.add(getattr(obj, "__module__", None) or _defining_module(package, name).__name__)
    return sorted(m for m in modules if m and m.startswith("threadkeep"))


@pytest.mark.parametrize("module_name", _doctest_modules())
def test_docstring_examples_run(
    module_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the examples read the bundled fixtures
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # and make their stores here
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    for test in finder.find(module):
        runner.run(test, out=out.write)
    failed, _ = runner.summarize(verbose=False)
    assert failed == 0, out.getvalue()


# -- worked examples in the guides -------------------------------------------------------------

FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```\n", re.S | re.M)
TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d| UTC)?)?")
# Pages whose examples need something a test cannot give them (fetching.md: a loopback
# server with dozens of canned answers) are left out; their examples are run by hand.
CHECKED_PAGES = [
    "object-storage.md",  # against the loopback S3 server (below)
    "getting-started.md",
    "library.md",
    "archiving.md",
    "examples.md",
    "index.md",
    "models.md",
    "pages.md",
    "browse.md",
]


def _masked(text: str) -> str:
    return TIME.sub("<time>", text).rstrip("\n")


def _console(body: str) -> Iterator[tuple[str, str]]:
    """``$ command`` lines, each with the output lines under it."""
    command: str | None = None
    output: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(output)
            command, output = line[2:], []
        else:
            output.append(line)
    if command is not None:
        yield command, "\n".join(output)


def _run_python(code: str, where: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, where, "exec"), {"__name__": "__main__"})
    return out.getvalue()


@pytest.mark.parametrize("page", CHECKED_PAGES)
def test_worked_examples_print_what_the_page_says(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("fixtures", "examples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as in a terminal
        "COLUMNS": "80",
    }
    with contextlib.ExitStack() as stack:
        if page in BUCKET_PAGES:
            env.update(stack.enter_context(_bucket(BUCKET_PAGES[page])))
        _check_examples(page, env)


# Pages whose examples use a store in a bucket: the bucket each one names, made empty on a
# loopback S3 server (tests/s3_server.py) whose client settings the commands get.
BUCKET_PAGES = {"object-storage.md": "news-archive"}


@contextlib.contextmanager
def _bucket(name: str) -> Iterator[dict[str, str]]:
    pytest.importorskip("obstore")
    pytest.importorskip("moto")
    import urllib.request

    from tests.s3_server import S3Server

    with S3Server() as server:
        request = urllib.request.Request(f"{server.endpoint}/{name}", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
        yield server.env


def _check_examples(page: str, env: dict[str, str]) -> None:
    text = (DOCS / page).read_text("utf-8")
    blocks = list(FENCE.finditer(text))
    checked = 0
    for number, block in enumerate(blocks):
        line = text[: block.start()].count("\n") + 1
        where = f"docs/{page}:{line}"
        if block["lang"] == "console":
            for command, expected in _console(block["body"]):
                done = subprocess.run(
                    ["bash", "-c", command],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert _masked(done.stdout) == _masked(expected), f"{where}: $ {command}"
                checked += 1
        elif block["lang"] == "python":
            follows = blocks[number + 1] if number + 1 < len(blocks) else None
            between = text[block.end() : follows.start()] if follows else ""
            if follows is None or follows["lang"] != "text" or between.strip():
                continue  # no output shown: an example that needs the internet, say
            printed = _run_python(block["body"], where)
            assert _masked(printed) == _masked(follows["body"]), where
            checked += 1
    assert checked, f"docs/{page} has no checked example"


# -- what threadkeep does not do --------------------------------------------------------------


@pytest.mark.parametrize("page", ["README.md", "docs/index.md", "docs/getting-started.md"])
def test_the_docs_say_what_threadkeep_does_not_do(page: str) -> None:
    text = " ".join((ROOT / page).read_text("utf-8").split())
    assert "does not log in to X" in text or "does **not** log in to X" in text
    assert "access controls" in text


def test_readme_keeps_its_first_two_commands() -> None:
    commands = re.findall(r"^```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S | re.M)
    assert commands[:2] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && threadkeep "
        "convert fixtures/threadreader/quinnypig_2020_full.html --format md",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && pytest",
    ]
