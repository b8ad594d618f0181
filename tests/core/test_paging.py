"""core.paging.ShortPagePaginator: the same pages and counts as Django's Paginator.get_page, with
the count statement left out when the page read shows everything there is."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.core.models import OrgUnit
from jijian.core.paging import ShortPagePaginator


def units():
    return OrgUnit.objects.order_by("pk")


def statements(fn):
    """The page `fn` returns and the statements it took to read its rows and its count."""
    with CaptureQueriesContext(connection) as queries:
        page = fn()
        list(page), page.paginator.count, page.paginator.num_pages
    return page, len(queries)


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 100])
@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "99", "0", "-1", "x", "2.0", 2.5, 2])
def test_pages_and_counts_are_those_of_paginator(tree, per_page, number):
    expected = Paginator(units(), per_page).get_page(number)
    page = ShortPagePaginator(units(), per_page).get_page(number)
    assert page.number == expected.number
    assert [u.pk for u in page] == [u.pk for u in expected]
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert page.has_next() == expected.has_next()
    assert page.has_previous() == expected.has_previous()


def test_a_page_shorter_than_a_page_is_one_statement(tree):
    total = units().count()
    page, n = statements(lambda: ShortPagePaginator(units(), total + 10).get_page(1))
    assert n == 1 and page.paginator.count == total and len(page) == total
    # Django's Paginator counts first, then reads the page.
    _, n = statements(lambda: Paginator(units(), total + 10).get_page(1))
    assert n == 2


def test_an_empty_list_is_one_statement(tree):
    page, n = statements(lambda: ShortPagePaginator(units().none() | units().filter(pk=-1), 50).get_page(1))
    assert n == 1 and page.paginator.count == 0 and list(page) == [] and page.paginator.num_pages == 1


def test_a_full_page_is_counted(tree):
    total = units().count()
    page, n = statements(lambda: ShortPagePaginator(units(), 2).get_page(1))
    assert n == 2 and page.paginator.count == total and len(page) == 2


def test_the_last_short_page_is_counted_from_the_rows_before_it(tree):
    total = units().count()
    per_page = next(n for n in range(2, total) if total % n)  # a short last page
    last = (total + per_page - 1) // per_page
    page, n = statements(lambda: ShortPagePaginator(units(), per_page).get_page(str(last)))
    assert n == 1 and page.paginator.count == total and page.number == last


def test_past_the_end_shows_the_last_page(tree):
    total = units().count()
    page = ShortPagePaginator(units(), 2).get_page("999")
    assert page.number == (total + 1) // 2 and page.paginator.count == total
