"""What every API router may import: authentication (session or bearer token), the API token model
and the one error format. The routers live next to their services (the platforms' in their own
apps, core's in the `api` app's core_api.py); only the `api` app assembles them into the NinjaAPI."""

from . import limits  # noqa: F401 - registers the `{id:...}` path converter before any router is built
