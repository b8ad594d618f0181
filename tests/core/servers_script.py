"""Run by tests/core/test_servers.py in a subprocess with the environment of the app servers (their
DATABASE_URL names a database the test created and migrated): loads the few rows the two-server test
needs and prints them as one JSON line. Django reads DATABASES once at start-up, so this needs a
process of its own, like tests/core/replica_script.py.

    python tests/core/servers_script.py setup
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")

import django  # noqa: E402

django.setup()

from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from jijian.core.roles import Module, Role  # noqa: E402

# A fixed authenticator secret: the test computes the current code from it to complete the sign-in.
OTP_KEY = "3132333435363738393031323334353637383930"


# The booking code the petitioner was given (shown once when booking; only its hash is stored).
BOOKING_CODE = "SV7K2M9Q"


def setup() -> dict:
    from django.utils import timezone

    from jijian.reception.models import ReceptionState
    from jijian.reception.services import booking_code_hash
    from tests.conftest import make_tree, make_user
    from tests.reception.helpers import reception
    from tests.reports.helpers import OCT, report

    tree = make_tree()
    officer = make_user("county_officer", tree.county, Role.CONDUCT_SUPERVISION)
    TOTPDevice.objects.create(user=officer, name="手机", confirmed=True, key=OTP_KEY)
    report(tree.village_a, OCT)
    report(tree.village_a2, OCT)
    # A video reception of the city's petition office, in session today (opening the media room needs
    # Janus, which this test does not run: the session's chat does not use it).
    receiver = make_user("city_receiver", tree.city, Role.PETITION_OFFICE)
    assert receiver.has_module(Module.RECEPTION)
    TOTPDevice.objects.create(user=receiver, name="手机", confirmed=True, key=OTP_KEY)
    session = reception(tree.city, state=ReceptionState.IN_SESSION, day=timezone.localdate())
    session.code_hash = booking_code_hash(BOOKING_CODE)
    session.started_at = timezone.now()
    session.save(update_fields=["code_hash", "started_at"])
    return {
        "county_id": tree.county.pk,
        "otp_key": OTP_KEY,
        "username": officer.username,
        "receiver": receiver.username,
        "receiver_id": receiver.pk,
        "reception_id": session.pk,
        "booking_code": BOOKING_CODE,
    }


if __name__ == "__main__":
    print(json.dumps({"setup": setup}[sys.argv[1]]()))
