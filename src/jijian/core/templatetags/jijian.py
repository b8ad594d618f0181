from django import template

from jijian.core.crypto import mask_id_number, mask_phone

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_id_number", mask_id_number)
