"""Pages of a list that count only what they must.

Django's Paginator counts the rows (one statement) before it reads the page (a second one). A list
page searched down to a few rows — an archive looked up by name or ID number — shows fewer rows than
a page holds, and then the count is known from the page itself: the rows before it plus its own. The
count is read only when the page is full (more may follow) or the requested page is empty (the last
page is shown instead, as Paginator.get_page does)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class ShortPagePaginator(Paginator):
    """A Paginator whose get_page reads the page first and counts only when the page is full or
    empty; page numbers, counts and the pages shown are those of Paginator.get_page."""

    def get_page(self, number) -> Page:
        if self.orphans or "count" in self.__dict__:
            return super().get_page(number)
        if number is None or number == "":
            number = 1
        if type(number) is not int and not (isinstance(number, str) and number.isdigit()):
            # "x", "2.0", 2.5, "-1": Paginator's own rules (page 1, or the last page).
            return super().get_page(number)
        number = int(number)
        if number < 1:
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows:
            if number == 1 and self.allow_empty_first_page:
                self.count = 0
                return Page(rows, 1, self)
            return super().get_page(number)  # past the end: the last page, counted
        if len(rows) < self.per_page:
            self.count = bottom + len(rows)
        # A full page: the count (self.count, one statement) tells how many pages follow.
        return Page(rows, number, self)
