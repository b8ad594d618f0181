"""The session's text chat over a WebSocket (Channels): the same short-lived join token as the room
opens it, for that reception only, while its session runs. Every message is stored with the session
(encrypted) before it is passed to the others."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

MAX_CHARS = 1000


def _group(reception_id: int) -> str:
    return f"reception-chat-{reception_id}"


@database_sync_to_async
def _claims(reception_id: int, token: str) -> dict | None:
    from . import services
    from .access import reception_by_pk

    reception = reception_by_pk(reception_id)
    if reception is None:
        return None
    try:
        return services.join_token_check(token=token, reception=reception)
    except ValidationError:
        return None


@database_sync_to_async
def _store(reception_id: int, claims: dict, text: str) -> dict:
    from .models import ReceptionChatMessage, ReceptionState, VideoReception

    if not VideoReception.objects.filter(pk=reception_id, state=ReceptionState.IN_SESSION).exists():
        raise ValidationError(gettext("本次视频接访已结束"))
    message = ReceptionChatMessage.objects.create(
        reception_id=reception_id, participant=claims["p"], display=claims["d"], text=text
    )
    return {
        "from": message.display,
        "text": message.text,
        "at": timezone.localtime(message.sent_at).strftime("%H:%M:%S"),
    }


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.reception_id = int(self.scope["url_route"]["kwargs"]["pk"])
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
        self.claims = await _claims(self.reception_id, token)
        if self.claims is None:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(_group(self.reception_id), self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "claims", None):
            await self.channel_layer.group_discard(_group(self.reception_id), self.channel_name)

    async def receive_json(self, content, **kwargs):
        text = str(content.get("text", "")).strip()
        if not text:
            return
        if len(text) > MAX_CHARS:
            await self.send_json(
                {"error": gettext("每条消息不超过%(MAX_CHARS)s字") % {"MAX_CHARS": MAX_CHARS}}
            )
            return
        try:
            message = await _store(self.reception_id, self.claims, text)
        except ValidationError as error:
            await self.send_json({"error": error.messages[0]})
            await self.close()
            return
        await self.channel_layer.group_send(
            _group(self.reception_id), {"type": "chat.message", "message": message}
        )

    async def chat_message(self, event):
        await self.send_json(event["message"])
