"""Feed exporter writing each record as pydantic's own JSON, one per line.

Scrapy's JSON encoder turns datetimes into naive "YYYY-MM-DD HH:MM:SS" strings; the
records' contract is ISO 8601 with an offset, which pydantic's serialiser gives.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from pydantic import BaseModel
from scrapy.exporters import BaseItemExporter, JsonLinesItemExporter


class RecordJsonLinesExporter(BaseItemExporter):
    def __init__(self, file: BinaryIO, **kwargs: Any):
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        # anything that is not a record (an item from another spider) still exports
        self._fallback = JsonLinesItemExporter(file, **kwargs)

    def export_item(self, item: Any) -> None:
        if isinstance(item, BaseModel):
            self.file.write(item.model_dump_json().encode("utf-8") + b"\n")
        else:
            self._fallback.export_item(item)
