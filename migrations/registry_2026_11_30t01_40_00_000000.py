"""Hand-written (what is published is chosen): a status change keeps a public
reason and an internal note. Additive only: one new column,
``credential_status_change.internal_note`` (text, default ''), for 人社局 officers only.

What happens to the existing reasons, and why. Before this migration each change had one reason,
written to ``credential.status_reason`` and ``credential_status_change.reason``. That text was
public: the verification page, the QR landing page and the public verification API showed
``status_reason`` for suspended, revoked, superseded and expired certificates; the history
(every change's ``reason``) was shown to the holder on 我的证书 and in the certificate API that
the holder and consenting employers read. The review queue's decisions had written the
officer's 核查意见 into that same public reason. So no existing reason was private, and keeping
every one of them as the public reason publishes nothing new: the columns keep their text and
their meaning (``reason`` / ``status_reason`` = public reason). Existing rows get an empty
internal note. Nothing private can become public because nothing is moved into a public
column. (One read path changes in code, not data: a certificate stored valid and read as
expired before the nightly job now shows "有效期届满", not the text of an earlier
reinstatement.)
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T01:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "internal note (never public) on credential status changes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_column(
        table_class_name="CredentialStatusChange", tablename="credential_status_change",
        column_name="internal_note", db_column_name="internal_note", column_class_name="Text",
        column_class=Text,
        params={"default": "", "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    return manager
