"""Web-archive (WARC) files: reading their records (``read``, ``index``, ``wacz``)."""
