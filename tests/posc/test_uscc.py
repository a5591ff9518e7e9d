import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.uscc import ALPHABET, check_character, complete_uscc, normalize_uscc, validate_uscc

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_published_examples_validate():
    validate_uscc("91310110666007217T")
    validate_uscc("52110105MJ0123456N")


def test_lower_case_is_normalised():
    assert normalize_uscc(" 52110105mj0123456n ") == "52110105MJ0123456N"
    validate_uscc("52110105mj0123456n")


def test_message_names_the_expected_check_character():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("52110105MJ0123456A")
    message = exc.value.messages[0]
    assert "N" in message and exc.value.error_list[0].code == "uscc_check"
    assert exc.value.error_list[0].params["expected"] == "N"


@pytest.mark.parametrize("value,code", [("5211010", "uscc_length"), ("52110105MJ0123456NX", "uscc_length"),
                                        ("52110105MJ012345ON", "uscc_characters")])
def test_shape_errors(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.error_list[0].code == code


@given(bodies)
def test_any_body_with_its_check_character_validates(body):
    validate_uscc(complete_uscc(body))


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_changing_one_character_fails(body, position, replacement):
    code = complete_uscc(body)
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(ValidationError):
        validate_uscc(changed)


def test_check_character_rejects_bad_body():
    with pytest.raises(ValueError):
        check_character("ABC")
