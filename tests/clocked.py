"""Run a module as ``python -m`` would, with the product's clock (core.clock) frozen first:

    python -m tests.clocked 2026-11-30T06:00:00+00:00 uvicorn composition:app --port 8001

For apps served in their own process by tests (tests/servers.py): rate-limit windows and locks
follow that clock, so a test's hits all fall into one window however long the test takes.
"""

from __future__ import annotations

import runpy
import sys
from datetime import datetime

from core import clock


def main() -> None:
    instant, module, *args = sys.argv[1:]
    clock.set_now(datetime.fromisoformat(instant))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
