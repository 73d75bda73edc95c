"""The review desk in a real browser, as issue 19 tells it: the demo fact-checker finds the AI
draft in their queue, adds and verifies a claim and passes fact_check; the lawyer passes
legal_review; the editor sees the word diff after an edit and approves, and sees an approval
refused with the missing checkpoint named; signing out ends the session; a forged POST without
the CSRF token is refused; a deactivated editor's session stops working.

The tests run in order and share the server's state (one story, told step by step).
"""

import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import api, control, fill_form, normalized, page_text, section_with, sign_in, press_and_wait, token
from selenium.webdriver.common.by import By

# The edit the writer makes before the checks, so the editor has a word diff to read.
OLD_WORDS = "Farm associations say"
NEW_WORDS = "Farm unions say"


def article(demo, origin=None, state=None, title=None):
    return next(
        a for a in demo["articles"]
        if (origin is None or a["origin"] == origin) and (state is None or a["state"] == state) and (title is None or a["title"] == title)
    )


@pytest.fixture(scope="module")
def ai_draft(base_url, demo):
    """The demo's AI draft, edited by the writer (a second revision, changing two words) and
    submitted again, so it waits for its checks in the fact-checker's queue."""
    draft = article(demo, origin="ai")
    writer = token(demo, "wren")
    status, current, headers = api(base_url, "GET", f"/v1/articles/{draft['id']}", writer)
    assert status == 200, current
    content = current["current_revision"]
    assert OLD_WORDS in content["body"]
    edited = {key: content[key] for key in ("title", "dek", "insight", "disclosure")}
    edited["body"] = content["body"].replace(OLD_WORDS, NEW_WORDS)
    edited["sources"] = [{k: s[k] for k in ("url", "outlet", "title") if k in s} for s in content["sources"]]
    status, body, _ = api(base_url, "POST", f"/v1/articles/{draft['id']}/revisions", writer, edited, {"If-Match": headers["ETag"]})
    assert status == 201, body
    status, body, _ = api(base_url, "POST", f"/v1/articles/{draft['id']}/transitions", writer, {"action": "submit"})
    assert status == 200, body
    return draft


def path(url):
    return urllib.parse.urlsplit(url).path


def open_review(driver, base_url, article_id):
    driver.get(f"{base_url}/desk/articles/{article_id}")
    assert path(driver.current_url) == f"/desk/articles/{article_id}"


def press(driver, block, button):
    """Fills the block's form (a note and evidence link where it asks for them) and presses
    `button` in it."""
    target = block.find_element(By.XPATH, f".//button[normalize-space()='{button}']")
    fill_form(target.find_element(By.XPATH, "./ancestor::form[1]"), "Checked in the browser test.")
    press_and_wait(driver, target)


def state(base_url, demo, article_id):
    status, body, _ = api(base_url, "GET", f"/v1/articles/{article_id}", token(demo, "eli"))
    assert status == 200, body
    return body["state"]


def checkpoints(base_url, demo, article_id):
    """Each required checkpoint's status on the current revision, as the API tells it."""
    status, body, _ = api(base_url, "GET", f"/v1/articles/{article_id}/checkpoints", token(demo, "eli"))
    assert status == 200, body
    return {item["checkpoint"]: item["status"] for item in body["items"]}


def test_the_sign_in_page_asks_for_a_name_and_a_password(driver, base_url, screenshots):
    driver.get(f"{base_url}/desk/login")
    assert control(driver, "Name").get_attribute("type") in ("text", None, "")
    assert control(driver, "Password").get_attribute("type") == "password"
    assert driver.find_elements(By.CSS_SELECTOR, "form input[type=hidden][name=_csrf]")
    driver.save_screenshot(os.path.join(screenshots, "login.png"))


def test_the_fact_checker_finds_the_ai_draft_verifies_claims_and_passes_fact_check(driver, base_url, demo, ai_draft, screenshots):
    sign_in(driver, base_url, "fay")
    driver.get(f"{base_url}/desk")
    assert "my queue" in normalized(page_text(driver))
    driver.save_screenshot(os.path.join(screenshots, "queue.png"))
    press_and_wait(driver, driver.find_element(By.LINK_TEXT, ai_draft["title"]))
    assert path(driver.current_url) == f"/desk/articles/{ai_draft['id']}"

    # A new claim, then every claim of this revision verified.
    adding = driver.find_element(By.XPATH, "//form[.//button[normalize-space()='Add claim']]")
    adding.find_element(By.XPATH, ".//textarea | .//input[@type='text' or not(@type)]").send_keys(
        "Farm unions say the cap will hit late-season crops hardest.")
    press_and_wait(driver, adding.find_element(By.XPATH, ".//button[normalize-space()='Add claim']"))
    assert "late-season crops hardest" in page_text(driver)
    for _ in range(10):
        buttons = driver.find_elements(By.XPATH, "//button[normalize-space()='Verify claim']")
        if not buttons:
            break
        press(driver, buttons[0].find_element(By.XPATH, "./ancestor::form[1]"), "Verify claim")
    assert not driver.find_elements(By.XPATH, "//button[normalize-space()='Verify claim']"), "a claim is still unverified"

    # The edit reset the checks: the fact-checker passes both of theirs on the new revision.
    for checkpoint in ("source_check", "fact_check"):
        press(driver, section_with(driver, checkpoint, "Pass"), "Pass")
    driver.save_screenshot(os.path.join(screenshots, "review.png"))
    assert checkpoints(base_url, demo, ai_draft["id"]) == {"source_check": "passed", "fact_check": "passed", "legal_review": "pending"}


