"""The harness itself: the browser starts headless, reaches the server and saves a screenshot."""


def test_the_browser_loads_the_sign_in_address_and_saves_a_screenshot(driver, base_url, tmp_path):
    driver.get(f"{base_url}/desk/login")
    assert driver.current_url.startswith(base_url)
    assert driver.execute_script("return document.readyState") == "complete"
    path = tmp_path / "harness.png"
    assert driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
