"""The architecture's arrows, kept by a test (docs/architecture.md draws them).

The import graph is built from the code (tests/import_graph.py): parsing never reaches the
fetcher or the archive, the archive and the fetcher never reach each other, models and errors
depend on nothing of ours, render sees only the archive's plain view data, and there is no
import cycle anywhere, not even one hidden under ``TYPE_CHECKING`` or inside a function.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.import_graph import cycles, graph, violations

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "threadkeep"

# Each module's part (the longest matching prefix wins).
PARTS = {
    "threadkeep": "face",
    "threadkeep.__main__": "cli",
    "threadkeep.cli": "cli",
    "threadkeep.batch": "batch",
    "threadkeep.wayback": "wayback",
    "threadkeep.files": "shared",
    "threadkeep.words": "shared",
    "threadkeep.media_types": "shared",
    "threadkeep.parsing": "parse",
    "threadkeep.account": "parse",
    "threadkeep.fetch": "fetch",
    "threadkeep.warc": "warc",
    "threadkeep.archive": "archive",
    "threadkeep.archive.checks": "archive",
    "threadkeep.archive.replay": "archive",
    "threadkeep.archive.view_models": "archive data",
    "threadkeep.archive.records": "archive data",
    "threadkeep.render": "render",
    "threadkeep.html": "html",
    "threadkeep.models": "models",
    "threadkeep.errors": "errors",
    "threadkeep.urls": "shared",
    "threadkeep.encoding": "shared",
    "threadkeep.limits": "shared",
    "threadkeep._version": "shared",
    "threadkeep._lazy": "shared",
}
OURS = {
    "face",
    "cli",
    "batch",
    "wayback",
    "parse",
    "fetch",
    "warc",
    "archive",
    "archive data",
    "render",
    "html",
    "models",
    "errors",
    "shared",
}
FORBIDDEN = {
    # Nothing inside the package goes through its lazy front door.
    **{name: {"face"} for name in OURS},
    "parse": {"face", "fetch", "archive", "archive data", "render", "html", "batch", "cli"},
    "archive": {"face", "fetch", "render", "html", "batch", "cli"},
    "archive data": OURS - {"models", "archive data"},
    "fetch": {"face", "archive", "archive data", "render", "html", "batch", "cli"},
    "models": OURS - {"models"},
    "errors": OURS - {"errors"},
    "render": {"face", "archive", "fetch", "parse", "html", "batch", "cli"},
    # the offline site: reads the archive (documents and media), fetches and parses nothing.
    "html": {"face", "fetch", "parse", "batch", "cli", "wayback"},
    "shared": OURS - {"shared", "errors"},
    "batch": {"face", "cli"},
    # web-archive files: read and written from bytes (pages parsed with parse); the archive
    # and the batch call it.
    "warc": OURS - {"warc", "shared", "errors", "models", "parse"},
    # recover: finds copies through the fetcher and keeps them through the archive.
    "wayback": {"face", "cli", "batch", "render"},
}


def test_every_module_has_a_part() -> None:
    from tests.import_graph import part

    edges = graph(PACKAGE, "threadkeep")
    unplaced = [name for name in edges if part(name, PARTS) not in OURS]
    assert unplaced == [], "give these modules a part in PARTS (and docs/architecture.md)"


def test_the_parts_import_only_what_the_architecture_allows() -> None:
    assert violations(graph(PACKAGE, "threadkeep"), PARTS, FORBIDDEN) == []


def test_there_is_no_import_cycle() -> None:
    assert cycles(graph(PACKAGE, "threadkeep")) == []


def test_the_rules_catch_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """The checker itself: a cycle under TYPE_CHECKING and a lazy forbidden import are found."""
    pkg = tmp_path / "pkg"
    (pkg / "archive").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "archive" / "__init__.py").write_text("from pkg.archive.store import Archive\n")
    (pkg / "archive" / "store.py").write_text("from pkg.archive import apply\nArchive = 1\n")
    (pkg / "archive" / "apply.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .store import Archive\n"
    )
    (pkg / "fetch.py").write_text("def f():\n    from pkg.archive import store\n")
    edges = graph(pkg, "pkg")
    assert cycles(edges) == [["pkg.archive.apply", "pkg.archive.store"]]
    rules = {"pkg.archive": "archive", "pkg.fetch": "fetch"}
    assert violations(edges, rules, {"fetch": {"archive"}}) == [
        "pkg.fetch -> pkg.archive.store (fetch may not import archive)"
    ]


def _loaded_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


HEAVY = (
    "httpx", "bs4", "lxml", "tenacity", "jinja2", "threadkeep.archive", "threadkeep.fetch",
    "threadkeep.html", "warcio", "brotli", "dask", "distributed",
)  # fmt: skip


@pytest.mark.parametrize(
    "code",
    [
        "import threadkeep",
        "import threadkeep; threadkeep.__version__; threadkeep.ThreadkeepError",
    ],
)
def test_importing_threadkeep_loads_no_network_parsing_or_archive_code(code: str) -> None:
    loaded = _loaded_after(code)
    assert [name for name in HEAVY if name in loaded] == []


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        # Rendering (convert --format md) sees the archive's plain data, never its store.
        (
            "import threadkeep.render",
            ("threadkeep.archive.store", "filelock", "threadkeep.parsing"),
        ),
        # Reading a store (show, history) loads no parser, lxml, bs4 or httpx.
        ("from threadkeep.archive import Archive", ("threadkeep.parsing", "lxml", "bs4", "httpx")),
        # Showing a stored thread loads neither verify's and repair's code nor the lock's
        # fallback for a system without flock (each costs a `threadkeep show` 10-15 ms).
        (
            "import tempfile\nfrom threadkeep.archive import Archive\n"
            "with tempfile.TemporaryDirectory() as folder:\n"
            "    assert Archive(folder).thread('1') is None",
            ("threadkeep.archive.maintenance", "filelock"),
        ),
        # WARC files: warcio loads when a file is written, not with the writer's module.
        ("import threadkeep.warc.write", ("warcio", "threadkeep.archive", "httpx")),
        ("from threadkeep.archive import Archive", ("warcio", "threadkeep.warc")),
        # Dask loads when a conversion runs on it, not with the batch module or the CLI.
        ("from threadkeep import batch; batch.convert_dask", ("dask", "distributed")),
        ("from threadkeep.cli import cli", ("dask", "distributed")),
        # The site's package loads Jinja2 only when it writes a site.
        ("import threadkeep.html", ("jinja2", "threadkeep.parsing", "httpx")),
    ],
)
def test_each_part_loads_only_what_it_uses(code: str, absent: tuple[str, ...]) -> None:
    loaded = _loaded_after(code)
    assert [name for name in absent if name in loaded] == []


def test_names_load_on_first_use_and_parse_stays_a_function() -> None:
    """Loading the archive (which loads the parsers) must not shadow ``threadkeep.parse``."""
    script = textwrap.dedent(
        """
        import threadkeep
        assert "threadkeep.archive" not in __import__("sys").modules
        archive_class = threadkeep.Archive
        page = b'<div id="tweet_1" class="content-tweet" data-tweet="20">hi</div>'
        print(archive_class.__name__, threadkeep.parse(page).tweets[0].text, threadkeep.detect(page))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["Archive", "hi", "threadreader"]


def test_dir_lists_every_public_name_without_loading_them() -> None:
    script = (
        "import threadkeep, sys; names = set(dir(threadkeep));"
        "print(sorted(set(threadkeep.__all__) - names), 'threadkeep.archive' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[]", "False"]
