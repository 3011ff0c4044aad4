#!/usr/bin/env python3
"""Benchmark of `forewarn scan`: wall time, peak memory and detection.

Writes, with `forewarn testdata`, a LinkedIn export (default: 100,000
messages in 20,000 conversations, 10,000 connections, 50 hostile and 50
benign planted conversations) and an mbox (default: about 1 GB, padded with
attachments), scans each with `forewarn scan --json`, and prints for each:
the wall time, the peak resident memory of the scan, how many approaches
were judged, and the bands of the planted and ordinary conversations.

    cargo build --release
    python3 bench/scan.py                      # both, full size
    python3 bench/scan.py --mbox-bytes 0       # the export only

Only the Python standard library is used.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time


def run_scan(forewarn, path, out_path):
    """Runs one scan; returns (exit code, wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    with open(out_path, "w") as out:
        child = subprocess.Popen([forewarn, "scan", path, "--json"], stdout=out)
        # wait4 gives the resource usage of this one child, not of every
        # child so far (the generator holds more in memory than a scan).
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024


def bands(verdicts_path, labels_path, key):
    labels = {}
    with open(labels_path) as f:
        for line in f:
            item = json.loads(line)
            labels[item[key]] = item["label"]
    counts = collections.defaultdict(collections.Counter)
    judged = 0
    seen = set()
    with open(verdicts_path) as f:
        for line in f:
            verdict = json.loads(line)
            judged += 1
            ident = verdict.get("source", {}).get(key)
            if ident in labels:
                seen.add(ident)
                counts[labels[ident]][verdict["risk"]] += 1
    return judged, counts, len(set(labels) - seen)


def report(name, code, wall, peak, judged, counts, unjudged):
    print(f"{name}: exit {code}, {wall:.2f} s wall, peak memory {peak:.0f} MiB, {judged} approaches judged")
    for label in ("hostile", "benign", "ordinary"):
        c = counts.get(label, collections.Counter())
        total = sum(c.values())
        if total:
            flagged = c["medium"] + c["high"]
            print(
                f"  {label:8} {total:6}: high {c['high']:6}  medium {c['medium']:6}  low {c['low']:6}"
                f"  (medium or high {100 * flagged / total:.1f}%, high {100 * c['high'] / total:.1f}%)"
            )
    print(f"  labelled but never judged: {unjudged}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forewarn", default=os.environ.get("FOREWARN", "target/release/forewarn"))
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--mbox-bytes", type=int, default=1_000_000_000)
    parser.add_argument("--mbox-messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="where to write the generated data [default: a temporary folder]")
    args = parser.parse_args()
    forewarn = args.forewarn
    if not os.path.exists(forewarn):
        sys.exit(f"{forewarn} not found: run `cargo build --release` first, or pass --forewarn")
    workdir = args.dir or tempfile.mkdtemp(prefix="forewarn-scan-bench-")
    os.makedirs(workdir, exist_ok=True)

    export = os.path.join(workdir, "export.zip")
    subprocess.run(
        [forewarn, "testdata", "linkedin", export, "--zip", "--seed", str(args.seed),
         "--conversations", str(args.conversations), "--messages", str(args.messages),
         "--connections", str(args.connections)],
        check=True,
    )
    verdicts = os.path.join(workdir, "export.verdicts.jsonl")
    code, wall, peak = run_scan(forewarn, export, verdicts)
    report("LinkedIn export", code, wall, peak, *bands(verdicts, export + ".labels.jsonl", "conversation_id"))

    if args.mbox_bytes > 0:
        mbox = os.path.join(workdir, "mail.mbox")
        subprocess.run(
            [forewarn, "testdata", "mbox", mbox, "--seed", str(args.seed),
             "--messages", str(args.mbox_messages), "--size", str(args.mbox_bytes)],
            check=True,
        )
        verdicts = os.path.join(workdir, "mbox.verdicts.jsonl")
        code, wall, peak = run_scan(forewarn, mbox, verdicts)
        size = os.path.getsize(mbox) / 1e9
        report(f"mbox ({size:.2f} GB)", code, wall, peak, *bands(verdicts, mbox + ".labels.jsonl", "message_id"))
        if not args.dir:
            os.remove(mbox)


if __name__ == "__main__":
    main()
