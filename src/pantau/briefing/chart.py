"""The briefing's chart: a pygal horizontal bar chart, embedded in the PDF as vector SVG."""

from __future__ import annotations

import base64

from pantau.briefing.formatting import Formatter

FONT_FAMILY = "Pantau Sans"  # the @font-face family of report_templates/briefing/style.css
BAR_COLOUR = "#7fa7d1"  # light enough for the dark value labels pygal prints on the bars


def bar_chart_svg(title: str, bars: list[tuple[str, int]], fmt: Formatter) -> str:
    """SVG of a horizontal bar chart, largest bar on top; bars under the suppression threshold left out."""
    import pygal
    from pygal.style import Style

    shown = [(label, value) for label, value in bars if value > 0 and not fmt.is_suppressed(value)]
    style = Style(
        font_family=FONT_FAMILY,
        background="white",
        plot_background="white",
        foreground="#222222",
        foreground_strong="#222222",
        foreground_subtle="#888888",
        colors=(BAR_COLOUR,),
        label_font_size=11,
        major_label_font_size=11,
        value_font_size=11,
        title_font_size=14,
    )
    chart = pygal.HorizontalBar(
        style=style,
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


def svg_data_uri(svg: str) -> str:
    """An `<img src>` for the SVG: WeasyPrint draws it as vectors, not as a bitmap."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
