"""Fixtures and helpers for the desk's real-browser tests; scripts/browser-test runs them
against a server it started, and says where through the environment:

GALLEY_DESK_URL              the server, e.g. http://127.0.0.1:40123
GALLEY_DESK_PASSWORD_<NAME>  each demo person's password (GALLEY_DESK_PASSWORD_FAY, ...)
GALLEY_DESK_DEMO             `galley demo load --json`: the demo's tokens and articles
GALLEY_DESK_DATABASE         the server's database
GALLEY_BIN                   the `galley` the server runs (for CLI steps, e.g. deactivation)
DESK_SCREENSHOTS             the folder the screenshots go to
"""

import json
import os
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def setting(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the browser tests with scripts/browser-test")
    return value


@pytest.fixture(scope="session")
def base_url():
    return setting("GALLEY_DESK_URL").rstrip("/")


@pytest.fixture(scope="session")
def demo():
    with open(setting("GALLEY_DESK_DEMO")) as file:
        return json.load(file)


@pytest.fixture(scope="session")
def screenshots():
    folder = setting("DESK_SCREENSHOTS")
    os.makedirs(folder, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def driver():
    """Debian's chromium, headless, through Debian's chromedriver (a Service with a path
    keeps Selenium Manager, which would download a driver, out of it)."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def password(name):
    return setting(f"GALLEY_DESK_PASSWORD_{name.upper()}")


def token(demo, name):
    return next(actor["token"] for actor in demo["actors"] if actor["name"] == name)


def xpath_literal(text):
    """`text` as an XPath 1.0 string literal, whatever quotes it holds."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def control(driver, label):
    """The input, select, textarea or button whose <label> (by `for`, or around it),
    aria-label or button text reads `label`."""
    literal = xpath_literal(label)
    labels = driver.find_elements(By.XPATH, f"//label[normalize-space()={literal}]")
    for element in labels:
        target = element.get_attribute("for")
        if target:
            return driver.find_element(By.ID, target)
        inner = element.find_elements(By.XPATH, ".//input|.//select|.//textarea")
        if inner:
            return inner[0]
    candidates = driver.find_elements(
        By.XPATH,
        f"//*[(self::input or self::select or self::textarea or self::button) and @aria-label={literal}]"
        f" | //button[normalize-space()={literal}] | //input[@type='submit' and @value={literal}]",
    )
    if not candidates:
        raise AssertionError(f"no control labelled {label!r} on {driver.current_url}")
    return candidates[0]


def press_and_wait(driver, element):
    """Presses a button or follows a link (or presses Enter in a field) and waits for the
    next page."""
    page = driver.find_element(By.TAG_NAME, "html")
    if element.tag_name in ("button", "a") or element.get_attribute("type") == "submit":
        element.click()
    else:
        element.submit()
    WebDriverWait(driver, 10).until(lambda _: replaced(page))


def replaced(page):
    """Whether the page `page` belongs to has been replaced. Asked in the middle of the
    navigation, chromedriver sometimes answers for the old node that it "does not belong to
    the document" instead of calling it stale: that is the same answer."""
    try:
        page.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in (error.msg or ""):
            return True
        raise


def sign_in(driver, base_url, name):
    """Signs in at /desk/login through the form, as a person would, from a fresh session."""
    driver.delete_all_cookies()
    driver.get(f"{base_url}/desk/login")
    control(driver, "Name").send_keys(name)
    field = control(driver, "Password")
    field.send_keys(password(name))
    press_and_wait(driver, field)
    assert "/desk/login" not in driver.current_url, f"{name} could not sign in: {page_text(driver)[:300]}"


def page_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def normalized(text):
    """Lower case, underscores as spaces: `fact_check` and "Fact check" read the same."""
    return " ".join(text.replace("_", " ").lower().split())


def section_with(driver, text, button):
    """The innermost element that mentions `text` (as `normalized` reads it) and holds one
    button `button`: a checkpoint's or a claim's own block on the review page."""
    upper, lower = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_", "abcdefghijklmnopqrstuvwxyz "
    mentions = f"contains(translate(normalize-space(.), '{upper}', '{lower}'), {xpath_literal(normalized(text))})"
    buttons = f".//button[normalize-space()={xpath_literal(button)}]"
    block = f"{mentions} and count({buttons}) = 1"
    found = driver.find_elements(By.XPATH, f"//*[{block}][not(.//*[{block}])]")
    if not found:
        raise AssertionError(f"no {button!r} button beside {text!r} on {driver.current_url}")
    return found[0]


def fill_form(form, note):
    """Fills a form's empty text boxes: links with the note's source, notes with `note`."""
    for field in form.find_elements(By.XPATH, ".//input[@type='url'] | .//input[@type='text' or not(@type)] | .//textarea"):
        if not field.is_displayed() or field.get_attribute("value"):
            continue
        if field.get_attribute("type") == "url" or "evidence" in (field.get_attribute("name") or ""):
            field.send_keys("https://example.org/parliament/water-reform-vote")
        else:
            field.send_keys(note)


def api(base_url, method, path, bearer, body=None, headers=None):
    """One call to the JSON API: (status, decoded body or None, response headers)."""
    request = urllib.request.Request(f"{base_url}{path}", method=method)
    request.add_header("Authorization", f"Bearer {bearer}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=10) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, (json.loads(raw) if raw.startswith(b"{") else None), error.headers