def test_the_lawyer_passes_legal_review(driver, base_url, demo, ai_draft):
    sign_in(driver, base_url, "lee")
    open_review(driver, base_url, ai_draft["id"])
    press(driver, section_with(driver, "legal_review", "Pass"), "Pass")
    assert checkpoints(base_url, demo, ai_draft["id"])["legal_review"] == "passed"
    # Nothing is left for the lawyer to pass here.
    assert not driver.find_elements(By.XPATH, "//button[normalize-space()='Pass']")


def test_the_editor_sees_the_word_diff_of_the_edit(driver, base_url, ai_draft, screenshots):
    sign_in(driver, base_url, "eli")
    open_review(driver, base_url, ai_draft["id"])
    assert driver.find_elements(By.XPATH, "//ins[contains(., 'unions')]"), "the added word is not marked"
    assert driver.find_elements(By.XPATH, "//del[contains(., 'associations')]"), "the removed word is not marked"
    # The screenshot shows the diff: the page scrolled to its "Changes" section by its anchor.
    driver.get(f"{base_url}/desk/articles/{ai_draft['id']}#changes-heading")
    driver.save_screenshot(os.path.join(screenshots, "review-diff.png"))


def test_an_approval_without_a_passed_checkpoint_is_refused_naming_it(driver, base_url, demo):
    sign_in(driver, base_url, "eli")
    waiting = article(demo, state="in_review", origin="human")
    open_review(driver, base_url, waiting["id"])
    press_and_wait(driver, control(driver, "Approve"))
    # The refusal is the answer to the form's POST: the same review page, at the form's URL.
    assert driver.find_element(By.TAG_NAME, "h1").text == waiting["title"]
    # The domain's words, in the page's alert: the missing checkpoint by its name.
    refusal = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "source_check: not yet passed on the current revision" in refusal, page_text(driver)[:500]
    assert state(base_url, demo, waiting["id"]) == "in_review"


def test_the_editor_approves_the_checked_draft(driver, base_url, demo, ai_draft):
    sign_in(driver, base_url, "eli")
    open_review(driver, base_url, ai_draft["id"])
    press_and_wait(driver, control(driver, "Approve"))
    assert state(base_url, demo, ai_draft["id"]) == "approved"
    assert "approved" in normalized(page_text(driver))


def forge(driver, form):
    """Sends `form` as a cross-site page would: the browser's cookies, every field but the
    CSRF token. The response's status."""
    assert form.find_elements(By.CSS_SELECTOR, "input[type=hidden][name=_csrf]"), "the form carries no CSRF token"
    fields = {
        element.get_attribute("name"): element.get_attribute("value") or "A forged claim"
        for element in form.find_elements(By.XPATH, ".//input | .//textarea")
        if element.get_attribute("name") and element.get_attribute("name") != "_csrf"
    }
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(
        urllib.parse.urljoin(driver.current_url, form.get_attribute("action")), method="POST",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_forged_sign_out_is_refused(driver, base_url):
    sign_in(driver, base_url, "fay")
    driver.get(f"{base_url}/desk")
    assert forge(driver, driver.find_element(By.XPATH, "//form[.//button[normalize-space()='Sign out']]")) == 403
    driver.get(f"{base_url}/desk")
    assert path(driver.current_url) == "/desk", "the forged sign-out ended the session"


def test_a_forged_claim_is_refused(driver, base_url, demo):
    sign_in(driver, base_url, "eli")
    waiting = article(demo, state="in_review", origin="human")
    open_review(driver, base_url, waiting["id"])
    assert forge(driver, driver.find_element(By.XPATH, "//form[.//button[normalize-space()='Add claim']]")) == 403
    driver.refresh()
    assert "A forged claim" not in page_text(driver)


def test_sign_out_ends_the_session(driver, base_url):
    sign_in(driver, base_url, "fay")
    driver.get(f"{base_url}/desk")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    press_and_wait(driver, control(driver, "Sign out"))
    assert path(driver.current_url) == "/desk/login"
    driver.get(f"{base_url}/desk")
    assert path(driver.current_url) == "/desk/login"
    # The old cookie, sent again, no longer opens the queue.
    request = urllib.request.Request(f"{base_url}/desk", headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert path(response.url) == "/desk/login"


def test_a_deactivated_editors_session_stops_working(driver, base_url):
    sign_in(driver, base_url, "eli")
    driver.get(f"{base_url}/desk")
    assert path(driver.current_url) == "/desk"
    subprocess.run([os.environ["GALLEY_BIN"], "actors", "deactivate", "eli"], check=True, capture_output=True)
    driver.get(f"{base_url}/desk")
    assert path(driver.current_url) == "/desk/login"
