from celery import shared_task


@shared_task
def end_roles_after_holdings() -> int:
    """End the village-member role of the holders whose holding was dated to end later and has now
    ended (each holding once; safe to run twice)."""
    from .services import post_holding_roles_end

    return post_holding_roles_end()
