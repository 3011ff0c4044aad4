#!/usr/bin/env python3
"""Load benchmark of `forewarn serve`: report submissions per second, and
the latency of the analyst queue API with many reports stored.

    cargo build --release
    python3 bench/serve.py                    # 100,000 reports stored, 10 s per phase

It fills a fresh data directory with `forewarn testdata reports` (the demo
accounts and COUNT generated reports, judged by the engine), starts
`forewarn serve` on a free port, and runs two phases with keep-alive HTTP
clients on threads:

1. submissions: CLIENTS clients POST approaches to /api/v1/reports as a
   member; it reports the acknowledged (201) reports per second and their
   latency;
2. queue: CLIENTS clients GET /api/v1/reports as an analyst (the first page
   of the queue, then filtered by status, risk and signal); it reports the
   latency percentiles.

Only the Python standard library is used. The clients share the machine
with the server, so the figures are a lower bound of what the server does.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

APPROACH = json.dumps({
    "channel": "linkedin",
    "sender": {"name": "Lena Zhou", "organisation": "Brightyear Executive Search",
               "headline": "Senior Headhunter at Brightyear Executive Search"},
    "messages": [
        {"text": "Dear colleague, my client is a consultancy that advises investors. They pay "
                 "£2,000 per short report with your insights on what is discussed internally "
                 "before decisions are announced."},
        {"text": "It is better we continue on WeChat, LinkedIn is not convenient. All expenses "
                 "paid for a meeting in Shanghai."},
    ],
}).encode()

QUEUE_PATHS = [
    "/api/v1/reports?limit=50",
    "/api/v1/reports?status=new&limit=50",
    "/api/v1/reports?risk=high&limit=50",
    "/api/v1/reports?signal=FW-OFFER-TRIP&limit=50",
    "/api/v1/reports?limit=50&offset=1000",
]


def start_server(forewarn, data_dir):
    proc = subprocess.Popen(
        [forewarn, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    for line in proc.stderr:
        if line.startswith("forewarn: listening on http://"):
            address = line.split()[3][len("http://"):]
            host, port = address.rsplit(":", 1)
            # Drain the logs so the server never blocks on them.
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, host, int(port)
    sys.exit("the server did not start")


def request(conn, method, path, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def login(host, port, email):
    conn = http.client.HTTPConnection(host, port)
    status, data = request(conn, "POST", "/api/v1/auth/token",
                           body=json.dumps({"email": email, "password": "demo-password"}))
    if status != 201:
        sys.exit(f"login failed: {status} {data!r}")
    return json.loads(data)["token"]


def run_phase(host, port, clients, seconds, work):
    """Runs `work(conn, i)` in a loop on `clients` threads; returns the
    (status, latency) of every call."""
    results = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n):
        conn = http.client.HTTPConnection(host, port)
        local = []
        i = 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status = work(conn, n * 1_000_000 + i)
            local.append((status, time.perf_counter() - start))
            i += 1
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def describe(name, results, elapsed, ok):
    good = [lat for status, lat in results if status == ok]
    bad = len(results) - len(good)
    lat = [lat * 1000 for _, lat in results]
    print(f"{name}: {len(good)} answered {ok} in {elapsed:.1f} s = {len(good) / elapsed:.0f}/s"
          f" (other answers: {bad}); latency ms p50 {percentile(lat, 50):.1f}"
          f"  p90 {percentile(lat, 90):.1f}  p99 {percentile(lat, 99):.1f}  max {max(lat):.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forewarn", default=os.environ.get("FOREWARN", "target/release/forewarn"))
    parser.add_argument("--count", type=int, default=100_000, help="reports stored before the queue phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--data-dir", help="reuse a data directory already filled by `forewarn testdata reports`")
    args = parser.parse_args()
    if not os.path.exists(args.forewarn):
        sys.exit(f"{args.forewarn} not found: run `cargo build --release` first, or pass --forewarn")
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="forewarn-serve-bench-")
    if not args.data_dir:
        subprocess.run([args.forewarn, "testdata", "reports", "--data-dir", data_dir,
                        "--count", str(args.count)], check=True)
    proc, host, port = start_server(args.forewarn, data_dir)
    try:
        member = login(host, port, "member@demo.invalid")
        analyst = login(host, port, "analyst@demo.invalid")

        def queue(conn, i):
            return request(conn, "GET", QUEUE_PATHS[i % len(QUEUE_PATHS)], analyst)[0]

        results, elapsed = run_phase(host, port, args.clients, args.seconds, queue)
        describe(f"queue ({args.count:,} reports stored)", results, elapsed, 200)

        def submit(conn, i):
            return request(conn, "POST", "/api/v1/reports", member, APPROACH)[0]

        results, elapsed = run_phase(host, port, args.clients, args.seconds, submit)
        describe("submissions", results, elapsed, 201)
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
