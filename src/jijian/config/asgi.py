import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from jijian.core.checks import refuse_unreadable_data  # noqa: E402

refuse_unreadable_data()  # before serving: stored data the configured keys do not open stops here

from channels.auth import AuthMiddlewareStack  # noqa: E402

from jijian.config.bodylimits import limit_for  # noqa: E402
from jijian.config.routing import websocket_urlpatterns  # noqa: E402
from jijian.core.ops.bodylimit import BodyLimitMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The body's size is limited here, before Django reads it (config/bodylimits.py).
        "http": BodyLimitMiddleware(django_asgi_app, limit_for),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

from jijian.core.ops.heap import freeze_startup_heap  # noqa: E402

freeze_startup_heap()  # last: everything above is loaded and stays for the life of the process
