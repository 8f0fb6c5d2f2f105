"""Money parsing and formatting: Decimal yuan with 2 places, percentages, Chinese capitals."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import (
    AmountError,
    format_yuan,
    parse_percentage,
    parse_yuan,
    quantize_fen,
    yuan_in_chinese_capitals,
)

pytestmark = pytest.mark.usefixtures("english")


def error_code(func, value, **kwargs) -> str:
    with pytest.raises(AmountError) as info:
        func(value, **kwargs)
    assert str(info.value.message)
    return info.value.code


# --- parse_yuan -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12345.67", "12345.67"),
        ("  12345.6 ", "12345.60"),
        ("12,345.67", "12345.67"),
        ("1,2,3", "123.00"),  # any grouping between digits is accepted
        ("¥12,345.67", "12345.67"),
        ("￥12345", "12345.00"),
        ("12345元", "12345.00"),
        ("12345.5 元", "12345.50"),
        ("RMB 1,000", "1000.00"),
        ("rmb1000", "1000.00"),
        ("人民币1000元", "1000.00"),
        ("１２，３４５．６７", "12345.67"),
        ("１２３元", "123.00"),
        ("12.", "12.00"),
        (".5", "0.50"),
        ("0", "0.00"),
        ("1.000", "1.00"),
        (100, "100.00"),
        (0.1, "0.10"),
        (12345.67, "12345.67"),
        (Decimal("99.9"), "99.90"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("-0"), "0.00"),
    ],
)
def test_parse_yuan_accepts(value, expected):
    result = parse_yuan(value)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "abc",
        "12a",
        "1.005",
        "0.001",
        "-1",
        "-¥5",
        "-0",
        "¥-5",
        ",123",
        "123,",
        "1,,234",
        "1,234,.5",
        "1.2.3",
        "1e5",
        "NaN",
        "Infinity",
        "¥",
        "元",
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        Decimal("-0.01"),
        -5,
        1.005,
        True,
        None,
        [1],
    ],
)
def test_parse_yuan_rejects(value):
    assert error_code(parse_yuan, value) == "amount_invalid"


def test_parse_yuan_zero_and_max():
    assert parse_yuan("0", allow_zero=True) == 0
    assert error_code(parse_yuan, "0", allow_zero=False) == "amount_invalid"
    assert error_code(parse_yuan, "0.00", allow_zero=False) == "amount_invalid"
    limit = Decimal("10000000")
    assert parse_yuan("10,000,000", max_value=limit) == limit
    assert error_code(parse_yuan, "10000000.01", max_value=limit) == "amount_invalid"


def test_parse_yuan_max_message_names_limit():
    with pytest.raises(AmountError) as info:
        parse_yuan("20000000", max_value=Decimal("10000000"))
    assert "10,000,000.00" in str(info.value.message)


def test_parse_yuan_huge_value_is_invalid_not_crash():
    assert error_code(parse_yuan, "1" * 40) == "amount_invalid"


@settings(max_examples=80)
@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False))
def test_property_format_then_parse_round_trips(amount):
    assert parse_yuan(format_yuan(amount)) == amount
    assert parse_yuan(str(amount)) == amount
    assert parse_yuan(f"{amount}元") == amount


# --- quantize / format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("7", "7.00")],
)
def test_quantize_fen_rounds_half_up(value, expected):
    assert str(quantize_fen(Decimal(value))) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12345.67"), "¥12,345.67"),
        (Decimal("0"), "¥0.00"),
        (Decimal("1234567.8"), "¥1,234,567.80"),
        (Decimal("999.995"), "¥1,000.00"),
        (Decimal("-5"), "-¥5.00"),
    ],
)
def test_format_yuan(value, expected):
    assert format_yuan(value) == expected


# --- percentages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18", "18"),
        ("18%", "18"),
        ("18.25%", "18.25"),
        (" 18.25 % ", "18.25"),
        ("１８％", "18"),
        ("0", "0"),
        ("100%", "100"),
        (18, "18"),
        (18.25, "18.25"),
        (Decimal("24"), "24"),
    ],
)
def test_parse_percentage_accepts(value, expected):
    assert parse_percentage(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["", "abc", "-1", "100.01", "101%", "18%%", "1e1", -0.5, 150, None, True])
def test_parse_percentage_rejects(value):
    assert error_code(parse_percentage, value) == "rate_invalid"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.18, "18"), (0.1825, "18.25"), (1, "100"), (Decimal("0.24"), "24"), ("0.18", "18"), ("18%", "18")],
)
def test_parse_percentage_fraction_cells(value, expected):
    assert parse_percentage(value, is_fraction=True) == Decimal(expected)


def test_parse_percentage_fraction_out_of_range():
    assert error_code(parse_percentage, 1.5, is_fraction=True) == "rate_invalid"


# --- Chinese capitals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("100000.5", "壹拾万元伍角"),
        ("1001.01", "壹仟零壹元零壹分"),
        ("100000000", "壹亿元整"),
        ("10050", "壹万零伍拾元整"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("0.56", "伍角陆分"),
        ("1", "壹元整"),
        ("1.2", "壹元贰角"),
        ("105", "壹佰零伍元整"),
        ("1005", "壹仟零伍元整"),
        ("101000", "壹拾万壹仟元整"),
        ("1500100", "壹佰伍拾万零壹佰元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("105000000", "壹亿零伍佰万元整"),
        ("10000000", "壹仟万元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("30.09", "叁拾元零玖分"),
    ],
)
def test_yuan_in_chinese_capitals(value, expected):
    assert yuan_in_chinese_capitals(Decimal(value)) == expected


@pytest.mark.parametrize("value", ["-1", "1000000000000"])
def test_yuan_in_chinese_capitals_out_of_range(value):
    assert error_code(yuan_in_chinese_capitals, Decimal(value)) == "amount_invalid"


@settings(max_examples=80)
@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False))
def test_property_capitals_shape(amount):
    words = yuan_in_chinese_capitals(amount)
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"
    assert words.endswith("整") == (amount == amount.to_integral_value())
