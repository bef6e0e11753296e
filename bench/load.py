"""Load test: concurrent simulated users of every role against a running server on loopback.

    .venv/bin/python bench/load.py --users 8 --duration 60            # starts gunicorn itself against DATABASE_URL
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 ...     # or drives a server already running

Each user is a thread with its own keep-alive connection and cookie jar: it logs in through the login form (CSRF token
from the page), then loops over its role's list pages and API endpoints; enterprise users also POST needs through the
API (and the script checks afterwards that every 201 is in the database: no lost write). Bounded by --duration and
--max-requests. Prints throughput, p50/p95/p99 latency, errors, and one JSON line at the end.
Only the standard library on the client side (http.client), so the client costs little CPU next to the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ.get("DEMO_PASSWORD", "lianshang-demo-2026")

STAFF_PAGES = ["/accounts/home/", "/enterprises/", "/organizations/", "/organizations/members/", "/services/requests/"]
ROLE_PATHS: dict[str, list[str]] = {
    "demo_admin": [
        *STAFF_PAGES,
        "/chains/coverage/",
        "/cockpit/",
        "/matching/",
        "/investment/projects/",
        "/talent/",
        "/api/v1/enterprises/",
        "/api/v1/services/figures",
        "/api/v1/cockpit/summary?year=2026",
    ],
    "demo_leader": [*STAFF_PAGES, "/cockpit/", "/api/v1/chains/coverage", "/api/v1/organizations/"],
    "demo_instructor": [*STAFF_PAGES, "/organizations/visits/", "/api/v1/organizations/visits"],
    "demo_handler": ["/accounts/home/", "/services/requests/", "/services/inbox/", "/api/v1/services/"],
    "demo_supervisor": ["/accounts/home/", "/services/requests/", "/services/notices/", "/api/v1/services/notices"],
    "demo_investment": [
        "/accounts/home/",
        "/investment/projects/",
        "/investment/targets/",
        "/api/v1/investment/summary",
    ],
    "demo_talent": ["/accounts/home/", "/talent/my/", "/api/v1/accounts/me"],
    "demo_enterprise": ["/accounts/home/", "/services/catalog/", "/services/requests/", "/api/v1/services/"],
}


class User:
    def __init__(self, host: str, port: int, username: str, timeout: float) -> None:
        self.host, self.port, self.username, self.timeout = host, port, username, timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def login(self) -> bool:
        status, _, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            return False
        form = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
        )
        status, headers, _ = self.request(
            "POST", "/accounts/login/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        return status == 302 and "login" not in headers.get("Location", "")

    def post_need(self, n: int) -> tuple[int, int | None]:
        body = json.dumps(
            {"kind": "need", "title": f"压测诉求 {self.username} {n}", "description": "负载测试写入", "topic": "labour"}
        ).encode()
        status, _, data = self.request(
            "POST",
            "/api/v1/services/",
            body,
            {"Content-Type": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", "")},
        )
        created = json.loads(data).get("id") if status == 201 else None
        return status, created


def run_user(args, username: str, deadline: float, results: list, created: list, lock: threading.Lock) -> None:
    user = User(args.host, args.port, username, args.timeout)
    started = time.perf_counter()
    ok = user.login()
    with lock:
        results.append(("login", (time.perf_counter() - started) * 1000, 200 if ok else 599))
    if not ok:
        return
    paths = ROLE_PATHS[username]
    n = 0
    while time.monotonic() < deadline and n < args.max_requests:
        n += 1
        if username == "demo_enterprise" and n % 5 == 0:
            t0 = time.perf_counter()
            try:
                status, need_id = user.post_need(n)
            except OSError:
                status, need_id = 598, None
            with lock:
                results.append(("POST need", (time.perf_counter() - t0) * 1000, status))
                if need_id:
                    created.append(need_id)
            continue
        path = paths[n % len(paths)]
        t0 = time.perf_counter()
        try:
            status, _, _ = user.request("GET", path)
        except OSError:
            status = 598
        with lock:
            results.append((path, (time.perf_counter() - t0) * 1000, status))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def start_server(args) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(args.port), "DEBUG": os.environ.get("DEBUG", "1"), "LOG_LEVEL": "WARNING"}
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(120):
        try:
            conn = http.client.HTTPConnection(args.host, args.port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start")


def check_writes(created: list[int]) -> int:
    """Every need the API answered 201 for is in the database (no lost write). Returns how many are missing."""
    if not created:
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from service_requests.models import ServiceRequest

    found = ServiceRequest.objects.filter(pk__in=created).count()
    ServiceRequest.objects.filter(pk__in=created).delete()  # leave the demo as it was
    return len(created) - found


def demo_present() -> bool:
    """Whether the database the server would use holds the demo's users (asked through manage.py)."""
    check = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import User; print(User.objects.filter(username='demo_admin').exists())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return check.stdout.strip().endswith("True")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; without it gunicorn is started on --port")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users (roles in rotation)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=500, help="per user")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    args.host = "127.0.0.1"
    server = None
    if args.url:
        parsed = urllib.parse.urlparse(args.url)
        args.host, args.port = parsed.hostname or "127.0.0.1", parsed.port or 80
    else:
        if not demo_present():
            message = "needs the demo area in DATABASE_URL (python manage.py load_demo): its users log in"
            print(f"skipped: {message}")
            print(json.dumps({"script": "load", "results": [], "skipped": message}, ensure_ascii=False))
            return
        server = start_server(args)
    roles = list(ROLE_PATHS)
    results: list[tuple[str, float, int]] = []
    created: list[int] = []
    lock = threading.Lock()
    try:
        begin = time.monotonic()
        deadline = begin + args.duration
        threads = [
            threading.Thread(target=run_user, args=(args, roles[i % len(roles)], deadline, results, created, lock))
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - begin
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    lost = check_writes(created)
    latencies = [ms for _, ms, _ in results]
    errors = [(path, status) for path, _, status in results if status >= 400]
    by_path: dict[str, list[float]] = {}
    for path, ms, _ in results:
        by_path.setdefault(path, []).append(ms)
    for path, values in sorted(by_path.items(), key=lambda kv: -statistics.median(kv[1])):
        print(
            f"  {path:40s} n={len(values):5d} p50={statistics.median(values):8.1f} ms p95={percentile(values, 95):8.1f} ms"
        )
    summary = {
        "script": "load",
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "requests": len(results),
        "throughput_rps": round(len(results) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "errors": len(errors),
        "error_kinds": dict(Counter(f"{status} {path}" for path, status in errors).most_common(5)),
        "writes": len(created),
        "lost_writes": lost,
        "server": "external" if args.url else f"gunicorn {args.workers}x{args.threads}",
    }
    print(
        f"{summary['requests']} requests in {summary['duration_s']} s by {args.users} users: "
        f"{summary['throughput_rps']} req/s, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, {summary['errors']} errors, {len(created)} writes, {lost} lost"
    )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
