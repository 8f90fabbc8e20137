"""Web-archive (WARC) files: what threadkeep reads from them and writes into them.

:mod:`threadkeep.warc.write` writes records (``warcinfo``, ``response``, ``revisit``,
``request``) with warcio, imported only when a file is written (``pip install
'threadkeep[warc]'``). This package imports nothing of threadkeep's but its shared modules,
models and errors: the archive (``export --format warc``) and the batch (``archive --warc``)
call it.
"""
