"""The offline site put in place: killed at either rename of the swap, a failed rename, and
the folders a site may not replace.

A site is built in ``.DIR.<random>`` beside ``DIR``; an old site is renamed aside to
``.DIR.old.<random>/site`` and the new one renamed to ``DIR``. Whatever happens, ``DIR``
ends up holding one whole site, the old or the new (a build killed between the renames has
its old site put back by the next build), and no leftover folder stays beside it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import threadkeep
from tests.conftest import fixture_bytes
from tests.kill import killed, killed_at_rename
from threadkeep.archive import Archive
from threadkeep.cli import cli
from threadkeep.html import build_site

PAGE = "t/thread-1215710451343904768.html"
_BUILD = """
from threadkeep.html import build_site
build_site(Archive(store), source)
"""


def _archive(store: Path) -> Archive:
    archive = Archive(store)
    archive.add(fixture_bytes("threadreader/quinnypig_2020_full.html"))
    return archive


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _old_site(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """The store, and an old site in ``tmp_path/out`` that a new build will differ from."""
    _archive(tmp_path / "store")
    out = tmp_path / "out"
    build_site(Archive(tmp_path / "store"), out)
    page = out / PAGE
    page.write_text(page.read_text().replace("Okay. For every retweet", "OLD SITE"))
    return out, _files(out)


@pytest.mark.parametrize("at", [1, 2])
def test_a_build_killed_at_a_rename_of_the_swap_leaves_one_whole_site(
    tmp_path: Path, at: int
) -> None:
    out, old = _old_site(tmp_path)
    assert killed(killed_at_rename(_BUILD), str(tmp_path / "store"), str(out), str(at))
    if at == 1:  # killed before the old site is moved: it is still there, whole
        assert _files(out) == old
    else:  # killed between the renames: the old site is aside, whole
        assert not out.exists()
        (aside,) = tmp_path.glob(".out.old.*/site")
        assert _files(aside) == old
    with pytest.raises(threadkeep.SiteError, match="no thread, tweet or document '42'"):
        build_site(Archive(tmp_path / "store"), out, ["42"])  # a rerun that fails…
    assert _files(out) == old  # …has put the old site back first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]
    build_site(Archive(tmp_path / "store"), out)  # a rerun that succeeds replaces it
    new = _files(out)
    assert new.keys() == old.keys() and new != old
    assert "OLD SITE" not in new[PAGE].decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


def test_a_build_killed_after_the_swap_leaves_the_new_site(tmp_path: Path) -> None:
    out, old = _old_site(tmp_path)
    assert not killed(killed_at_rename(_BUILD), str(tmp_path / "store"), str(out), "3")
    assert "OLD SITE" not in (out / PAGE).read_text() and _files(out).keys() == old.keys()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_rename_of_the_swap_leaves_the_old_site_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    out, old = _old_site(tmp_path)
    real_replace, renames = os.replace, []

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        renames.append(Path(source).name)
        if len(renames) == failing:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(threadkeep.SiteError, match="could not put the site in place"):
        build_site(Archive(tmp_path / "store"), out)
    if failing == 2:  # the new site could not go in: the old one was renamed back
        assert renames[0] == "out" and renames[1].startswith(".out.") and renames[2] == "site"
    else:
        assert renames == ["out"]
    assert _files(out) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


def test_the_current_folder_and_the_store_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "work" / "store"
    _archive(store)
    monkeypatch.chdir(tmp_path / "work")
    runner = CliRunner()
    for out in (".", "..", "store", "store/browse"):
        done = runner.invoke(cli, ["export", "--format", "html", "-o", out, "--store", "store"])
        assert done.exit_code == 1 and done.output.startswith(f"threadkeep: {out} is "), done.output
        assert "give a folder" in done.output
        assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["store"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    with pytest.raises(threadkeep.SiteError, match=r"is or holds the current folder"):
        build_site(Archive(store), tmp_path)


def test_a_folder_that_cannot_be_made_is_named_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DIR under a file is "not a folder"; DIR where nothing can be written is named, never
    the hidden folder the site is built in beside it."""
    _archive(tmp_path / "store")
    (tmp_path / "FILE").write_text("a file", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for out in ("FILE/sub", "FILE/sub/deeper"):
        done = runner.invoke(cli, ["export", "--format", "html", "-o", out, "--store", "store"])
        assert done.exit_code == 1
        assert (
            done.output == f"threadkeep: {out}: FILE is not a folder: give a folder for the site\n"
        )
    if Path("/proc/self").is_dir():  # a folder nothing can be created in, even by root
        done = runner.invoke(
            cli, ["export", "--format", "html", "-o", "/proc/x", "--store", "store"]
        )
        assert done.exit_code == 1
        assert done.output.startswith("threadkeep: /proc/x: cannot write a site there (")
        assert ".x." not in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE", "store"]


def test_the_site_can_be_read_by_everyone(tmp_path: Path) -> None:
    build_site(_archive(tmp_path / "store"), tmp_path / "out")
    modes = {
        path.relative_to(tmp_path).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [tmp_path / "out", *(tmp_path / "out").rglob("*")]
    }
    umask = os.umask(0)
    os.umask(umask)
    assert modes["out"] == 0o755
    assert all(mode & 0o444 == 0o444 & ~umask for mode in modes.values()), modes
