from ninja import Router

router = Router(tags=["履职月报"])
