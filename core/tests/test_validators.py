import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import (
    USCC_ALPHABET,
    make_resident_id,
    make_uscc,
    mask_id_number,
    mask_phone,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_usccs_are_valid(seed):
    number = make_uscc(random.Random(seed))
    assert validate_uscc(number) == number


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=16))
def test_changing_one_character_of_a_uscc_is_always_detected(seed, position):
    number = make_uscc(random.Random(seed))
    replacement = next(c for c in USCC_ALPHABET if c != number[position])
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(mutated)


@given(st.text(max_size=30))
def test_uscc_validator_never_crashes_and_explains(text):
    try:
        validate_uscc(text)
    except ValidationError as error:
        assert error.messages and all("统一社会信用代码" in m for m in error.messages)


@pytest.mark.parametrize(
    ("value", "code"),
    [("91360100MA35X", "length"), ("91360100MA35XXXXXI", "character"), ("", "required")],
)
def test_uscc_errors_name_the_problem(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(value)
    assert excinfo.value.code == code


def test_wrong_uscc_check_digit_says_which_digit_is_expected():
    number = make_uscc(random.Random(7))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(wrong)
    assert excinfo.value.code == "checksum"
    assert f"应为 {number[17]}" in excinfo.value.messages[0]


def test_uscc_is_normalised_to_upper_case_without_spaces():
    number = make_uscc(random.Random(3))
    assert validate_uscc(" " + number.lower() + " ") == number


def test_resident_id_validation_and_masking():
    number = make_resident_id(random.Random(1))
    assert validate_resident_id(number) == number
    assert mask_id_number(number) == number[:4] + "*" * 10 + number[-4:]
    with pytest.raises(ValidationError):
        validate_resident_id(number[:17] + ("0" if number[17] != "0" else "1"))


def test_phone_validation_and_masking():
    assert validate_phone("138 1234 5678") == "13812345678"
    assert mask_phone("13812345678") == "138****5678"
    with pytest.raises(ValidationError):
        validate_phone("12345")
