"""The local DynamoDB answering in time that does not grow with the table, as DynamoDB does.

moto 5.2 answers a Query on a table's own key by sorting every item of the table and keeping
those with the asked partition key, and it lists its own package folder (a ``stat`` per service)
to route every request. With 300 posts and their timelines, the emulator spent 60 % of its CPU
in that sort and 10 % in that listing, and published fewer posts per second than fall due when
a thousand are due in one minute (``bench/lateness.py``); DynamoDB reads one partition.

``install()`` makes a Query on the table's own key read only the asked partition (moto then
filters and sorts it as before: same items, same order, same pages) and lists moto's services
once. Queries on an index and Scans are unchanged. It patches the moto running in this process.
"""

from __future__ import annotations

import threading
from typing import Any

_PARTITION = threading.local()


def install() -> None:
    from moto import backends
    from moto.dynamodb.models import table as table_module

    table_class: Any = table_module.Table
    if getattr(table_class, "_freigabe_partition_reads", False):
        return
    services = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: services  # type: ignore[assignment]

    original_query = table_class.query
    original_all_items = table_class.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's positional order: range_comparison, range_objs, limit, exclusive_start_key,
        # scan_index_forward, projection_expressions, index_name, ...
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        _PARTITION.key = hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _PARTITION.key = None

    def all_items(self: Any) -> Any:
        key = getattr(_PARTITION, "key", None)
        if key is None:
            return original_all_items(self)
        # Only this partition: the query keeps the items whose hash key equals the asked one,
        # which are exactly these, and sorts them by range key itself.
        bucket = self.items.get(key)
        if bucket is None:
            return []
        return list(bucket.values()) if self.range_key_attr else [bucket]

    table_class.query = query
    table_class.all_items = all_items
    table_class._freigabe_partition_reads = True
