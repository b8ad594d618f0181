"""Builders the primary-responsibility tests share."""

from __future__ import annotations

from django.test import Client

from tests.conftest import sign_in


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client
