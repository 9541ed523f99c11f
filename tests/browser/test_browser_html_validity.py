"""The HTML the server sent for every page and htmx fragment the other browser tests checked,
validated in one run of the Nu HTML Checker (vnu). Runs after them (marker ``runs_last``)."""
from __future__ import annotations

import json
import subprocess

import pytest


def vnu_messages(jar, files) -> list[dict]:
    """One JVM for all the files; vnu writes its JSON report on stderr."""
    result = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                             *map(str, files)], capture_output=True, text=True, timeout=120)
    try:
        return json.loads(result.stderr or result.stdout)["messages"]
    except ValueError:
        pytest.fail(f"vnu did not answer in JSON (exit {result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}")


# htmx's own attributes (hx-post, hx-target …) are its documented interface, unknown to the HTML
# standard; they are the one error class let through. (The data-hx-* spelling, which htmx also
# reads, would be valid HTML everywhere; that is a project-wide choice, not a test's.)

@pytest.mark.runs_last
def test_every_page_and_fragment_is_valid_html(html_store, vnu_jar):
    if not html_store.names:
        pytest.skip("no page was collected: run this together with the other browser tests")
    messages = vnu_messages(vnu_jar, list(html_store.names))
    by_message: dict[str, list[str]] = {}
    extracts: dict[str, str] = {}
    for message in messages:
        path = next((p for p in html_store.names if message.get("url", "").endswith(p.name)),
                    None)
        where = f"{html_store.names[path]} ({path.name})" if path else message.get("url", "?")
        text = message["message"]
        by_message.setdefault(text, []).append(f"{where} line {message.get('lastLine', '?')}")
        extracts.setdefault(text, " ".join((message.get("extract") or "").split()))
    report = [f"- {text}\n    e.g. {extracts[text]!r}\n    in {len(places)} place(s): "
              + "; ".join(places[:4]) + (" …" if len(places) > 4 else "")
              for text, places in by_message.items()]
    assert not report, (f"vnu found {len(messages)} error(s), {len(report)} different, in "
                        f"{len(html_store.names)} documents (folder {html_store.folder}):\n"
                        + "\n".join(report))
