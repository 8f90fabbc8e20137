"""threadkeep: keep tweets that would otherwise be lost.

Parse the copies that survive (Thread Reader unrolls and listings, embedded tweets, oEmbed
answers, text copies) into typed models::

    import threadkeep
    thread = threadkeep.parse(open("page.html", "rb").read(), url="https://threadreaderapp.com/thread/1.html")
    thread.tweets[0].text, thread.author.handle, thread.complete
"""

from __future__ import annotations

from threadkeep._version import __version__
from threadkeep.archive import Archive
from threadkeep.capture import Capture
from threadkeep.errors import (
    ArchiveError,
    CorruptStore,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    LockTimeout,
    MalformedPage,
    ParseError,
    ResponseTooLarge,
    ThreadkeepError,
    UnsupportedPage,
)
from threadkeep.fetch import AsyncClient, Client
from threadkeep.fetchurls import syndication_token
from threadkeep.models import (
    Article,
    Author,
    Link,
    Listing,
    Media,
    Result,
    Sighting,
    Thread,
    ThreadPreview,
    Tweet,
    snowflake_time,
)
from threadkeep.parse import detect, parse
from threadkeep.urls import thread_id, tweet_id

__all__ = [
    "Archive",
    "ArchiveError",
    "Article",
    "AsyncClient",
    "Author",
    "Capture",
    "Client",
    "CorruptStore",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "Link",
    "Listing",
    "LockTimeout",
    "MalformedPage",
    "Media",
    "ParseError",
    "ResponseTooLarge",
    "Result",
    "Sighting",
    "Thread",
    "ThreadPreview",
    "ThreadkeepError",
    "Tweet",
    "UnsupportedPage",
    "__version__",
    "detect",
    "parse",
    "snowflake_time",
    "syndication_token",
    "thread_id",
    "tweet_id",
]
