"""Piccolo tables of labour-rights records (per staff link) and their dated parameters.

Money is integer fen; part-time hours are stored in hundredths of an hour (`hours_centi`).
`facility_id` is copied onto the computed findings so district views filter without joins.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from employers.tables import StaffLink


class LabourRecord(Table, tablename="labour_record"):
    """Form of employment and 职工名册 fields of one staff link (one row per link)."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, unique=True, index=True)
    form = Varchar(length=20)  # full_time | part_time | dispatched
    agency_name = Varchar(length=100, default="")
    agency_uscc = Varchar(length=18, default="")
    registered_address = Varchar(length=200, default="")  # 户籍地址
    current_address = Varchar(length=200, default="")  # 实际居住地址
    contact = Varchar(length=50, default="")  # 联系方式
    updated_at = Timestamptz()


class LabourContract(Table, tablename="labour_contract"):
    """A written labour contract (renewals are further rows; for dispatched staff, the agency's)."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    type = Varchar(length=20)  # fixed | open_ended | task
    signed_on = Date()
    start = Date()
    end = Date(null=True, default=None)
    probation_end = Date(null=True, default=None)
    created_at = Timestamptz()


class InsuranceRegistration(Table, tablename="labour_insurance"):
    """Social-insurance registration date of one kind for one staff link."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    kind = Varchar(length=20)  # pension | medical | unemployment | injury | maternity
    registered_on = Date()
    created_at = Timestamptz()


class WageEntry(Table, tablename="labour_wage"):
    """One pay slip: the month it is for, gross and countable pay (fen), pay date, hours."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    month = Varchar(length=7, index=True)  # YYYY-MM
    gross_fen = Integer()
    countable_fen = Integer()
    pay_date = Date(null=True, default=None)
    hours_centi = Integer(null=True, default=None)  # part-time hours × 100
    created_at = Timestamptz()


class LabourCase(Table, tablename="labour_case"):
    """A complaint or arbitration case (投诉、仲裁) about one staff link."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    kind = Varchar(length=20)  # wage_arrears | no_contract | no_insurance | other
    filed_on = Date()
    status = Varchar(length=20, default="open")  # open | in_progress | closed
    resolution = Text(default="")
    created_at = Timestamptz()


class MinimumWageRate(Table, tablename="labour_minimum_wage"):
    """The local minimum wage, dated (officers add a row when a new standard is announced)."""

    id = Serial(primary_key=True)
    region = Varchar(length=20, default="天津市")
    effective_from = Date()
    monthly_fen = Integer()
    hourly_fen = Integer()
    source = Text(default="")
    provisional = Boolean(default=False)
    created_at = Timestamptz()


class LabourCheck(Table, tablename="labour_check"):
    """When a staff link's findings were last computed, and when they may next change."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, unique=True, index=True)
    facility_id = Integer(index=True)
    # The staff link's own fields when computed: a change there makes the link due again.
    link_employment = Varchar(length=20, default="")
    link_start = Date(null=True, default=None)
    link_end = Date(null=True, default=None)
    checked_on = Date()
    next_check_on = Date(null=True, default=None, index=True)


class LabourFinding(Table, tablename="labour_finding"):
    """A computed finding (the pure rules' output), kept for the district-wide views."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    facility_id = Integer(index=True)
    code = Varchar(length=40, index=True)
    severity = Varchar(length=10)
    message = Text()
    since = Date()
    subject = Varchar(length=60, default="")
    amount_fen = Integer(null=True, default=None)
    computed_on = Date()
    position = SmallInt(default=0)


# Every table of this module, in creation order; the domain declaration lists them.
TABLES: list[type[Table]] = [
    LabourRecord, LabourContract, InsuranceRegistration, WageEntry, LabourCase, MinimumWageRate,
    LabourCheck, LabourFinding,
]
