"""The ASGI application of the two-server test (tests/core/test_servers.py): HTTP is jijian's own
application exactly as the Procfile serves it (jijian.config.asgi); WebSocket adds one test route,
because jijian has no WebSocket consumer yet (config/routing.py is empty until video reception and
the live queues add theirs). The route goes through the same stack as jijian's (allowed origins,
the session's user) to a consumer that relays what one socket sends to every socket of a group over
the channel layer: a message sent on one server reaches a socket held by the other only when the
layer is shared (channels-redis), not when it is the in-process memory layer."""

from __future__ import annotations

import os

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from jijian.config.asgi import application as jijian_application

GROUP = "servers-test"
SERVER = os.environ.get("JIJIAN_PORT", "")


class RelayConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.send_json({"ready": SERVER})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(
            GROUP, {"type": "relay.message", "text": content.get("text", ""), "sent_by": SERVER}
        )

    async def relay_message(self, event):
        await self.send_json({"text": event["text"], "sent_by": event["sent_by"], "received_by": SERVER})


application = ProtocolTypeRouter(
    {
        "http": jijian_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/servers-test/", RelayConsumer.as_asgi())]))
        ),
    }
)
