"""Facility staffing compliance (托育机构人员配备合规检查).

Pure engine over a snapshot; see ``engine.evaluate`` and ``python -m employers.compliance``.
"""
