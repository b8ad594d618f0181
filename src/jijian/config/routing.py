# WebSocket routes; the video reception signalling and live review queues add theirs here.
websocket_urlpatterns: list = []
