"""axe-core in the browser tests: inject the vendored ``axe.min.js`` into a Playwright page, run the WCAG 2.1 A/AA
rules, and keep the critical and serious violations.

axe-core (MPL-2.0, licence next to the file) is copied unmodified from the npm package ``axe-core`` into
``tests/e2e/vendor/axe-core/`` (``npm pack axe-core@4``). ``use_axe(page, site)`` serves it from the site's own
origin (a Playwright route, so the browser caches the compiled script and a ``script-src 'self'`` policy allows
it); ``run_axe`` falls back to ``page.evaluate`` when a page's policy refuses the tag anyway.
"""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}

_source = None


def axe_source():
    global _source
    if _source is None:
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


AXE_PATH = "/__test-axe.min.js"


def use_axe(page, site):
    """Serve axe-core at ``site + AXE_PATH`` to this page (never reaches the application)."""
    page.route(f"{site}{AXE_PATH}", lambda route: route.fulfill(
        body=axe_source(), content_type="application/javascript", headers={"Cache-Control": "max-age=3600"}))
    page.axe_url = f"{site}{AXE_PATH}"


def run_axe(page):
    """All axe violations of the page as loaded (a list of axe's result dicts)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'") and getattr(page, "axe_url", None):
        try:
            page.add_script_tag(url=page.axe_url)
        except Exception:  # refused by the page's Content-Security-Policy: evaluate it instead
            pass
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS)
    return result["violations"]


def serious_violations(page, label):
    """The critical and serious violations of the page as ``"label: rule-id (impact) at target: summary"``."""
    lines = []
    for violation in run_axe(page):
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"{label}: {violation['id']} ({violation['impact']}) at {target}: {summary}")
    return lines
