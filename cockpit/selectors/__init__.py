"""Reads of the cockpit: every figure computed from records, through the owning apps' selectors where they exist.

One module per chain of the report: `organization` (组织链), `service` (服务链), `innovation` (创新链: investment,
matching, talent). `summary` assembles the headline figures of the API and the monthly report.
"""
