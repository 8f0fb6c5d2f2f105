"""Date parsing for batch files: the accepted written forms and real spreadsheet date cells."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import DateParseError, parse_date

pytestmark = pytest.mark.usefixtures("english")

MARCH_5 = datetime.date(2024, 3, 5)


def error_code(value, **kwargs) -> str:
    with pytest.raises(DateParseError) as info:
        parse_date(value, **kwargs)
    assert str(info.value.message)
    return info.value.code


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024/03/05",
        "2024.03.05",
        "2024.3.5",
        "2024年3月5日",
        "2024年03月05日",
        "2024 年 3 月 5 日",
        "2024年3月5",
        "20240305",
        "  2024-03-05  ",
        "２０２４－０３－０５",
        "２０２４年３月５日",
        "２０２４０３０５",
        MARCH_5,
        datetime.datetime(2024, 3, 5, 17, 30),
    ],
)
def test_parse_date_accepts(value):
    assert parse_date(value) == MARCH_5


def test_parse_date_returns_plain_date_for_datetime():
    result = parse_date(datetime.datetime(2024, 3, 5, 0, 0))
    assert type(result) is datetime.date


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "20240230",
        "2024年2月30日",
        "2024-03/05",  # mixed separators
        "24-03-05",
        "05/03/2024",
        "2024-03-05x",
        "2024030",
        "March 5, 2024",
        20240305,
        45356.0,
        None,
    ],
)
def test_parse_date_rejects(value):
    assert error_code(value) == "date_invalid"


def test_parse_date_not_after():
    assert parse_date("2024-03-05", not_after=MARCH_5) == MARCH_5
    assert error_code("2024-03-06", not_after=MARCH_5) == "date_future"
    assert error_code(datetime.datetime(2024, 3, 6), not_after=MARCH_5) == "date_future"


def test_impossible_date_is_invalid_even_with_not_after():
    assert error_code("2024-02-30", not_after=MARCH_5) == "date_invalid"


@settings(max_examples=60)
@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
    st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]),
)
def test_property_formats_round_trip(day, fmt):
    assert parse_date(day.strftime(fmt)) == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
