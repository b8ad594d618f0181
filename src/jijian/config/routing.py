# WebSocket routes; the video reception signalling and live review queues add theirs here.
from jijian.reception.routing import websocket_urlpatterns as reception_websockets

websocket_urlpatterns: list = [*reception_websockets]
