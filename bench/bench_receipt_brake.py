"""The receipt brake under the attack of issue 22 (item 4): four addresses each sending one wrong
receipt guess every 6.5 s (about 37 failed lookups a minute against the brake's 30), while owners of a
right code look their report up, each from an address of their own. Before, the brake then refused
every lookup with "系统繁忙" and 13 of 21 owners' lookups were turned away; now a lookup under the
brake brings a proof of work (PETITION_FOLLOW_BRAKE_POW_BITS) and goes through.

Bounded and loopback-only: the embedded default (SQLite, file cache) in a temporary data directory,
one uvicorn on 127.0.0.1 started as the Procfile starts it, with JIJIAN_FORWARDED_ALLOW_IPS=127.0.0.1
so that the simulated addresses (X-Forwarded-For from this process) are believed; nothing else is
contacted. Runs `--seconds` (default 100) of attack; the owners start once the brake has had time to
engage. The owner solves the challenge as the browser's pow.js would (petitions.intake.pow.solve, in
Python here). See bench/README.md, "Receipt brake".

    .venv/bin/python bench/bench_receipt_brake.py [--seconds 100]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

ATTACKERS = 4
GUESS_EVERY = 6.5
FOLLOW = "/report/follow/"
SETUP = """
import django
django.setup()
from jijian.core.models import OrgKind
from jijian.core.services import org_unit_create
from jijian.petitions.intake import receipt
from jijian.petitions.models import PetitionReport
def unit(name, kind, parent, code):
    return org_unit_create(actor=None, name=name, kind=kind, parent=parent, code=code, audit=False)
city = unit("随州市", OrgKind.CITY, None, "421300")
unit = unit("厉山镇", OrgKind.TOWN, unit("随县", OrgKind.COUNTY, city, "421321"), "421321100")
code = receipt.new_code()
PetitionReport.objects.create(category="accusation", region=unit, facts="基准：回执码", holder=unit,
    received_unit=unit, serial_number="XF-BENCH-BRAKE", receipt_hash=receipt.receipt_hash(code))
print(code)
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, *, address: str, body: dict | None = None, cookie: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1", "X-Forwarded-For": address}
    data = None
    if body is not None:
        data = urlencode(body).encode()
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}{path}",
        }
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    conn.close()
    return response, text


