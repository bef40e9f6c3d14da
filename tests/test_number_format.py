"""One number format on the dashboards: shares as percentages, with the decimals a status
needs near its edges; amounts rounded as a manager reads them, in English and in Korean."""

import pytest
from django.template import Context, Template
from django.utils import translation

from sdr_ops.models import staffing_reason_label
from sdr_ops.templatetags.money import amount_units, format_amount, format_percent

EDGES = [0.5, 0.7, 0.8, 0.9]


@pytest.mark.parametrize(
    ("value", "currency", "english", "korean"),
    [
        (180_693_043, "KRW", "₩180.7M", "1.8억원"),
        (1_250_000, "KRW", "₩1.3M", "125만원"),
        (52_000, "KRW", "₩52K", "5.2만원"),
        (999, "KRW", "₩999", "999원"),
        (-2_400_000, "KRW", "-₩2.4M", "-240만원"),
        (12_500, "USD", "$12.5K", "$12.5K"),
        (3_000_000_000, "KRW", "₩3B", "30억원"),
        (None, "KRW", "—", "—"),
    ],
)
def test_amounts_are_rounded_as_a_manager_reads_them(value, currency, english, korean):
    assert format_amount(value, currency) == english
    with translation.override("ko"):
        assert format_amount(value, currency) == korean


def chart_axis(value: int, currency: str) -> str:
    """What the dashboards' chart axis does with amount_units (static/js/dashboards.js)."""
    for size, before, after in amount_units(currency):
        if abs(value) >= size:
            n = round(value / size * 10) / 10
            return f"{before}{n:g}{after}"
    return str(value)


@pytest.mark.parametrize("value", [800_000_000, 180_700_000, 1_300_000, 52_000, 3_000_000_000])
@pytest.mark.parametrize("currency", ["KRW", "USD"])
def test_the_chart_axis_writes_amounts_as_the_page_does(value, currency):
    assert chart_axis(value, currency) == format_amount(value, currency)
    with translation.override("ko"):
        assert chart_axis(value, currency) == format_amount(value, currency)


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (0.7234, "72 %"),
        (0.6957, "69.6 %"),  # "70 %" would contradict "below the band"
        (0.7, "70 %"),
        (0.8049, "80.5 %"),  # above the band, never "80 %"
        (0.8, "80 %"),
        (0.5004, "50.04 %"),
        (0.35, "35 %"),
        (None, "—"),
    ],
)
def test_a_share_beside_its_status_never_contradicts_it(share, shown):
    assert format_percent(share, EDGES) == shown


def test_a_share_alone_is_a_whole_percentage():
    assert format_percent(0.6957) == "70 %"
    html = Template("{% load money %}{{ r|percent }} {{ a|amount:'KRW' }}").render(
        Context({"r": 0.25, "a": 180693043})
    )
    assert html == "25 % ₩180.7M"


def test_usual_staffing_reasons_read_in_the_readers_language():
    assert staffing_reason_label("hired") == "hired"
    with translation.override("ko"):
        assert staffing_reason_label("hired") == "입사"
        assert staffing_reason_label("Moved to another team") == "다른 팀으로 이동"
        assert staffing_reason_label("sabbatical in Jeju") == "sabbatical in Jeju"
