"""The search page at /, in a real headless Chromium against a real uvicorn server.

The indexed posts point at a second local server standing in for the clinic's site, so
following a result is a real navigation.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from browser import chrome
from test_index import SITE, build, clinic_posts
from test_web_api import serve


class _PostPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"<!doctype html><title>Clinic post {self.path}</title><h1>{self.path}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def clinic_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PostPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def page_base(tmp_path_factory, clinic_site):
    posts = [p.model_copy(update={"url": p.url.replace(SITE, clinic_site), "site": clinic_site}).with_hash()
             for p in clinic_posts()]
    index = build(tmp_path_factory.mktemp("page") / "index", posts)
    with serve(index) as base:
        yield base


@pytest.fixture(scope="module")
def driver():
    with chrome() as d:
        yield d


def wait(driver, condition, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(condition)


def search_box(driver):
    label = driver.find_element(By.CSS_SELECTOR, "label[for=q]")
    assert label.text == "Search posts"
    return driver.find_element(By.ID, label.get_attribute("for"))


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_search_see_highlights_and_facets_then_follow_a_result(driver, page_base, clinic_site):
    driver.get(page_base + "/")
    assert "js" in driver.find_element(By.TAG_NAME, "html").get_attribute("class")
    box = search_box(driver)
    box.send_keys("posture")
    box.send_keys(Keys.ENTER)  # the keyboard submits the form
    wait(driver, ec.presence_of_element_located((By.CSS_SELECTOR, "#results .hit")))
    assert driver.find_element(By.ID, "results-heading").text == "2 posts for “posture”"
    marks = driver.find_elements(By.CSS_SELECTOR, ".snippet mark")
    assert marks and {m.text.lower() for m in marks} == {"posture"}
    first = driver.find_element(By.CSS_SELECTOR, ".hit h3 a")
    # the post's <script> is shown as text, and nothing ran
    assert first.text == "Posture Tips <script>alert(1)</script>"
    assert "<script>alert('posture')</script>" in driver.find_element(By.CSS_SELECTOR, ".snippet").text
    assert no_alert(driver)
    years = {a.text for a in driver.find_elements(By.CSS_SELECTOR, "[data-facet=year] a")}
    assert years == {"2021 (1)", "2019 (1)"}
    topics = {a.text for a in driver.find_elements(By.CSS_SELECTOR, "[data-facet=category] a")}
    assert topics == {"Back (1)", "Ergonomics (1)"}

    first.click()
    wait(driver, ec.url_to_be(f"{clinic_site}/blog/xss-test/"))
    assert driver.title == "Clinic post /blog/xss-test/"


def test_facet_link_narrows_and_counts(driver, page_base):
    driver.get(page_base + "/?q=pain")
    everything = driver.find_element(By.ID, "results-heading").text
    driver.find_element(By.PARTIAL_LINK_TEXT, "2024 (").click()
    wait(driver, ec.text_to_be_present_in_element((By.ID, "results-heading"), "in 2024"))
    assert driver.find_element(By.ID, "results-heading").text != everything
    dates = [t.get_attribute("datetime") for t in driver.find_elements(By.CSS_SELECTOR, ".hit time")]
    assert dates and all(d.startswith("2024") for d in dates)
    assert driver.find_element(By.CSS_SELECTOR, "[data-facet=year] a[aria-current]").text.startswith("2024")


def test_suggestions_as_you_type_with_the_keyboard(driver, page_base):
    driver.get(page_base + "/")
    box = search_box(driver)
    box.send_keys("neck pa")
    wait(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions [role=option]")))
    assert box.get_attribute("aria-expanded") == "true"
    options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#suggestions [role=option]")]
    assert options[0] == "neck pain"
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    box.send_keys(Keys.ENTER)
    wait(driver, ec.url_contains("q=neck+pain"))
    assert search_box(driver).get_attribute("value") == "neck pain"
    assert driver.find_elements(By.CSS_SELECTOR, ".snippet mark")


def test_tab_order_reaches_the_form(driver, page_base):
    driver.get(page_base + "/")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = []
    for _ in range(4):
        element = driver.switch_to.active_element
        focused.append(element.get_attribute("id") or element.tag_name)
        element.send_keys(Keys.TAB)
    assert focused[:3] == ["a", "q", "button"]  # skip link, search box, search button


def test_bad_query_shows_the_message(driver, page_base):
    driver.get(page_base + '/?q="neck')
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert "unbalanced quote" in alert.text
    assert search_box(driver).get_attribute("value") == '"neck'


def _contrast(rgb1, rgb2) -> float:
    def luminance(rgb):
        channels = []
        for c in rgb[:3]:
            c = c / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(rgb1), luminance(rgb2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_contrast_is_aa(driver, page_base):
    driver.get(page_base + "/?q=pain&per_page=5")
    colours = driver.execute_script("""
        const out = [];
        const bg = (el) => { while (el) { const c = getComputedStyle(el).backgroundColor;
            if (c !== 'rgba(0, 0, 0, 0)') return c; el = el.parentElement; } return 'rgb(255, 255, 255)'; };
        for (const sel of ['body', '.hit h3 a', '.meta', '.snippet', '.snippet mark', '.help',
                           '.pages a[aria-current]', '.facet a', 'button[type=submit]']) {
            const el = document.querySelector(sel);
            if (el) out.push([sel, getComputedStyle(el).color, bg(el)]);
        }
        return out;""")
    assert len(colours) == 9
    parse = lambda s: [int(float(x)) for x in s[s.index("(") + 1:-1].split(",")]
    for selector, fg, bg in colours:
        assert _contrast(parse(fg), parse(bg)) >= 4.5, selector


def test_fits_a_phone_screen(page_base):
    with chrome(width=375, height=740) as phone:
        phone.get(page_base + "/?q=pain")
        width = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1]
        box = phone.find_element(By.ID, "q").rect
        assert box["width"] > 150  # the search box is not squeezed


def test_plain_search_without_javascript(page_base):
    with chrome() as plain:
        # Chromium stops running scripts on this tab, across navigations
        plain.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        plain.get(page_base + "/")
        assert "js" not in (plain.find_element(By.TAG_NAME, "html").get_attribute("class") or "")
        box = search_box(plain)
        box.send_keys("epaule")
        plain.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(plain, ec.presence_of_element_located((By.CSS_SELECTOR, "#results .hit")))
        hit = plain.find_element(By.CSS_SELECTOR, ".hit")
        assert hit.get_attribute("lang") == "fr"
        assert "physiothérapie" in hit.text.lower()
        # the empty date fields came along with the form and were taken as "no filter"
        assert "since=" in plain.current_url
        assert plain.find_element(By.CSS_SELECTOR, "#suggestions").get_attribute("hidden") is not None
        assert no_alert(plain)


def test_page_escapes_without_a_browser(page_base):
    # the served bytes, not the browser's reading of them
    response = httpx.get(page_base + "/", params={"q": "posture"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'self' covers it
    bad = httpx.get(page_base + "/", params={"q": "x", "page": 99})
    assert bad.status_code == 400 and "past the last page" in bad.text
