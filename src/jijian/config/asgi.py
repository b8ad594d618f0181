import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")

import django  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application() does

from jijian.core.handlers import SyncChainASGIHandler  # noqa: E402
from jijian.reports.submit_loop import SUBMIT_ON_LOOP  # noqa: E402

# Month-end's submit is answered on the event loop, everything else in request threads.
django_asgi_app = SyncChainASGIHandler(loop_answers=(SUBMIT_ON_LOOP,))

from channels.auth import AuthMiddlewareStack  # noqa: E402

from jijian.config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

from jijian.core.heap import freeze_startup_heap  # noqa: E402

freeze_startup_heap()  # last: everything above is loaded and stays for the life of the process
