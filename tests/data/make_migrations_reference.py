"""Write the reference snapshot of the migrations for one engine:
``tests/data/migrations_reference.<sqlite|postgresql>.json``.

The snapshot is the schema and every row of a fresh database migrated with the migrations of
``REFERENCE_COMMIT`` (tests/test_migrations_frozen.py), as that module's ``_sqlite_state`` /
``_pg_state`` read them. Regenerate it never, unless ``REFERENCE_COMMIT`` changes (or the state
format of that module does); it needs the git history holding that commit. From the
repository's root:

    .venv/bin/python tests/data/make_migrations_reference.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python tests/data/make_migrations_reference.py

SQLite without DATABASE_URL; with a PostgreSQL URL, a scratch database
``<name>_mig_snapshot`` is created next to it and dropped afterwards.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Migrate the reference tree and write the snapshot of this DATABASE_URL's engine."""
    sys.path.insert(0, str(ROOT))
    from tests.test_migrations_frozen import dumps, reference_snapshot, snapshot_path

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgresql://", "postgres://")):
        database = (urlparse(url).path.lstrip("/") or "postgres") + "_mig_snapshot"
    else:
        url, database = "", "reference"
    snapshot = reference_snapshot(url, database)
    path = snapshot_path(snapshot["engine"])
    path.write_text(dumps(snapshot) + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes, "
          f"up to {snapshot['migrated_up_to']}")


if __name__ == "__main__":
    main()
