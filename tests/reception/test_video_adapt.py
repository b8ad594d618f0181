"""The room in headless Chromium against a real Janus: switching cameras (Chromium's fake devices,
three of them) replaces the track on the same sender without renegotiating, and a weak link steps the
picture down (480p, 360p, 240p: the encoder's scale and bitrate cap, and the room's bitrate cap for the
publisher through Janus's `configure`, which Janus acknowledges), shown on the page; a good link
steps it back up — also when the encoder reports "bandwidth" only because of our own cap, as Chromium
does on a stepped-down call (the estimate then equals the cap). The link's samples are given to the page's
own decision function (the same one getStats feeds), since loss cannot be made on loopback here; each
run of samples in one evaluation, so the page's own sampler (every 3 s) cannot fall between them."""

from __future__ import annotations

import time
from datetime import date

import pytest

from jijian.reception.models import ReceptionState
from tests.browser_fixtures import CHROMIUM
from tests.e2e.helpers import sign_in
from tests.reception.helpers import reception

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_cameras(browser):
    """A second Chromium from the same Playwright whose fake capture has several cameras (as a phone
    has a front and a back one)."""
    other = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream=device-count=3",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield other
    other.close()


def until(page, expression, timeout=20.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{expression} stayed {value!r}")


def sending(page) -> dict:
    return page.evaluate("window.receptionSending()")


def samples(page, sample: str, n: int) -> None:
    """`n` samples of the link, in a row: no sample of the page's own can come between them."""
    page.evaluate(f"() => {{ for (let i = 0; i < {n}; i++) window.receptionAdapt({sample}); }}")


def test_camera_switch_and_a_lower_resolution_on_a_weak_link(live_server, two_cameras, tree, people, janus):
    r = reception(tree.city, state=ReceptionState.CONFIRMED, day=date.today())
    base = live_server.url
    context = two_cameras.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    sign_in(page, base, people.city_petition)
    page.goto(f"{base}/reception/{r.pk}/")
    page.click("button[value=start]")
    page.wait_for_selector("#room-status:has-text('已连接')", timeout=30000)
    assert page.is_visible("#switch-camera")  # two cameras: the button is offered
    until(page, "window.receptionSending().then(s => s && s.frameHeight === 480 && s.framesEncoded > 10)")
    assert page.text_content("#resolution").startswith("画质 480p")

    # The camera switch: a new track on the same sender, the offer unchanged (no renegotiation).
    # Chromium's second fake camera is a depth camera (Y16 frames, which no encoder takes), so the
    # button is pressed twice: the third fake camera is an ordinary one (MJPEG).
    before = sending(page)
    cameras = page.evaluate(
        "navigator.mediaDevices.enumerateDevices()"
        ".then(d => d.filter(x => x.kind === 'videoinput').map(x => x.deviceId))"
    )
    assert len(cameras) == 3 and before["device"] == cameras[0]
    page.click("#switch-camera")
    until(page, "window.receptionCameraSwitches === 1")
    assert sending(page)["device"] == cameras[1]
    page.click("#switch-camera")
    until(page, "window.receptionCameraSwitches === 2")
    after = sending(page)
    assert after["device"] == cameras[2] and after["track"] != before["track"]
    assert after["sdp"] == before["sdp"]
    assert page.evaluate("document.getElementById('local').srcObject.getVideoTracks().length") == 1
    until(page, f"window.receptionSending().then(s => s.framesEncoded > {after['framesEncoded'] + 10})")

    # A weak link: two bad samples step down to 360p, the encoder scales, Janus caps the publisher.
    weak = "{loss: 0.12, rtt: 0.2, limited: 'none'}"
    one = page.evaluate(
        f"() => {{ window.receptionAdapt({weak}); const shown = document.getElementById('resolution').textContent;"
        f" window.receptionAdapt({weak}); return shown; }}"
    )
    assert "360p" not in one  # one bad sample is not enough
    until(page, "window.receptionConfigures.length === 1")
    assert page.evaluate("window.receptionConfigures[0]") == {
        "bitrate": 256000,
        "level": "360p",
        "why": "weak",
        "answer": "ok",
    }
    assert "360p" in page.text_content("#resolution") and "降低画质" in page.text_content("#resolution")
    # The encoder sends at most 360 lines now (fewer when this busy machine's CPU limits it too).
    until(page, "window.receptionSending().then(s => s.frameHeight > 0 && s.frameHeight <= 360)")
    assert sending(page)["maxBitrate"] == 256000 and abs(sending(page)["scale"] - 4 / 3) < 0.01
    # Still weaker (a long round trip, the encoder limited by bandwidth): 240p, and no further.
    samples(page, "{loss: 0, rtt: 1.2, limited: 'bandwidth'}", 2)
    until(page, "window.receptionSending().then(s => s.frameHeight > 0 && s.frameHeight <= 240)")
    assert sending(page)["scale"] == 2 and sending(page)["maxBitrate"] == 128000
    samples(page, "{loss: 0.3, rtt: 1.5, limited: 'bandwidth'}", 4)
    until(page, "window.receptionConfigures.length === 2")
    assert [c["bitrate"] for c in page.evaluate("window.receptionConfigures")] == [256000, 128000]
    # The call goes on (frames still sent) at the lower resolution.
    frames = sending(page)["framesEncoded"]
    until(page, f"window.receptionSending().then(s => s.framesEncoded > {frames + 10})")
    assert page.text_content("#room-status").startswith("已连接")
    # What Chromium itself reports now on loopback (seen with receptionSending(): limited "bandwidth",
    # available 128000): the encoder held back by our own 128 kbit/s cap, not by the link. Not asserted:
    # on a busy machine the encoder may say "cpu" instead.
    # A squeeze below our cap is the link's: still weak (and 240p is the floor: no configure).
    samples(page, "{loss: 0, rtt: 0.02, limited: 'bandwidth', available: 60000}", 10)
    assert page.evaluate("window.receptionConfigures.length") == 2
    # A good link for long enough steps back up, though the encoder still says "bandwidth" (our cap).
    samples(page, "{loss: 0, rtt: 0.02, limited: 'bandwidth', available: 128000}", 10)
    until(page, "window.receptionConfigures.length === 3")
    assert page.evaluate("window.receptionConfigures[2]")["bitrate"] == 256000
    assert abs(sending(page)["scale"] - 4 / 3) < 0.01 and sending(page)["maxBitrate"] == 256000
    assert "360p" in page.text_content("#resolution") and "提高画质" in page.text_content("#resolution")
    context.close()
