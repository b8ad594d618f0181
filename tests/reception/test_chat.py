"""The session's chat (Channels): the join token opens it for its own reception only; messages reach
the others and are stored with the session; a forged token or another reception's is refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.routing import URLRouter

from jijian.reception import services
from jijian.reception.models import ReceptionChatMessage, ReceptionState
from jijian.reception.routing import websocket_urlpatterns
from tests.event_loop import run_loop
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db(transaction=True)

app = URLRouter(websocket_urlpatterns)


def in_session(tree):
    r = reception(tree.city, state=ReceptionState.IN_SESSION, day=date.today())
    r.room_id = 20_000_000 + r.pk
    r.save(update_fields=["room_id"])
    return r


def token(r, who="petitioner", display="信访人"):
    return services.join_token_mint(reception=r, participant=who, display=display)


class Socket:
    """A WebSocket client speaking ASGI to the consumer (asgiref's communicator; channels.testing
    needs daphne, which the project does not install)."""

    def __init__(self, path: str, query: str):
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": query.encode(),
            "headers": [],
            "subprotocols": [],
        }
        self.c = ApplicationCommunicator(app, scope)

    async def connect(self) -> bool:
        await self.c.send_input({"type": "websocket.connect"})
        return (await self.c.receive_output(timeout=5))["type"] == "websocket.accept"

    async def send_json_to(self, data) -> None:
        await self.c.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout=5):
        return json.loads((await self.c.receive_output(timeout=timeout))["text"])

    async def disconnect(self) -> None:
        await self.c.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.c.wait(timeout=5)


async def _connect(r, tok):
    ws = Socket(f"/ws/reception/{r.pk}/chat/", f"token={tok}")
    return ws, await ws.connect()


def test_messages_reach_the_others_and_are_kept(tree):
    r = in_session(tree)

    async def run():
        petitioner, ok1 = await _connect(r, token(r))
        official, ok2 = await _connect(r, token(r, "official:1", "谢兰莉（随州市）"))
        assert ok1 and ok2
        await petitioner.send_json_to({"text": "我有一份材料要补充"})
        got = await official.receive_json_from(timeout=5)
        assert got["from"] == "信访人" and got["text"] == "我有一份材料要补充"
        assert (await petitioner.receive_json_from(timeout=5))["text"] == "我有一份材料要补充"
        await petitioner.disconnect()
        await official.disconnect()

    run_loop(run)
    kept = ReceptionChatMessage.objects.get(reception=r)
    assert kept.participant == "petitioner" and kept.text == "我有一份材料要补充"


def test_a_forged_or_foreign_token_is_refused(tree):
    r, other = in_session(tree), in_session(tree)

    async def run():
        _, forged = await _connect(r, "forged")
        _, foreign = await _connect(r, token(other))
        return forged, foreign

    assert run_loop(run) == (False, False)
