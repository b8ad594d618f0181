"""Fixtures every test module of the monthly reports may ask for by name."""

from tests.department_helpers import depts  # noqa: F401 - resident groups and department members (issue 19.6)
from tests.reports.helpers import october  # noqa: F401 - the shared month of hand-made reports
