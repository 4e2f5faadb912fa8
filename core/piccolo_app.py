"""The one Piccolo app: every table of every package, one linear migration history."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from certification.tables import TABLES as CERTIFICATION_TABLES
from core import tables as core_tables
from core.claims.tables import TABLES as CLAIM_TABLES
from core.messages.tables import TABLES as MESSAGE_TABLES
from employers.labour.tables import TABLES as LABOUR_TABLES
from employers.tables import TABLES as EMPLOYERS_TABLES
from training.tables import TABLES as TRAINING_TABLES

ROOT = Path(__file__).resolve().parent.parent

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=str(ROOT / "migrations"),
    table_classes=[
        core_tables.Person,
        core_tables.PersonName,
        core_tables.PersonIdNumber,
        core_tables.WorkPeriod,
        core_tables.User,
        core_tables.ApiToken,
        core_tables.PasswordReset,
        core_tables.AuditLog,
        core_tables.StoredFile,
        core_tables.Qualification,
        core_tables.QualificationLevel,
        core_tables.ConditionEdition,
        core_tables.Credential,
        core_tables.CredentialStatusChange,
        core_tables.CredentialEvent,
        *MESSAGE_TABLES,
        *CLAIM_TABLES,
        *TRAINING_TABLES,
        *CERTIFICATION_TABLES,
        *EMPLOYERS_TABLES,
        *LABOUR_TABLES,
    ],
    migration_dependencies=[],
    commands=[],
)
