from django.urls import path

from .consumers import ChatConsumer

websocket_urlpatterns = [path("ws/reception/<int:pk>/chat/", ChatConsumer.as_asgi())]
