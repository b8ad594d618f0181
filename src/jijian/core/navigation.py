"""The menu: each app names its own entries in a `nav.py` module, core only collects and shows them.
The same for the pages the public reaches without signing in (reporting, booking a video reception),
which the sign-in page offers to a visitor who came to the wrong door: `register_public`.

An app's `nav.py` calls `register(...)` with its entries when core is ready (core's AppConfig runs
Django's `autodiscover_modules("nav")`, as the admin does for `admin.py`), so core names no platform.
Entries are ordered by `position` across apps: the menu reads in the order of the work, not of
INSTALLED_APPS. A page may appear under more than one module (the 廉政意见回复 list is reached by the
commission's offices through their own modules); it is shown once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from .roles import Role


@dataclass(frozen=True)
class NavEntry:
    position: int  # where the entry stands in the menu (10, 20, …; gaps leave room)
    module: str  # the module (core.roles.Module) the user must hold
    label: object  # lazy text
    url_name: str
    roles: frozenset[Role] | None = None  # only these roles see it (None: all holders of the module)
    shown_if: Callable[[object], bool] | None = None  # a further test: the page has something for them

    def shown_to(self, user, modules, roles) -> bool:
        return (
            self.module in modules
            and (self.roles is None or bool(roles & self.roles))
            and (self.shown_if is None or self.shown_if(user))
        )


_entries: list[NavEntry] = []


def register(entries: Iterable[NavEntry]) -> None:
    _entries.extend(entries)
    _entries.sort(key=lambda entry: entry.position)


def entries() -> list[NavEntry]:
    return list(_entries)


def menu_for(user) -> list[dict]:
    """The user's menu: every entry their modules and roles reach, each page once."""
    modules, roles = user.modules, user.role_set
    items: list[dict] = []
    seen: set[str] = set()
    for entry in _entries:
        if entry.url_name in seen or not entry.shown_to(user, modules, roles):
            continue
        seen.add(entry.url_name)
        items.append({"label": entry.label, "url": reverse(entry.url_name), "active": False})
    return items


@dataclass(frozen=True)
class PublicLink:
    """A page for the public (no sign-in) that the sign-in page offers."""

    position: int
    label: object  # lazy text
    url_name: str
    element_id: str = ""  # the link's id on the page, for tests and the help text


_public: list[PublicLink] = []


def register_public(links: Iterable[PublicLink]) -> None:
    _public.extend(links)
    _public.sort(key=lambda link: link.position)


def public_links() -> list[dict]:
    """The public pages, in order: label, url and id, as the sign-in page lists them."""
    return [{"label": link.label, "url": reverse(link.url_name), "id": link.element_id} for link in _public]
