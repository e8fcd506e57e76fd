"""The briefing's charts (pygal bars and a trend line), embedded in the PDF as vector SVG."""

from __future__ import annotations

import base64

from pantau.briefing.formatting import Formatter

FONT_FAMILY = "Pantau Sans"  # the @font-face family of report_templates/briefing/style.css
BAR_COLOUR = "#7fa7d1"  # light enough for the dark value labels pygal prints on the bars
LINE_COLOUR = "#1f4e79"


def _style(**overrides):
    from pygal.style import Style

    settings = {
        "font_family": FONT_FAMILY,
        "background": "white",
        "plot_background": "white",
        "foreground": "#222222",
        "foreground_strong": "#222222",
        "foreground_subtle": "#888888",
        "colors": (BAR_COLOUR,),
        "label_font_size": 11,
        "major_label_font_size": 11,
        "value_font_size": 11,
        "title_font_size": 14,
    }
    return Style(**(settings | overrides))


def bar_chart_svg(title: str, bars: list[tuple[str, int]], fmt: Formatter) -> str:
    """SVG of a horizontal bar chart, largest bar on top; bars under the suppression threshold left out."""
    import pygal

    shown = [(label, value) for label, value in bars if value > 0 and not fmt.is_suppressed(value)]
    chart = pygal.HorizontalBar(
        style=_style(),
        title=title,
        js=(),  # no scripts: a PDF does not run them
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=760,
        height=max(220, 60 + 28 * len(shown)),
        margin=8,
        value_formatter=fmt.number,
        show_y_guides=False,
        no_data_text="–",
    )
    ordered = sorted(shown, key=lambda item: item[1])  # pygal draws the first bar at the bottom
    chart.x_labels = [label for label, _ in ordered]
    chart.add("", [value for _, value in ordered])
    return chart.render(is_unicode=True)


def line_chart_svg(title: str, points: list[tuple[str, int]], fmt: Formatter) -> str:
    """SVG of a trend over time (oldest point first); points under the suppression threshold are gaps."""
    import pygal

    chart = pygal.Line(
        style=_style(colors=(LINE_COLOUR,)),
        title=title,
        js=(),
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=760,
        height=300,
        margin=8,
        value_formatter=fmt.number,
        x_label_rotation=30,
        show_minor_x_labels=True,
        dots_size=3,
        stroke_style={"width": 2},
        min_scale=3,
        include_x_axis=True,
        no_data_text="–",
    )
    chart.x_labels = [label for label, _ in points]
    chart.add("", [None if fmt.is_suppressed(value) else value for _, value in points])
    return chart.render(is_unicode=True)


def svg_data_uri(svg: str) -> str:
    """An `<img src>` for the SVG: WeasyPrint draws it as vectors, not as a bitmap."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
