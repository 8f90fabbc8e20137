"""The typed library face: ``parse(path)``, ``parse(data, expect=Thread)``, and the README's
library snippet type-checking under ``mypy --strict`` in a user's script and printing what it
says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import threadkeep
from tests.conftest import FIXTURES, ROOT
from threadkeep.limits import MAX_INPUT_BYTES

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
LISTING = FIXTURES / "listing" / "homepage_2018.html"
OEMBED = FIXTURES / "answers" / "oembed_452481183213813760.input.json"


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r"^### Library\n\n```python\n(.*?)^```", readme, re.S | re.M)
    assert found, "README.md has no Library section with a python block"
    return found.group(1)


def test_the_readme_library_snippet_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(readme_snippet(), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,  # a user's folder: threadkeep comes from the installed package
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout


def test_the_readme_library_snippet_prints_what_its_comments_say(tmp_path: Path) -> None:
    snippet = readme_snippet()
    script = tmp_path / "user_script.py"
    script.write_text(snippet, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # Each print's comment is what it prints, then maybe "(why)".
    said = [
        comment.split(" (", 1)[0]
        for comment in re.findall(r"^\s*print\(.*\)  # (.*)$", snippet, re.M)
    ]
    assert (
        done.stdout.splitlines()
        == said
        == [
            "QuinnyPig",
            "102",
            "True",
            "2020-01-10 19:02:13.065000+00:00",
            "fixtures/listing/homepage_2018.html: a Thread Reader listing page, not a thread",
        ]
    )


def test_a_path_parses_like_its_bytes() -> None:
    url = "https://threadreaderapp.com/thread/1215710451343904768.html"
    assert threadkeep.parse(THREAD, url=url) == threadkeep.parse(THREAD.read_bytes(), url=url)
    assert threadkeep.detect(LISTING) == "listing"


def test_a_str_is_content_never_a_path() -> None:
    with pytest.raises(threadkeep.UnsupportedPage, match="plain text with no tweets"):
        threadkeep.parse(str(THREAD))


def test_a_missing_file_is_a_malformed_page_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    with pytest.raises(threadkeep.MalformedPage) as caught:
        threadkeep.parse(missing)
    assert str(caught.value) == f"{missing}: cannot read the file (No such file or directory)"
    assert caught.value.source == str(missing)
    assert isinstance(caught.value.__cause__, FileNotFoundError)
    with pytest.raises(threadkeep.MalformedPage, match=r"^notes: cannot read the file"):
        threadkeep.parse(tmp_path, source="notes")  # a folder


def test_a_file_over_the_input_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as stream:
        stream.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used
    with pytest.raises(threadkeep.MalformedPage, match=r"big\.html: input over the 64 MiB limit"):
        threadkeep.parse(big)


def test_expect_returns_the_result_when_it_is_that_class() -> None:
    thread = threadkeep.parse(THREAD, expect=threadkeep.Thread)
    assert thread == threadkeep.parse(THREAD)
    listing = threadkeep.parse(LISTING, expect=threadkeep.Listing)
    assert len(listing.threads) == len(threadkeep.parse(LISTING, expect=threadkeep.Listing).threads)
    assert threadkeep.parse(OEMBED, expect=threadkeep.Tweet).id == "452481183213813760"


@pytest.mark.parametrize(
    ("data", "expect", "message"),
    [
        (LISTING, threadkeep.Thread, "a Thread Reader listing page, not a thread"),
        (THREAD, threadkeep.Article, "a Thread Reader thread page, not an article"),
        (OEMBED, threadkeep.Thread, "an oEmbed answer about one tweet, not a thread"),
        (
            FIXTURES / "text" / "seed003_listing_nkpeace.txt",
            threadkeep.Thread,
            "a text copy of a Thread Reader listing, not a thread",
        ),
        (
            FIXTURES / "listing" / "homepage_2018.json",
            threadkeep.Tweet,
            "threadkeep's own JSON of a listing, not a tweet",
        ),
        (
            FIXTURES / "articles" / "theverge_2019_facetime_slice.json",
            threadkeep.Thread,
            "threadkeep's own JSON of an article, not a thread",
        ),
    ],
)
def test_expect_says_what_the_input_is_instead(
    data: Path, expect: type[threadkeep.Result], message: str
) -> None:
    with pytest.raises(threadkeep.UnsupportedPage) as caught:
        threadkeep.parse(data, expect=expect)
    assert str(caught.value) == f"{data}: {message}"
