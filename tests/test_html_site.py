"""The offline site (``threadkeep export --format html``), opened in a real headless Chromium.

A thread archived twice (the fifth tweet gone the second time, the sixth edited, the fourth
with a photo in the media store) is written as a site; Chromium opens it from ``file://``.
The browser tests skip when no Chromium is installed (``.ci/run`` installs Debian's
``chromium-headless-shell``), except under CI, where they fail.
"""

from __future__ import annotations

import hashlib
import html as html_module
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import threadkeep
from tests.browser import Page, browser
from tests.conftest import fixture_bytes, stored_photo
from threadkeep.archive import Archive
from threadkeep.archive.media import MediaEntry
from threadkeep.cli import cli
from threadkeep.html import CSP, build_site

ROOT_TWEET = "1215710451343904768"
FOURTH = "1215710921730867201"
FIFTH = "1215711185045090305"  # "If you call yourself "a public speaker," …": removed later
SIXTH = "1215711194180288512"  # "Never, ever, read the comments …": edited later
PHOTO = "https://pbs.twimg.com/media/TkSiteTest1.jpg"
ALT = "A slide with the speaker's handle in its corner"
SEVENTH = "1215711282344517632"  # "The first 45 seconds of your talk …": gets a video
VIDEO = "https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/TkSiteTest.mp4"
POSTER = "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/TkSiteTest.jpg"
# The start of an mp4 (an ftyp box): enough for the site to call it a video. (No encoder is
# at hand to make one that plays; the page's <video> is what is checked.)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
PAGE = f"t/thread-{ROOT_TWEET}.html"
ROOT_DIR = Path(__file__).parent.parent


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), (30, 90, 160))
    ImageDraw.Draw(image).rectangle((40, 40, 200, 120), fill=(250, 200, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pages() -> tuple[bytes, bytes]:
    page = fixture_bytes("threadreader/quinnypig_2020_full.html")
    photo = (
        f'<span class="entity-image"><a href="{PHOTO}" target="_blank"><img alt="{ALT}" '
        f'src="/images/1px.png" data-src="{PHOTO}"></a></span>'
    ).encode()
    page = page.replace(
        b"nobody gives a conference talk without saying who they are...\n",
        b"nobody gives a conference talk without saying who they are...\n" + photo,
        1,
    )
    video = (
        f'<div class="entity-video"><video controls poster="{POSTER}">'
        f'<source src="{VIDEO}" type="video/mp4"></video></div>'
    ).encode()
    page = page.replace(
        b"The first 45 seconds of your talk", video + b"The first 45 seconds of your talk", 1
    )
    later = re.sub(rb'<div id="tweet_5".*?</div>', b"", page, count=1, flags=re.S)
    later = later.replace(
        b"Never, ever, read the comments on videos of your talks.", b"Never read the comments."
    )
    return page, later


def _archive(store: Path) -> Archive:
    archive = Archive(store)
    first, later = _pages()
    archive.add(first, captured_at=T0)
    archive.add(later, captured_at=T0 + timedelta(days=30))
    items = [
        (
            data,
            MediaEntry(
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                type=kind,
                url=url,
                tweet=tweet,
                origin=url,
                time=T0,
            ),
        )
        for data, kind, url, tweet in [
            (_png(), "photo", PHOTO, FOURTH),
            (MP4, "video", VIDEO, SEVENTH),
            (_png(), "photo", POSTER, SEVENTH),
        ]
    ]
    archive.store_media(items)
    return archive


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    out = root / "browse"
    build_site(_archive(root / "store"), out)
    return out


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if browser() is None:
        reason = "no chromium-headless-shell or chromium on PATH (.ci/run installs it with apt)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    opened = Page(width=800, height=1000)
    try:
        yield opened
    finally:
        opened.close()


def _inside(site: Path, urls: list[str]) -> list[str]:
    """The urls outside ``site``. ``data:`` urls are let be: Chromium's own video controls
    draw their icons from them (the pages write none: see the relative-links test)."""
    prefix = site.resolve().as_uri() + "/"
    return [url for url in urls if not url.startswith((prefix, "data:"))]


# -- in the browser ----------------------------------------------------------------------------


def test_a_thread_page_shows_the_tweets_what_was_removed_and_edited_and_the_photo(
    site: Path, page: Page, tmp_path: Path
) -> None:
    page.open((site / PAGE).resolve().as_uri() + f"#t-{FOURTH}")
    text = page.js("document.body.innerText")
    assert "Okay. For every retweet this gets" in text
    assert 'If you call yourself "a public speaker,"' in text  # its last content, kept
    assert "REMOVED" in text and "EDITED" in text
    assert "first missed 2024-01-31 12:00 UTC" in text
    assert "Never read the comments." in text  # the latest version…
    assert "Never, ever, read the comments on videos of your talks." in text  # …and the first
    assert page.js("[...document.querySelectorAll('[data-removed=true]')].map(e => e.id)") == [
        f"t-{FIFTH}"
    ]
    assert page.js("document.querySelectorAll('article.tweet').length") == 102
    photo = page.js(
        "[...document.images].filter(i => i.alt.startsWith('A slide'))"
        ".map(i => [i.naturalWidth, i.getAttribute('src')])"
    )
    assert photo == [[240, photo[0][1]]] and photo[0][1].startswith("../media/")
    assert _inside(site, page.requests()) == []
    shot = tmp_path / "thread.png"
    page.screenshot(shot)
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.size == (800, 1000)
    inked = sum(image.histogram()[:200])  # pixels darker than the near-white background
    assert inked > 20_000, f"the screenshot is (nearly) blank: {inked} dark pixels"
    if os.environ.get("THREADKEEP_DOCS_SCREENSHOT"):  # docs/browse.md shows this one
        ROOT_DIR.joinpath("docs", "browse-thread.png").write_bytes(shot.read_bytes())


def test_the_video_plays_from_the_site_and_quoted_tweets_are_shown(site: Path, page: Page) -> None:
    page.open((site / PAGE).resolve().as_uri())
    video = page.js(
        f"(v => [v.controls, v.getAttribute('src'), v.getAttribute('poster')])"
        f"(document.querySelector('#t-{SEVENTH} video'))"
    )
    assert video[0] is True
    assert video[1].startswith("../media/") and video[1].endswith(".mp4")
    assert video[2].startswith("../media/") and video[2].endswith(".png")
    assert page.js("document.querySelectorAll('blockquote.quoted').length") == 3
    quoted = page.js("document.querySelector('blockquote.quoted').innerText")
    assert quoted.startswith("Quoting @QuinnyPig (in this archive)")
    assert "Known only by its link" not in quoted  # its text, from the thread that holds it
    assert _inside(site, page.requests()) == []


def test_the_thread_fits_a_phone_and_prints_without_the_navigation(site: Path, page: Page) -> None:
    page.call(
        "Emulation.setDeviceMetricsOverride", width=375, height=800, deviceScaleFactor=2,
        mobile=True,
    )  # fmt: skip
    try:
        page.open((site / PAGE).resolve().as_uri())
        assert page.js("document.documentElement.scrollWidth") <= 375
        page.call("Emulation.setEmulatedMedia", media="print")
        assert page.js("getComputedStyle(document.querySelector('header.site')).display") == "none"
        assert (
            page.js("getComputedStyle(document.querySelector('.removed-mark')).display") != "none"
        )
        pdf = page.call("Page.printToPDF", printBackground=False)["data"]
        assert len(pdf) > 10_000
    finally:
        page.call("Emulation.setEmulatedMedia", media="")
        page.call("Emulation.clearDeviceMetricsOverride")


def test_the_search_finds_a_word_of_the_removed_tweet(site: Path, page: Page) -> None:
    page.open((site / "search.html").resolve().as_uri() + "?q=engaging%20framing")
    found = page.js("[...document.querySelectorAll('#results a')].map(a => a.getAttribute('href'))")
    assert found == [f"{PAGE}#t-{FIFTH}"]
    assert "REMOVED" in page.js("document.getElementById('results').innerText")
    assert page.js("document.getElementById('count').innerText") == "1 tweet found"
    rows = page.js("search('ever read the comments')")  # the edited tweet's first version
    assert [(row["id"], row["removed"]) for row in rows] == [(SIXTH, False)]
    assert _inside(site, page.requests()) == []


def test_the_index_lists_the_thread_and_links_inside_the_site(site: Path, page: Page) -> None:
    page.open((site / "index.html").resolve().as_uri())
    cells = page.js(
        "[...document.querySelectorAll('tbody tr td, tbody tr th')].map(c => c.innerText)"
    )
    assert cells[0].startswith("Thread by @QuinnyPig: Okay. For every retweet")
    assert cells[3:6] == ["102", "1", "1"]  # tweets, removed, edited
    assert cells[6] == "2024-01-31 12:00 UTC"
    links = page.js("[...document.links].map(a => a.href)")
    assert links and _inside(site, links) == []
    assert _inside(site, page.requests()) == []


def test_the_policy_blocks_a_request_to_the_network(site: Path, page: Page) -> None:
    page.open((site / PAGE).resolve().as_uri())
    page.js(
        "new Promise(done => { const img = new Image(); img.onerror = img.onload = done;"
        " img.src = 'https://example.com/outside.png'; document.body.append(img); })"
    )
    assert _inside(site, page.requests()) == ["https://example.com/outside.png"]
    assert "csp" in page.blocked()


# -- the files ---------------------------------------------------------------------------------


def test_every_page_carries_the_policy_and_only_relative_links(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert [p.relative_to(site).as_posix() for p in pages] == ["index.html", "search.html", PAGE]
    for html in pages:
        text = html.read_text()
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
        assert policy is not None and html_module.unescape(policy[1]) == CSP
        for link in re.findall(r'(?:href|src|poster)="([^"]*)"', text):
            assert not re.match(r"[a-z]+:|/", link), f"{html.name}: {link} leaves the site"
        assert "<script>" not in text and " style=" not in text  # the policy blocks both
        assert not re.search(r"<[^>]*\son[a-z]+=", text)
    # the photo and the poster are the same bytes: one file
    assert sorted(p.suffix for p in (site / "media").iterdir()) == [".mp4", ".png"]


def test_tweet_text_is_escaped(tmp_path: Path) -> None:
    page = fixture_bytes("threadreader/quinnypig_2020_full.html").replace(
        b"Put your twitter handle on every slide.",
        b"&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;",
        1,
    )
    archive = Archive(tmp_path / "store")
    archive.add(page)
    build_site(archive, tmp_path / "out")
    html = (tmp_path / "out" / PAGE).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;" in html
    assert "<img src=x" not in html
    index = (tmp_path / "out" / "assets" / "search-index.js").read_text()
    assert "</script>" not in index and index.startswith("window.THREADKEEP_INDEX = [")


def test_a_folder_threadkeep_did_not_write_is_refused_and_left_alone(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "store")
    archive.add(fixture_bytes("threadreader/quinnypig_2020_full.html"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(threadkeep.SiteError, match="holds files threadkeep did not write"):
        build_site(archive, mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    with pytest.raises(threadkeep.SiteError, match="no thread, tweet or document '42'"):
        build_site(archive, tmp_path / "new", ["42"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "store"]  # no half site


def test_a_site_written_before_is_replaced_whole(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "store")
    archive.add(fixture_bytes("threadreader/quinnypig_2020_full.html"))
    out = tmp_path / "out"
    build_site(archive, out)
    (out / "t" / "stale.html").write_text("old")
    report = build_site(archive, out, [ROOT_TWEET])
    assert (report.documents, report.tweets, report.removed) == (1, 102, 0)
    assert not (out / "t" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


def test_an_account_export_gives_a_page_for_it_and_for_each_of_its_threads(
    tmp_path: Path,
) -> None:
    archive = Archive(tmp_path / "store")
    archive.export(ROOT_DIR / "fixtures" / "export" / "modern-alrocar-2024")
    report = build_site(archive, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "t").iterdir()) == [
        "export-52338276.html",
        "thread-1771088435404583031.html",
        "thread-1848756482629620036.html",
    ]
    assert (report.documents, report.tweets) == (3, 21)


def test_the_command_writes_the_site(tmp_path: Path) -> None:
    _archive(tmp_path / "store")
    runner = CliRunner()
    out = tmp_path / "browse"
    done = runner.invoke(
        cli, ["export", "--format", "html", "-o", str(out), "--store", str(tmp_path / "store")]
    )
    assert done.exit_code == 0, done.output
    assert done.output == (
        f"{out}: 1 document, 102 tweets (1 removed), 2 media files; open {out / 'index.html'}\n"
    )
    missing = runner.invoke(cli, ["export", "--format", "html", "--store", str(tmp_path / "store")])
    assert missing.exit_code == 2 and "--format html needs -o DIR" in missing.output
    jsonl = runner.invoke(cli, ["export", "-o", str(out), "--store", str(tmp_path / "store")])
    assert jsonl.exit_code == 2 and "IDs and -o go with --format html" in jsonl.output


def test_the_site_can_leave_the_media_out_and_jsonl_can_join_it_in(tmp_path: Path) -> None:
    """`--no-media` writes no media file and says on the page which items were left out;
    the JSON lines export adds the files kept of each tweet only when asked (`--media`)."""
    store = tmp_path / "store"
    _archive(store)
    runner = CliRunner()
    out = tmp_path / "light"
    done = runner.invoke(
        cli, ["export", "--format", "html", "--no-media", "-o", str(out), "--store", str(store)]
    )
    assert done.exit_code == 0, done.output
    assert "0 media files" in done.output
    assert not any((out / "media").iterdir())
    (page,) = (out / "t").glob("*.html")
    assert "Photo kept in the archive, left out of this site" in page.read_text()
    assert f"({PHOTO})" in page.read_text()

    plain = runner.invoke(cli, ["export", "--store", str(store)])
    joined = runner.invoke(cli, ["export", "--media", "--store", str(store)])
    assert plain.exit_code == joined.exit_code == 0
    plain_rows = {row["id"]: row for row in map(json.loads, plain.output.splitlines())}
    joined_rows = {row["id"]: row for row in map(json.loads, joined.output.splitlines())}
    assert "media_kept" not in plain_rows[FOURTH]
    (kept,) = joined_rows[FOURTH]["media_kept"]
    photo = _png()
    digest = hashlib.sha256(photo).hexdigest()
    assert kept["url"] == PHOTO and kept["path"] == f"media/{digest[:2]}/{digest}"
    assert kept["size"] == len(photo) and (store / kept["path"]).read_bytes() == photo
    assert all(
        row["media_kept"] == []
        for key, row in joined_rows.items()
        if key != FOURTH and key != SEVENTH
    )


# -- the media a page shows --------------------------------------------------------------------


def _site_with(tmp_path: Path, stored: dict[str, bytes]) -> str:
    """The thread page of a site whose store holds ``stored`` (url → bytes) for the thread's
    photo, video and poster."""
    archive = Archive(tmp_path / "store")
    archive.add(_pages()[0], captured_at=T0)
    archive.store_media([stored_photo(data, url, FOURTH, T0) for url, data in stored.items()])
    build_site(archive, tmp_path / "out")
    return (tmp_path / "out" / PAGE).read_text()


def _tweet_html(html: str, tweet: str) -> str:
    start = html.index(f'id="t-{tweet}"')
    return html[start : html.index("</article>", start)]


def test_an_unstored_video_still_shows_its_stored_poster(tmp_path: Path) -> None:
    html = _tweet_html(_site_with(tmp_path, {POSTER: _png()}), SEVENTH)
    digest = hashlib.sha256(_png()).hexdigest()
    assert f'<img src="../media/{digest}.png"' in html
    assert "Video not stored in the archive" in html and "<video" not in html


def test_the_poster_of_an_unstored_video_loads_and_a_link_is_offered_in_the_browser(
    tmp_path: Path, page: Page
) -> None:
    _site_with(tmp_path, {POSTER: _png(), PHOTO: b"<svg></svg>"})
    page.open((tmp_path / "out" / PAGE).resolve().as_uri() + f"#t-{SEVENTH}")  # in view
    poster = page.js(
        f"Promise.all([...document.querySelectorAll('#t-{SEVENTH} img')].map(i => "
        "{ i.loading = 'eager'; return i.decode().then(() => i.naturalWidth, () => -1); }))"
    )  # a lazy picture loads once in view: decode() waits for it
    assert poster == [240]
    link = page.js(f"document.querySelector('#t-{FOURTH} .media-link').innerText")
    assert link.startswith("Photo stored, not shown inline: open or save the file")
    assert _inside(tmp_path / "out", page.requests()) == []


def test_a_stored_file_the_page_cannot_show_is_offered_as_a_link(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    webm = b"\x1aE\xdf\xa3" + bytes(60)
    html = _site_with(tmp_path, {PHOTO: svg, VIDEO: webm})
    photo, video = _tweet_html(html, FOURTH), _tweet_html(html, SEVENTH)
    svg_sha, webm_sha = hashlib.sha256(svg).hexdigest(), hashlib.sha256(webm).hexdigest()
    assert f'Photo stored, not shown inline: <a href="../media/{svg_sha}.bin" download>' in photo
    assert f'Video stored, not shown inline: <a href="../media/{webm_sha}.webm" download>' in video
    assert "not stored in the archive" not in photo + video
    assert "<img" not in photo and "<video" not in video
    assert (tmp_path / "out" / "media" / f"{svg_sha}.bin").read_bytes() == svg


def test_only_mp4_and_quicktime_brands_are_videos_heic_and_avif_are_pictures(
    tmp_path: Path,
) -> None:
    avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(40)
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(40)
    quicktime = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + bytes(40)
    html = _site_with(tmp_path / "a", {PHOTO: avif, VIDEO: quicktime})
    avif_sha, qt_sha = hashlib.sha256(avif).hexdigest(), hashlib.sha256(quicktime).hexdigest()
    assert f'<img src="../media/{avif_sha}.avif"' in _tweet_html(html, FOURTH)
    assert f'src="../media/{qt_sha}.mp4"' in _tweet_html(html, SEVENTH)
    html = _site_with(tmp_path / "b", {PHOTO: heic, VIDEO: heic})
    heic_sha = hashlib.sha256(heic).hexdigest()
    for tweet in (FOURTH, SEVENTH):
        shown = _tweet_html(html, tweet)
        assert f'stored, not shown inline: <a href="../media/{heic_sha}.heic"' in shown
        assert "<video" not in shown and "<img" not in shown


def test_the_media_files_of_the_site_are_the_stored_files_copied_in_chunks(
    tmp_path: Path,
) -> None:
    import tracemalloc

    big = MP4 + os.urandom(1 << 16) * 256  # a 16 MB "video"
    archive = _archive(tmp_path / "store")
    entry = MediaEntry(
        sha256=hashlib.sha256(big).hexdigest(), size=len(big), type="video", url=VIDEO,
        tweet=SEVENTH, origin=VIDEO, time=T0 + timedelta(days=1),
    )  # fmt: skip
    archive.store_media([(big, entry)])
    del big
    tracemalloc.start()
    try:
        report = build_site(archive, tmp_path / "out")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.media == 2  # the photo and poster (same bytes), the big video
    written = sorted((tmp_path / "out" / "media").iterdir())
    for path in written:
        sha = path.stem
        assert (tmp_path / "store" / "media" / sha[:2] / sha).read_bytes() == path.read_bytes()
    assert [p.suffix for p in written if p.stat().st_size > 1 << 24] == [".mp4"]
    assert peak < 8 << 20, f"building the site held {peak} bytes at once"


def test_card_images_are_left_out_under_no_media(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "store")
    archive.add(fixture_bytes("constructed/tra_2023_card_rendered_quote.html"))
    preview = (
        "https://opengraph.githubassets.com/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978"
        "8796a5b4c3d2e1f0/example/repo"
    )
    image = _png()
    sha = hashlib.sha256(image).hexdigest()
    archive.store_media(
        [
            (
                image,
                MediaEntry(
                    sha256=sha, size=len(image), type="card", url=preview, origin=preview, time=T0
                ),
            )
        ]
    )
    build_site(archive, tmp_path / "full")
    (full,) = (tmp_path / "full" / "t").glob("*.html")
    assert f'<img src="../media/{sha}.png" alt="GitHub - example/repo' in full.read_text()
    build_site(archive, tmp_path / "light", media=False)
    (light,) = (tmp_path / "light" / "t").glob("*.html")
    assert "<img" not in light.read_text()
    assert "Card kept in the archive, left out of this site" in light.read_text()
    assert list((tmp_path / "light" / "media").iterdir()) == []


def test_tweets_are_numbered_by_their_place_when_the_author_marks_are_irregular(
    tmp_path: Path,
) -> None:
    archive = Archive(tmp_path / "store")
    done = archive.add(
        "Thread by @a\n1/4 One.\n3/4 Two.\nFour, no mark.\n(5 of 9) Five.\n• • •\n".encode()
    )
    build_site(archive, tmp_path / "out")
    html = (tmp_path / "out" / "t" / f"{done.document}.html").read_text()
    assert re.findall(r'<a class="number" [^>]*>([^<]*)</a>', html) == ["1/", "2/", "3/", "4/"]
    texts = re.findall(r'<div class="text">([^<]*)</div>', html)
    assert texts == ["1/4 One.", "3/4 Two.", "Four, no mark.", "(5 of 9) Five."]
    index = (tmp_path / "out" / "assets" / "search-index.js").read_text()
    assert [row["number"] for row in json.loads(index.split(" = ", 1)[1].rstrip(";\n"))] == [
        "1", "2", "3", "4",
    ]  # fmt: skip


def test_pictures_without_alt_text_are_named_and_tweet_text_has_its_language(
    tmp_path: Path,
) -> None:
    """A photo the copy gave no alt text is still described (an empty alt would call it
    decoration), and a tweet's text carries the language the copy gave it."""
    data = json.loads(
        fixture_bytes("answers/constructed_syndication_edited_video_quote_reply.input.json")
    )
    data["lang"] = "ja"
    data["text"] = "夜明けの川"
    data["mediaDetails"] = [{"type": "photo", "media_url_https": PHOTO}]
    data.pop("quoted_tweet", None)
    data.pop("parent", None)
    archive = Archive(tmp_path / "store")
    tweet = data["id_str"]
    archive.add(json.dumps(data).encode(),
                url="https://cdn.syndication.twimg.com/tweet-result?id=" + tweet)  # fmt: skip
    png = _png()
    archive.store_media([stored_photo(png, PHOTO, tweet, T0)])
    build_site(archive, tmp_path / "browse")
    [page_path] = (tmp_path / "browse" / "t").glob("*.html")
    text = page_path.read_text(encoding="utf-8")
    assert 'alt=""' not in text
    assert re.search(r'<img src="[^"]+\.png" alt="Photo"', text)
    assert '<div class="text" lang="ja">夜明けの川</div>' in text
