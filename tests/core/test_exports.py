"""The one guard against spreadsheet formula injection that every export uses."""

import csv

import pytest

from jijian.core.exports import Echo, spreadsheet_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_quoted(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "expected"), [(None, ""), ("", ""), ("张三", "张三"), (12, "12"), ("a=b", "a=b")]
)
def test_other_values_pass_unchanged(value, expected):
    assert spreadsheet_cell(value) == expected


def test_echo_gives_the_csv_line():
    assert csv.writer(Echo()).writerow(["a", "b,c"]) == 'a,"b,c"\r\n'
