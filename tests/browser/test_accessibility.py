"""The queue and review pages by keyboard and screen reader: every control has a label, the
headings are in order, and Tab from the top reaches every control in document order."""

import pytest
from conftest import sign_in
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

# Each control without an accessible name: a <label for>, a <label> around it,
# aria-label(ledby), or (for buttons) its text or value.
UNLABELLED = """
return Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter(e => e.type !== 'hidden')
  .filter(e => {
    const named = s => s && s.trim().length > 0;
    if (named(e.getAttribute('aria-label'))) return false;
    const by = e.getAttribute('aria-labelledby');
    if (by && by.split(/\\s+/).some(id => named(document.getElementById(id)?.textContent))) return false;
    if (Array.from(e.labels || []).some(l => named(l.textContent))) return false;
    if (e.tagName === 'BUTTON' && named(e.textContent)) return false;
    if (e.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(e.type) && named(e.value)) return false;
    return true;
  })
  .map(e => e.outerHTML.slice(0, 160));
"""

HEADINGS = "return Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => [Number(h.tagName[1]), h.textContent.trim()]);"

# The controls Tab should reach, in document order, each numbered in a data attribute.
TABBABLE = """
const all = Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
  .filter(e => e.type !== 'hidden' && !e.disabled && e.getAttribute('tabindex') !== '-1')
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
all.forEach((e, i) => e.setAttribute('data-tab-order', String(i)));
return all.map(e => (e.textContent || e.value || e.name || '').trim().slice(0, 40));
"""


@pytest.fixture(scope="module")
def pages(driver, base_url, demo):
    sign_in(driver, base_url, "fay")
    draft = next(a for a in demo["articles"] if a["origin"] == "ai")
    return {"queue": f"{base_url}/desk", "review": f"{base_url}/desk/articles/{draft['id']}"}


@pytest.mark.parametrize("page", ["queue", "review"])
def test_every_control_has_a_label(driver, pages, page):
    driver.get(pages[page])
    assert driver.execute_script(UNLABELLED) == []


@pytest.mark.parametrize("page", ["queue", "review"])
def test_headings_start_at_h1_and_skip_no_level(driver, pages, page):
    driver.get(pages[page])
    headings = driver.execute_script(HEADINGS)
    assert headings and headings[0][0] == 1, headings
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, f"{text!r} is an h{level} right after an h{before}"


@pytest.mark.parametrize("page", ["queue", "review"])
def test_tab_from_the_top_reaches_every_control_in_document_order(driver, pages, page):
    driver.get(pages[page])
    controls = driver.execute_script(TABBABLE)
    assert controls, "no control to reach"
    reached = []
    for _ in controls:
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.append(driver.execute_script("return document.activeElement.getAttribute('data-tab-order')"))
    assert reached == [str(i) for i in range(len(controls))], list(zip(reached, controls))
    assert any(name == "Sign out" for name in controls)
