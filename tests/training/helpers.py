"""Builders the training tests share."""

from __future__ import annotations

from jijian.training import services


def answer_all(sitting, user, pick, device="d1"):
    for seq, item in enumerate(sitting.items.all(), start=1):
        services.answer_save(
            actor=user, sitting=sitting, position=item.position, values=pick(item), seq=seq, device=device
        )
