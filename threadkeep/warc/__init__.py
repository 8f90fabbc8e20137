"""Web-archive (WARC) files: what threadkeep reads from them and writes into them.

Reading: :mod:`threadkeep.warc.read` (records of ``.warc`` and ``.warc.gz`` files),
:mod:`threadkeep.warc.index` (record offsets) and :mod:`threadkeep.warc.wacz`. Writing:
:mod:`threadkeep.warc.write` (``warcinfo``, ``response``, ``revisit``, ``request``). warcio is
imported only when a file is read or written (``pip install 'threadkeep[warc]'``). This package
imports nothing of threadkeep's but its shared modules, models, errors and ``parse``: the
archive (``export --format warc``) and the batch (``convert``, ``archive``) call it.
"""
