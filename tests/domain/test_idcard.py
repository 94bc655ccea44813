"""Resident ID numbers (GB 11643): check digit, birth date, gender, region, masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain import idcard
from contest.domain.idcard import IdNumberError
from contest.domain.privacy import mask_id_number, mask_phone


def test_standard_sample_parses():
    parsed = idcard.parse("11010519491231002X")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.region == "110105"


def test_lower_case_x_and_spaces_are_normalised():
    assert idcard.parse(" 110105 19491231 002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    "number, code",
    [
        ("11010519491231002", IdNumberError.LENGTH),
        ("11010519491231002XX", IdNumberError.LENGTH),
        ("1101051949123100AX", IdNumberError.CHARACTERS),
        ("110105194912310X2X", IdNumberError.CHARACTERS),
        ("99010519491231002X", IdNumberError.REGION),
        ("110105194902300021", IdNumberError.BIRTH_DATE),  # 30 February
        ("110105189912310021", IdNumberError.BIRTH_DATE),  # before 1900
        ("110105194912310021", IdNumberError.CHECK_DIGIT),
    ],
)
def test_invalid_numbers_say_why(number, code):
    with pytest.raises(IdNumberError) as raised:
        idcard.parse(number)
    assert raised.value.code == code


def test_future_birth_date_is_refused():
    future = idcard.build("330102", date(2030, 1, 1), 1, "M")
    with pytest.raises(IdNumberError) as raised:
        idcard.parse(future, today=date(2026, 11, 21))
    assert raised.value.code == IdNumberError.BIRTH_DATE


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)),
    sequence=st.integers(0, 99),
    gender=st.sampled_from("MF"),
    region=st.sampled_from(["110105", "330102", "410423", "440305", "650102"]),
)
def test_built_numbers_parse_back(born, sequence, gender, region):
    number = idcard.build(region, born, sequence, gender)
    parsed = idcard.parse(number, today=date(2026, 11, 21))
    assert (parsed.birth_date, parsed.gender, parsed.region) == (born, gender, region)


@given(st.integers(0, 16), st.integers(0, 9))
def test_any_single_digit_change_is_detected(position, digit):
    number = idcard.build("330102", date(1988, 5, 1), 37, "M")
    if number[position] == str(digit):
        return
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(IdNumberError):
        idcard.parse(changed)


def test_masking_hides_the_birth_date():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number(None) == ""
    assert mask_id_number("1234") == "****"


def test_phone_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "1****"
