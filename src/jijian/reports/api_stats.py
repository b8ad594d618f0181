"""Statistics of the monthly reports as JSON, scoped like the page: a node outside the caller's
subtree (or a caller without a supervisor role) is a 404; a bad month range is a 400 in Chinese."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from jijian.core.api.limits import ApiId

from .services import today
from .statistics import month_range, node_statistics, stats_node_for

router = Router(tags=["履职月报"])


class StatsQuery(Schema):
    node: ApiId | None = Field(None, description="组织单位 id；缺省为本人所在单位")
    from_month: str = Field("", alias="from", max_length=7, description="起始月份 YYYY-MM；缺省为上月")
    to_month: str = Field("", alias="to", max_length=7, description="结束月份 YYYY-MM")


@router.get("/", summary="履职月报统计（含下级单位、趋势、排名、履职事项）")
def stats_summary(request, filters: Query[StatsQuery]):
    node = stats_node_for(request.auth, filters.node)
    start, end, errors = month_range(filters.from_month, filters.to_month, today=today())
    if errors:
        raise ValidationError(errors)
    return node_statistics(user=request.auth, node=node, start=start, end=end).as_dict()