def _form(port: int, address: str) -> tuple[str, str]:
    """The CSRF cookie and token of a fresh visit to the lookup page."""
    response, text = _request(port, "GET", FOLLOW, address=address)
    if response.status != 200:
        raise RuntimeError(f"GET {FOLLOW} from {address}: {response.status} {text[:300]}")
    cookie = next(
        c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")
    )
    return cookie, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def owner_lookup(port: int, address: str, code: str) -> tuple[str, float]:
    """One owner's lookup as the browser makes it: ("in" | "refused", seconds)."""
    from jijian.petitions.intake import pow

    started = time.monotonic()
    cookie, token = _form(port, address)
    body = {"csrfmiddlewaretoken": token, "code": code}
    response, text = _request(port, "POST", FOLLOW, address=address, body=body, cookie=cookie)
    if response.status == 429 and 'name="pow_challenge"' in text:
        challenge = re.search(r'name="pow_challenge" value="([^"]+)"', text).group(1)
        bits = int(re.search(r'data-pow-bits="(\d+)"', text).group(1))
        body |= {"pow_challenge": challenge, "pow_nonce": pow.solve(challenge, bits)}
        response, text = _request(port, "POST", FOLLOW, address=address, body=body, cookie=cookie)
    outcome = "in" if response.status == 302 else "refused"
    return outcome, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=100.0, help="length of the attack (at most 300)")
    parser.add_argument(
        "--owners-from", type=float, default=45.0, help="second of the attack the owners start"
    )
    parser.add_argument("--owner-every", type=float, default=2.5)
    args = parser.parse_args()
    seconds = min(args.seconds, 300.0)
    if seconds <= args.owners_from + args.owner_every:
        parser.error(
            f"--seconds 须长于 --owners-from 加 --owner-every（{args.owners_from:g} + {args.owner_every:g} 秒）"
        )

    data = Path(tempfile.mkdtemp(prefix="jijian-bench-brake-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIJIAN_", "REDIS_URL", "DATABASE_URL"))}
    env |= {
        "JIJIAN_ENV": "embedded",
        "JIJIAN_DATA_DIR": str(data),
        "JIJIAN_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "jijian.config.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    }
    os.environ |= env
    bin_dir = Path(sys.executable).parent
    server = None
    try:
        for command in (["migrate"], ["collectstatic", "--noinput"]):
            subprocess.run([str(bin_dir / "jijian"), *command, "-v", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
        code = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        port = _free_port()
        log = open(data / "uvicorn.log", "wb")  # noqa: SIM115 - closed with the directory
        server = subprocess.Popen(  # noqa: S603 - fixed argv, as the Procfile's web line
            [str(bin_dir / "uvicorn"), "jijian.config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
             "--no-access-log", "--lifespan", "off", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(port, "GET", "/healthz", address="127.0.0.1")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((data / "uvicorn.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        import django

        django.setup()
        from django.conf import settings

        # Floor: owners with no attack.
        floor = [owner_lookup(port, f"10.77.1.{i}", code) for i in range(5)]

        start = time.monotonic()
        guesses: list[tuple[float, int]] = []
        lock = threading.Lock()

        def attacker(n: int) -> None:
            address = f"10.66.0.{n}"
            time.sleep(n * GUESS_EVERY / ATTACKERS)
            k = 0
            while time.monotonic() - start < seconds:
                cookie, token = _form(port, address)
                body = {"csrfmiddlewaretoken": token, "code": f"{n}{k:019d}"}
                response, _ = _request(port, "POST", FOLLOW, address=address, body=body, cookie=cookie)
                with lock:
                    guesses.append((time.monotonic() - start, response.status))
                k += 1
                next_at = start + n * GUESS_EVERY / ATTACKERS + k * GUESS_EVERY
                time.sleep(max(0.0, next_at - time.monotonic()))

        threads = [threading.Thread(target=attacker, args=(n,)) for n in range(ATTACKERS)]
        for t in threads:
            t.start()
        time.sleep(args.owners_from)
        owners = []
        i = 0
        while time.monotonic() - start < seconds:
            slot = time.monotonic()
            owners.append(owner_lookup(port, f"10.77.2.{i % 250}", code))
            i += 1
            time.sleep(max(0.0, slot + args.owner_every - time.monotonic()))
        for t in threads:
            t.join()
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        if os.environ.get("BENCH_DEBUG"):
            print((data / "uvicorn.log").read_text()[-3000:])
        shutil.rmtree(data, ignore_errors=True)

    braked = [g for g in guesses if g[0] >= args.owners_from]
    hashed = sum(1 for _, status in braked if status == 200)
    window = max(seconds - args.owners_from, 1.0)
    got_in = sum(1 for o, _ in owners if o == "in")
    floor_in = sum(1 for o, _ in floor if o == "in")
    value, floor_value = 100.0 * got_in / max(len(owners), 1), 100.0 * floor_in / len(floor)
    waits = sorted(s for _, s in owners)
    limit = settings.PETITION_FOLLOW_FAILS_PER_MINUTE
    print(
        f"# receipt_brake: {ATTACKERS} addresses x 1 wrong guess / {GUESS_EVERY} s for {seconds:g} s "
        f"({len(guesses)} guesses: {sum(1 for _, s in guesses if s == 200)} hashed, "
        f"{sum(1 for _, s in guesses if s == 429)} sent back for proof of work, "
        f"{sum(1 for _, s in guesses if s not in (200, 429))} other); "
        f"owners from second {args.owners_from:g}: {got_in} of {len(owners)} got in, "
        f"seconds per lookup min {waits[0]:.1f} median {waits[len(waits) // 2]:.1f} max {waits[-1]:.1f} "
        f"(Python solving {settings.PETITION_FOLLOW_BRAKE_POW_BITS} bits); without the attack "
        f"{floor_in} of {len(floor)}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(
        f"BENCH name=receipt_brake_owner scale=embedded value={value:.1f} unit=pct floor={floor_value:.1f} "
        f"ratio={value / max(floor_value, 1e-9):.3f} target=1",
        flush=True,
    )
    per_minute = hashed * 60.0 / window
    print(
        f"BENCH name=receipt_brake_guesses_hashed scale=embedded value={per_minute:.1f} unit=per_min "
        f"floor={limit} ratio={per_minute / limit:.3f} target=1",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
