"""services/render.py: placeholders and filling them in."""

from __future__ import annotations

import pytest

from cscterm.services.render import Placeholder, malformed, placeholders, render


def test_placeholders_come_in_order_of_first_appearance() -> None:
    body = "Hi {{customer_name}}, order {{order_no}} for {{customer_name}} ships {{eta|soon}}."
    assert [p.name for p in placeholders(body)] == ["customer_name", "order_no", "eta"]


def test_placeholder_with_a_default_is_optional_and_keeps_the_default() -> None:
    found = placeholders("{{amount|the money}} and {{order_no}}")
    assert found == [Placeholder("amount", "the money"), Placeholder("order_no", None)]
    assert not found[0].required
    assert found[1].required


def test_placeholder_default_is_stripped_and_may_contain_cjk() -> None:
    assert placeholders("{{ amount | 款项 }}") == [Placeholder("amount", "款项")]


def test_empty_default_is_still_optional() -> None:
    (found,) = placeholders("{{note|}}")
    assert found.default == "" and not found.required


def test_name_appearing_with_and_without_default_counts_as_required() -> None:
    assert placeholders("{{eta|soon}} … {{eta}}") == [Placeholder("eta", None)]
    assert placeholders("{{eta}} … {{eta|soon}}") == [Placeholder("eta", None)]


def test_name_with_two_defaults_keeps_the_first() -> None:
    assert placeholders("{{eta|soon}} {{eta|later}}") == [Placeholder("eta", "soon")]


def test_no_placeholders_in_plain_text() -> None:
    assert placeholders("Thanks for waiting!") == []


def test_render_fills_values_and_defaults() -> None:
    result = render("Hi {{name}}, {{amount|the money}} is back.", {"name": "Ann"})
    assert result.text == "Hi Ann, the money is back."
    assert result.complete and result.missing == []


def test_render_prefers_a_given_value_over_the_default() -> None:
    assert render("{{amount|the money}}", {"amount": "¥20"}).text == "¥20"


def test_render_keeps_missing_required_placeholders_visible() -> None:
    result = render("Order {{order_no}} for {{name}}; again {{order_no}}.", {"name": "Ann"})
    assert result.text == "Order {{order_no}} for Ann; again {{order_no}}."
    assert result.missing == ["order_no"]
    assert not result.complete


def test_render_treats_a_blank_value_as_missing() -> None:
    result = render("Order {{order_no}} {{eta|soon}}", {"order_no": "   ", "eta": " "})
    assert result.text == "Order {{order_no}} soon"
    assert result.missing == ["order_no"]


def test_render_strips_values() -> None:
    assert render("[{{name}}]", {"name": "  Ann \n"}).text == "[Ann]"


def test_render_inserts_values_literally() -> None:
    hostile = "{{order_no}} [bold]x[/] \x1b[31m \\1"
    assert render("{{name}}!", {"name": hostile}).text == hostile + "!"


def test_render_leaves_malformed_tokens_untouched() -> None:
    assert render("{{Order No}} {{}}", {}).text == "{{Order No}} {{}}"


@pytest.mark.parametrize(
    "token",
    ["{{Order No}}", "{{}}", "{{ }}", "{{order no}}", "{{1st}}", "{{Name}}", "{{order-no}}"],
)
def test_malformed_detects_invalid_placeholder(token: str) -> None:
    assert malformed(f"Hello {token} there") == [token]


def test_malformed_accepts_valid_placeholders() -> None:
    assert malformed("{{name}} {{ name }} {{amount|¥ 5}} {{a_1|}} {single} {{{") == []


def test_malformed_lists_every_bad_token_in_order() -> None:
    assert malformed("{{Order No}} {{ok}} {{}}") == ["{{Order No}}", "{{}}"]
