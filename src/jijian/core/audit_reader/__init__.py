"""The audit administrator's reader of the audit trail: scoped list, detail and CSV export.

It sits in core, above the trail itself (jijian.audit), because reading needs what core knows — who
the user is, their subtree, their modules — and the trail must know nothing of that.
"""
