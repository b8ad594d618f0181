"""The integrity archives benchmark's generated data: the COPY column lists match the models, the ID
numbers are valid and distinct, and a generated request is accepted as the organisation department's
list would be. Behaviour only; the timings live in bench/bench_archives.py."""

from __future__ import annotations

from bench.bench_archives import check_tables, id_number, opinion_persons, person_name
from django.core.exceptions import ValidationError

from jijian.archives.models import name_keys
from jijian.archives.opinions import parse_persons
from jijian.core.validators import validate_id_number


def test_copy_columns_match_the_models():
    check_tables()


def test_id_numbers_are_valid_and_distinct():
    sample = [*range(1, 3000), *range(999_000, 1_001_001)]
    numbers = [id_number(n) for n in sample]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[::97]:
        assert validate_id_number(number) == number


def test_names_repeat_as_in_a_city():
    names = [person_name(n) for n in range(1, 20001)]
    assert 5000 < len(set(names)) < 20000
    assert all(2 <= len(n) <= 3 for n in names)
    assert name_keys(names[0])[0]


def test_a_request_of_500_is_accepted_as_typed_in():
    persons = opinion_persons(100_000, 500)
    assert len(persons) == 500
    text = "\n".join(" ".join(x for x in (p["name"], p["id_number"], p["post"]) if x) for p in persons)
    try:
        accepted = parse_persons(text)
    except ValidationError as error:  # the message names the bad lines
        raise AssertionError(error.messages) from None
    assert len(accepted) == 500
    assert sum(1 for p in accepted if not p["id_number"]) == 50
