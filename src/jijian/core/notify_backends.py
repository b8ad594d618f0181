"""SMS and e-mail behind one interface. The default logs; a deployment names its gateway in
JIJIAN_SMS_BACKEND (a dotted path to a class with `send(to, text, idempotency_key)`)."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("jijian.notify")


class NotifyBackend:
    def send(self, *, to: str, subject: str, text: str, idempotency_key: str) -> None:
        raise NotImplementedError


class LogBackend(NotifyBackend):
    """Writes the message to the log (and, in tests, to `LogBackend.outbox`)."""

    outbox: list[dict] = []

    def send(self, *, to: str, subject: str, text: str, idempotency_key: str) -> None:
        LogBackend.outbox.append({"to": to, "subject": subject, "text": text, "key": idempotency_key})
        log.info("notify to=%s key=%s subject=%s", to[:3] + "****", idempotency_key, subject)


class EmailBackend(NotifyBackend):
    def send(self, *, to: str, subject: str, text: str, idempotency_key: str) -> None:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


class HttpSmsBackend(NotifyBackend):
    """A generic intranet SMS gateway: POST JSON {to, text, id} to JIJIAN_SMS_GATEWAY_URL. The id lets
    the gateway drop a repeat if a worker died between sending and recording the send."""

    def send(self, *, to: str, subject: str, text: str, idempotency_key: str) -> None:
        body = json.dumps(
            {"to": to, "text": f"【纪检】{subject}：{text}"[:300], "id": idempotency_key}
        ).encode()
        if settings.SMS_GATEWAY_URL is None:
            raise OSError("JIJIAN_SMS_GATEWAY_URL is not set")
        req = urllib.request.Request(  # noqa: S310 - http(s) only, checked in settings
            settings.SMS_GATEWAY_URL, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - URL scheme checked in settings
            if resp.status >= 300:
                raise OSError(f"SMS gateway answered {resp.status}")


def backend_for(channel: str) -> NotifyBackend:
    path = settings.SMS_BACKEND if channel == "sms" else settings.EMAIL_NOTIFY_BACKEND
    return import_string(path)()
