"""threadkeep: keep tweets that would otherwise be lost.

Parse the copies that survive (Thread Reader unrolls and listings, embedded tweets, oEmbed
answers, text copies) into typed models::

    import threadkeep
    thread = threadkeep.parse(open("page.html", "rb").read(), url="https://threadreaderapp.com/thread/1.html")
    thread.tweets[0].text, thread.author.handle, thread.complete

Keep them in an archive (``threadkeep.Archive``), fetch pages politely (``threadkeep.Client``),
and find a deleted thread's copies in the web archive (``threadkeep.recover``).

Every public name is importable from here, and each is loaded on first use: ``import
threadkeep`` costs only this file and the error classes, so a script that only parses never
loads the fetcher (httpx) or the archive, and ``threadkeep --version`` answers at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadkeep._lazy import lazy_names
from threadkeep._version import __version__
from threadkeep.errors import (
    ArchiveError,
    BadTarget,
    ClusterError,
    CorruptStore,
    FetchError,
    FetchTimeout,
    ForbiddenAddress,
    HTTPStatusError,
    LeaseLost,
    LockTimeout,
    MalformedExport,
    MalformedPage,
    ParseError,
    ResponseTooLarge,
    SiteError,
    ThreadkeepError,
    UnsupportedPage,
)

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from threadkeep.archive import Archive
    from threadkeep.fetch import AsyncClient, Capture, Client, syndication_token
    from threadkeep.models import (
        Article,
        Author,
        Export,
        Link,
        Listing,
        Media,
        Origin,
        Result,
        Sighting,
        Thread,
        ThreadPreview,
        Tweet,
        snowflake_time,
    )
    from threadkeep.parsing import detect, parse
    from threadkeep.urls import thread_id, tweet_id
    from threadkeep.wayback import RecoverReport, recover

# Public name → the module that defines it, imported when the name is first asked for.
_LAZY = {
    "Archive": "threadkeep.archive",
    "AsyncClient": "threadkeep.fetch",
    "Capture": "threadkeep.fetch",
    "Client": "threadkeep.fetch",
    "syndication_token": "threadkeep.fetch",
    **dict.fromkeys(
        (
            "Article",
            "Author",
            "Export",
            "Link",
            "Listing",
            "Media",
            "Origin",
            "Result",
            "Sighting",
            "Thread",
            "ThreadPreview",
            "Tweet",
            "snowflake_time",
        ),
        "threadkeep.models",
    ),
    "detect": "threadkeep.parsing",
    "parse": "threadkeep.parsing",
    "RecoverReport": "threadkeep.wayback",
    "recover": "threadkeep.wayback",
    "thread_id": "threadkeep.urls",
    "tweet_id": "threadkeep.urls",
}


__all__ = [
    "Archive",
    "ArchiveError",
    "Article",
    "AsyncClient",
    "Author",
    "BadTarget",
    "Capture",
    "Client",
    "ClusterError",
    "CorruptStore",
    "Export",
    "FetchError",
    "FetchTimeout",
    "ForbiddenAddress",
    "HTTPStatusError",
    "LeaseLost",
    "Link",
    "Listing",
    "LockTimeout",
    "MalformedExport",
    "MalformedPage",
    "Media",
    "Origin",
    "ParseError",
    "RecoverReport",
    "ResponseTooLarge",
    "Result",
    "Sighting",
    "SiteError",
    "Thread",
    "ThreadPreview",
    "ThreadkeepError",
    "Tweet",
    "UnsupportedPage",
    "__version__",
    "detect",
    "parse",
    "recover",
    "snowflake_time",
    "syndication_token",
    "thread_id",
    "tweet_id",
]

__getattr__, __dir__ = lazy_names(globals(), _LAZY, __all__)
