"""``python -m certification.keys list`` dates each key by the China day it was made."""

import subprocess
import sys
from datetime import UTC, datetime

from certification import keys
from core.actor import Actor
from tests.certification.test_signing_keys import _database_env


def test_key_list_shows_the_china_day(client, run, clock):
    clock.set_now(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # 07:30 on 30 November in China
    row = run(keys.rotate, Actor.system("test"))
    done = subprocess.run([sys.executable, "-m", "certification.keys", "list"],
                          env=_database_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"{row.id}\tcurrent\t2026-11-30\t{row.did}" in done.stdout
