"""Reading what a page shows: its visible text, field errors, the error summary, typed values."""
import html
import re


def page_text(response) -> str:
    """The visible text of an HTML response, entities decoded and whitespace folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def feedback(page: str, field_id: str) -> str:
    """The error text shown right next to the field."""
    match = re.search(rf'<div id="{field_id}-feedback"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no feedback area for {field_id}"
    return text_of(match.group(1))


def summary_links(page: str) -> list[tuple[str, str]]:
    """The error summary at the top: [("#fieldid", "Label : message"), …] in its order."""
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</ul>', page, re.S)
    assert match, "no error summary"
    return [(href, text_of(label)) for href, label in
            re.findall(r'<a href="(#[^"]+)">(.*?)</a>', match.group(1), re.S)]


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def checked_radio(page: str, name: str) -> str | None:
    for tag in re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'\bvalue="([^"]*)"', tag).group(1)
    return None


def selected_option(page: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html, f"no select {name}"
    for tag in re.findall(r"<option[^>]*>", select_html.group(1)):
        if re.search(r"\bselected\b", tag):
            return re.search(r'\bvalue="([^"]*)"', tag).group(1)
    return None
