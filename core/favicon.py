"""``/favicon.ico``: the site icon at the address browsers and bookmarks ask for by default.

Pages link ``/static/favicon.svg`` (templates/base.html, with the ICO as the fallback); this
route serves the same icon as ICO (16, 32 and 48 px) at the root, so it never answers 404."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.response import File

FAVICON_ICO = Path(__file__).resolve().parents[1] / "static" / "favicon.ico"


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    """The ICO file, cacheable for a day."""
    return File(FAVICON_ICO, media_type="image/x-icon", content_disposition_type="inline",
                headers={"Cache-Control": "public, max-age=86400"})
