"""Identifier normalisation: ID number (GB 11643), mobile number, USCC (GB 32100), e-mail."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from core.identifiers import (
    IdentifierError,
    id15_to_id18,
    id_number_birth_date,
    id_number_check_char,
    id_number_region,
    mask_id_number,
    mask_phone,
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_uscc,
    to_halfwidth,
)

pytestmark = pytest.mark.usefixtures("english")

VALID_ID = "35050219900101123X"
TODAY = datetime.date(2025, 6, 1)


def error_code(func, value, **kwargs) -> str:
    with pytest.raises(IdentifierError) as info:
        func(value, **kwargs)
    return info.value.code


# --- to_halfwidth -----------------------------------------------------------------------------


def test_to_halfwidth_maps_fullwidth_ascii_and_ideographic_space():
    assert to_halfwidth("３５０５０２１９９０　ＡＢｘ，．－＋＠") == "3505021990 ABx,.-+@"


def test_to_halfwidth_leaves_other_text_alone():
    assert to_halfwidth("张三 ¥12") == "张三 ¥12"


# --- ID number ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("35050219900101123X", "35050219900101123X"),
        ("35050219900101123x", "35050219900101123X"),
        ("  350521198512310025 ", "350521198512310025"),
        ("350802 20000229 0017", "350802200002290017"),
        ("３５０５０２１９９００１０１１２３ｘ", "35050219900101123X"),
        ("\u3000350521198512310025\u3000", "350521198512310025"),
        ("350502900101123", "35050219900101123X"),  # legacy 15-digit number
    ],
)
def test_normalize_id_number_accepts(value, expected):
    assert normalize_id_number(value, today=TODAY) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "3505021990010112",  # 16 characters
        "3505021990010112345",  # 19 characters
        "3505021990010112X4",  # X not last
        "35050219900230123X",  # 30 February
        "35050218991231123X",  # before 1900
        "350502203001011234",  # born in the future
        "35050219901301123X",  # month 13
        "35050A19900101123X",
        "350502991301123",  # 15 digits with month 13
    ],
)
def test_normalize_id_number_rejects_malformed(value):
    assert error_code(normalize_id_number, value, today=TODAY) == "id_number_invalid"


def test_normalize_id_number_rejects_non_string():
    assert error_code(normalize_id_number, None) == "id_number_invalid"
    assert error_code(normalize_id_number, True) == "id_number_invalid"


def test_normalize_id_number_wrong_check_char():
    assert error_code(normalize_id_number, "350502199001011234", today=TODAY) == "id_number_checksum"


@pytest.mark.parametrize(
    "value",
    [
        350502199001011234,
        3.50502199001011e17,
        Decimal("350502199001011234"),
        "3.50502199001011E+17",
        "3.50502199001011e+17",
        "３．５０５０２１９９００１０１１Ｅ＋１７",
        "350502199001011000.0",
    ],
)
def test_normalize_id_number_refuses_spreadsheet_numbers(value):
    assert error_code(normalize_id_number, value) == "id_number_numeric"


def test_normalize_id_number_accepts_unknown_region_codes():
    first17 = "99999919900101123"
    assert normalize_id_number(first17 + id_number_check_char(first17), today=TODAY).startswith("999999")


def test_birth_date_in_future_relative_to_today_argument():
    id18 = "350502202506021234"
    id18 = id18[:17] + id_number_check_char(id18[:17])
    assert normalize_id_number(id18, today=datetime.date(2025, 6, 2)) == id18
    assert error_code(normalize_id_number, id18, today=datetime.date(2025, 6, 1)) == "id_number_invalid"


def test_check_char_known_values():
    assert id_number_check_char("35050219900101123") == "X"
    assert id_number_check_char("35052119851231002") == "5"
    assert id_number_check_char("11010519491231002") == "X"


def test_check_char_rejects_bad_input():
    assert error_code(id_number_check_char, "1234") == "id_number_invalid"
    assert error_code(id_number_check_char, "3505021990010112A") == "id_number_invalid"


def test_id15_to_id18():
    assert id15_to_id18("350502900101123") == "35050219900101123X"
    assert error_code(id15_to_id18, "35050290010112") == "id_number_invalid"


def test_birth_date_and_region():
    assert id_number_birth_date(VALID_ID) == datetime.date(1990, 1, 1)
    assert id_number_region(VALID_ID) == "350502"
    assert error_code(id_number_birth_date, "35050219900230123X") == "id_number_invalid"


def test_mask_id_number():
    assert mask_id_number(VALID_ID) == "3505**********123X"
    assert mask_id_number("350502900101123") == "35***********23"
    assert mask_id_number("12345") == "1***5"
    assert mask_id_number("123") == "***"
    assert mask_id_number("") == ""


def test_error_carries_code_and_lazy_message():
    with pytest.raises(IdentifierError) as info:
        normalize_id_number("350502199001011234", today=TODAY)
    assert isinstance(info.value, ValueError)
    assert str(info.value.message)
    assert str(info.value) == str(info.value.message)


seventeen_digits_with_birth_date = st.builds(
    lambda region, birth, seq: f"{region:06d}{birth:%Y%m%d}{seq:03d}",
    st.integers(0, 999_999),
    st.dates(datetime.date(1900, 1, 1), TODAY),
    st.integers(0, 999),
)


@settings(max_examples=60)
@given(seventeen_digits_with_birth_date)
def test_property_valid_id_round_trips(first17):
    id18 = first17 + id_number_check_char(first17)
    assert normalize_id_number(id18, today=TODAY) == id18
    assert normalize_id_number(id18.lower(), today=TODAY) == id18
    assert normalize_id_number(to_fullwidth(id18), today=TODAY) == id18
    # Why: cross-check our GB 11643 table against stdnum's independent implementation.
    assert ric.calc_check_digit(id18) == id18[-1]


@settings(max_examples=60)
@given(seventeen_digits_with_birth_date, st.sampled_from("0123456789X"))
def test_property_wrong_check_char_is_checksum_error(first17, wrong):
    right = id_number_check_char(first17)
    if wrong == right:
        wrong = "0" if right != "0" else "1"
    assert error_code(normalize_id_number, first17 + wrong, today=TODAY) == "id_number_checksum"


@settings(max_examples=60)
@given(
    st.integers(0, 999_999),
    st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31)),
    st.integers(0, 999),
)
def test_property_15_to_18_always_validates(region, birth, seq):
    id15 = f"{region:06d}{birth:%y%m%d}{seq:03d}"
    id18 = id15_to_id18(id15)
    assert len(id18) == 18
    assert normalize_id_number(id18, today=TODAY) == id18
    assert normalize_id_number(id15, today=TODAY) == id18
    assert id_number_birth_date(id18) == birth


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13912341111",
        " 139 1234 1111 ",
        "139-1234-1111",
        "+86 139 1234 1111",
        "+86-13912341111",
        "(+86) 139-1234-1111",
        "8613912341111",
        "008613912341111",
        "１３９１２３４１１１１",
        "＋８６　１３９１２３４１１１１",
        13912341111,
        13912341111.0,
        Decimal("13912341111"),
    ],
)
def test_normalize_phone_accepts(value):
    assert normalize_phone(value) == "13912341111"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1391234111",  # 10 digits
        "139123411112",
        "12912341111",  # second digit 2
        "23912341111",
        "0591-87654321",  # landline
        "+1 13912341111",
        "86139123411",  # 86 prefix leaves 9 digits
        "1391234111a",
        13912341111.5,
        float("nan"),
        Decimal("13912341111.5"),
        True,
        None,
    ],
)
def test_normalize_phone_rejects(value):
    assert error_code(normalize_phone, value) == "phone_invalid"


def test_mask_phone():
    assert mask_phone("13912341111") == "139****1111"
    assert mask_phone("12345") == "1***5"


@settings(max_examples=60)
@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86", "86", "0086", "+86 ", "(+86)", "+86-"]),
    st.sampled_from(["", " ", "-"]),
)
def test_property_phone_survives_formatting(phone, prefix, sep):
    formatted = prefix + sep.join([phone[:3], phone[3:7], phone[7:]])
    assert normalize_phone(formatted) == phone
    assert normalize_phone(to_fullwidth(formatted)) == phone
    assert normalize_phone(int(phone)) == phone


# --- USCC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("91110000600037341l", "91110000600037341L"),
        (" 9111 0000 6000 3734 1L ", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
    ],
)
def test_normalize_uscc_accepts(value, expected):
    assert normalize_uscc(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "91110000600037341M", "A1110000600037341L", "9111000060003734", "91110000600037341I", None, 123],
)
def test_normalize_uscc_rejects(value):
    assert error_code(normalize_uscc, value) == "uscc_invalid"


# --- e-mail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("  Zhang.San@EXAMPLE.COM ", "Zhang.San@example.com"),
        ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "zhang@example.cn"),
    ],
)
def test_normalize_email_accepts(value, expected):
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    "value", ["", "zhang", "zhang@", "@example.com", "zhang@@example.com", "a b@x.cn", None]
)
def test_normalize_email_rejects(value):
    assert error_code(normalize_email, value) == "email_invalid"
