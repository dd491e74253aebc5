"""The published JSON Schema of one InboundEvent: ``docs/inbound-event.schema.json``.

After a change to the contract (``comptoir.channels.events``), regenerate the file with
``python -m comptoir.ingest.schema``; a test fails while the committed file differs from
what ``render`` gives. The API serves the same schema at /api/v1/schemas/inbound-event.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "inbound-event.schema.json"


def render() -> str:
    from comptoir.channels.events import inbound_event_schema

    return json.dumps(inbound_event_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    django.setup()
    PUBLISHED.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
