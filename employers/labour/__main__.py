"""Recompute the stored labour findings: ``python -m employers.labour refresh [--all]``.

The district view refreshes what is due before it reads; run this daily (cron) so the first
officer of the day does not wait for it, and with --all after a bulk import.
"""

from __future__ import annotations

import asyncio
import sys


async def _main(everything: bool) -> int:
    from core import db
    from core.clock import today
    from employers.labour.services.findings import refresh_all, refresh_due

    await db.on_startup()
    try:
        return await (refresh_all if everything else refresh_due)(today())
    finally:
        await db.on_shutdown()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "refresh":
        raise SystemExit("用法：python -m employers.labour refresh [--all]")
    count = asyncio.run(_main("--all" in sys.argv[2:]))
    print(f"已重新计算 {count} 名从业人员的劳动保障问题。")
