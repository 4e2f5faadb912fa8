"""At 390 px nothing is cut off: every role signs in on a phone-sized browser over the demo
data and visits every page its navigation and home cards offer, and one detail page behind
each list. A page fails when it scrolls sideways, or when any element reaches past the right
edge of the screen outside a sideways-scrolling box (a wide table scrolls inside its own
.table-wrap); a table wider than its box must show the "左右滑动查看更多" hint.
Set PHONE_SHOTS=<dir> to keep a screenshot of every page visited."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, run_async

SHOTS = os.environ.get("PHONE_SHOTS", "")
ROLES = ("admin", "hrss", "edu", "health", "provider", "operator", "trainee")
# Links that download a file or leave the pages: not visited.
NOT_A_PAGE = re.compile(r"/files/|/pdf\b|/scan\b|/download|\.(pdf|xlsx|csv|json|png|jpg)\b"
                        r"|/export|/logout|^/api/")

# What the screen cuts off: the page's own sideways scroll, and every visible element whose
# right edge passes the viewport without an ancestor that scrolls sideways (overflow-x auto or
# scroll). Visually hidden elements (1 px, clipped) are not content.
CUT_OFF = """() => {
  const width = window.innerWidth;
  const inScrollBox = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  // inside a visually hidden box (1 px, clipping what it holds): e.g. a card-mode table's
  // header row, kept for screen readers; a box that cuts real content off still counts
  const visuallyHidden = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      const clips = s.overflowX === 'hidden' || s.overflowX === 'clip'
        || (s.clip && s.clip !== 'auto');
      const r = e.getBoundingClientRect();
      if (clips && (r.width <= 1 || r.height <= 1)) return true;
    }
    return false;
  };
  const describe = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.textContent || '').trim().slice(0, 24);
    return el.tagName.toLowerCase() + cls + ' 「' + text + '」';
  };
  const cut = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.right > width + 1 && !inScrollBox(el) && !visuallyHidden(el)
        && getComputedStyle(el).visibility !== 'hidden') {
      cut.push(describe(el) + ' right=' + Math.round(box.right));
    }
  }
  const unhinted = [];
  for (const wrap of document.querySelectorAll('.table-wrap:not(.table-wrap-stack)')) {
    if (wrap.scrollWidth <= wrap.clientWidth + 1) continue;
    const hint = wrap.previousElementSibling;
    const shown = hint && hint.classList.contains('table-hint') && hint.offsetParent !== null
      && hint.getBoundingClientRect().right <= width + 1;
    if (!shown) unhinted.push(wrap.getAttribute('aria-label') || 'table');
  }
  return {page: document.documentElement.scrollWidth - width, cut: cut.slice(0, 5), unhinted};
}"""

FIRST_DETAIL = """() => {
  const links = [...document.querySelectorAll(
    'main tbody a[href^="/"], main a.card-link[href^="/"], main .card a[href^="/"]')];
  return links.map(a => a.getAttribute('href'));
}"""


async def _outbox() -> None:
    """A few messages in the outbox, so that its table has rows (the demo sends none)."""
    from core.messages.outbox import enqueue
    from core.messages.pages import TOPIC_LABELS

    for n, topic in enumerate(TOPIC_LABELS):
        await enqueue("sms", "13812345678",
                      f"【托育从业人员平台】演示消息 {n}：您的证书已签发，"
                      "请登录平台查看证书编号与验证码",
                      kind="notice", topic=topic)


@pytest.fixture(scope="module")
def demo(live_server: str) -> Iterator[str]:
    """The served app over the demo data (core.demo), every role's login."""
    from core.demo import seed_demo

    assert run_async(seed_demo())
    run_async(_outbox())
    yield live_server


def _sign_in(page: Any, username: str) -> None:
    from core.demo import DEMO_PASSWORD

    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _check(page: Any, role: str, href: str, found: list[str]) -> None:
    response = page.goto(href)
    assert response is not None and response.status < 400, f"{role} {href}: {response.status}"
    result = page.evaluate(CUT_OFF)
    if result["page"] > 0 or result["cut"] or result["unhinted"]:
        found.append(f"{role} {href}: 页面横向溢出 {result['page']} px；超出屏幕 {result['cut']}；"
                     f"无滑动提示的宽表 {result['unhinted']}")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9]+", "_", href).strip("_") or "home"
        page.screenshot(path=str(Path(SHOTS) / f"{role}-{name}.png"), full_page=True)


def _pages(page: Any) -> list[str]:
    links = page.evaluate(
        "() => [...document.querySelectorAll('.site-nav a, main a.card-link')]"
        ".map(a => a.getAttribute('href'))")
    return [href for href in dict.fromkeys(["/", *links])
            if href and href.startswith("/") and not NOT_A_PAGE.search(href)]


def test_every_page_of_every_role_fits_a_phone(demo, new_page):
    found: list[str] = []
    visited = 0
    for role in ROLES:
        page = new_page(phone=True)
        assert page.viewport_size == PHONE
        _sign_in(page, role)
        page.goto("/")
        seen: set[str] = set()
        details: list[str] = []
        for href in _pages(page):
            seen.add(href)
            _check(page, role, href, found)
            detail = next((d for d in page.evaluate(FIRST_DETAIL)
                           if d not in seen and not NOT_A_PAGE.search(d)), None)
            if detail:
                details.append(detail)
        for href in dict.fromkeys(details):
            if href not in seen:
                seen.add(href)
                _check(page, role, href, found)
        visited += len(seen)
        page.context.close()
    assert visited > 60  # the crawl really went through the roles' pages
    assert found == []


def test_the_check_sees_a_page_wider_than_the_phone(demo, new_page):
    page = new_page(phone=True)
    page.goto("/verify")
    assert page.evaluate(CUT_OFF) == {"page": 0, "cut": [], "unhinted": []}
    page.evaluate("""() => {
      const wide = document.createElement('p');
      wide.textContent = 'x'.repeat(10);
      wide.style.width = '600px';
      document.querySelector('main').append(wide);
    }""")
    result = page.evaluate(CUT_OFF)
    assert result["page"] > 0 and any(c.startswith("p ") for c in result["cut"])
