from ninja import Router

router = Router(tags=["信访举报"])
