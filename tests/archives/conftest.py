"""What the archives tests share as fixtures."""

from __future__ import annotations

import pytest

from tests.conftest import make_user


@pytest.fixture
def staff(tree):
    return {
        "org": make_user("zzb_sx", tree.county, "org_department"),
        "keeper": make_user("gj_sx", tree.county, "cadre_supervision"),
        "leader": make_user("ld_sx", tree.county, "commission_leader"),
        "other_org": make_user("zzb_gs", tree.other_county, "org_department"),
        "other_keeper": make_user("gj_gs", tree.other_county, "cadre_supervision"),
        "other_leader": make_user("ld_gs", tree.other_county, "commission_leader"),
        "petition_office": make_user("xf_sx", tree.county, "petition_office"),
        "case_management": make_user("ag_sx", tree.county, "case_management"),
        "case_review": make_user("sl_sx", tree.county, "case_review"),
    }
