from ninja import Router

router = Router(tags=["chain-map"])
