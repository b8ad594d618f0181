"""The JSON API at /api/ (OpenAPI at /api/openapi.json), assembled here and only here: the routers
live next to their services (core's in core_api.py, each platform's in its app) and import what they
share from jijian.core.api, never this package. One error format for every failure
(jijian.core.api.errors): {"error": {"code": "...", "message": "<中文>", "details": [...]}}. Scoped
like the pages: a record outside the caller's jurisdiction is a 404."""

from __future__ import annotations

from ninja import NinjaAPI

from jijian.core.api import errors
from jijian.core.api.auth import SessionAuth, TokenAuth
from jijian.core.api.limits import TextParser

api = NinjaAPI(
    title="纪检监察工作平台 API",
    version="1",
    description="jijian API. 认证：浏览器会话（含 CSRF）或 Bearer 令牌。所有错误格式相同。",
    auth=[TokenAuth(), SessionAuth()],
    renderer=errors.renderer,
    parser=TextParser(),
    urls_namespace="api",
)
errors.add_error_handlers(api)

api.add_router("/", "jijian.api.core_api.router")
api.add_router("/reports/", "jijian.reports.api_member.router")
api.add_router("/reports/review/", "jijian.reports.api_review.router")
api.add_router("/reports/stats/", "jijian.reports.api_stats.router")
api.add_router("/petitions/", "jijian.petitions.handling.api.router")
api.add_router("/petitions/clues/", "jijian.petitions.clues.api.router")
api.add_router("/responsibility/", "jijian.responsibility.api.router")
api.add_router("/village/", "jijian.villageaffairs.api.router")
api.add_router("/archives/", "jijian.archives.api.router")
api.add_router("/manual/", "jijian.manual.api.router")
api.add_router("/training/", "jijian.training.api.router")
api.add_router("/evaluation/", "jijian.evaluation.api.router")
api.add_router("/cadres/", "jijian.cadres.api.router")
