#!/usr/bin/env python3
"""Compare `forewarn check --json` with what a data scientist would build
instead: scikit-learn's HashingVectorizer plus LogisticRegression.predict_proba.

Both run in this one process's run, on the same generated approaches, pinned
to one CPU core. forewarn does strictly more per approach (normalisation,
every rule, observables with checksums, profile and conversation signals,
evidence offsets, advice, the verdict JSON); the baseline only turns the
sender's text into a probability.

    pip install -r bench/requirements.txt
    cargo build --release -p forewarn-cli
    python3 bench/compare.py --count 100000 --repeat 5

Two baseline timings are reported: the whole job as forewarn does it (read
the JSONL, parse, score, write one line per approach) and the scoring alone
on texts already in memory (transform + predict_proba), which flatters the
baseline. forewarn is timed as a whole process, start-up included (about
0.05 s to build its engine: rules, model, phone-number metadata), while the
baseline's clock starts once its imports and trained model are ready; the
start-up is also timed on its own (an empty input), and the ratio shown
without it too. On a shared machine, whose speed drifts from second to
second, `--repeat` runs the two sides alternately and reports the median of
each.
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def sender_text(approach):
    parts = []
    for m in approach.get("messages", []):
        if m.get("from", "sender") == "sender":
            if m.get("subject"):
                parts.append(m["subject"])
            parts.append(m.get("text", ""))
    return "\n".join(parts)


def load_corpus(root):
    texts, labels = [], []
    for path in sorted(glob.glob(os.path.join(root, "train", "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    a = json.loads(line)
                    texts.append(sender_text(a))
                    labels.append(1 if a["label"] == "hostile" else 0)
    return texts, labels


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-messages",
        type=int,
        default=4,
        help="most messages per generated approach (two to this many; 4 gives "
        "1.3 KB per approach, 2 gives 1 KB)",
    )
    parser.add_argument(
        "--forewarn",
        default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(repo, "target")), "release", "forewarn"),
        help="path to the forewarn binary (built with --release)",
    )
    parser.add_argument("--corpus", default=os.path.join(repo, "corpus"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each side this many times, alternately, and report the medians "
        "(steadier on a shared machine)",
    )
    args = parser.parse_args()
    if not 2 <= args.max_messages <= 100:
        parser.error("--max-messages must be between 2 and 100")

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import LogisticRegression

    if not os.path.exists(args.forewarn):
        sys.exit(f"no forewarn binary at {args.forewarn}: run `cargo build --release -p forewarn-cli` first")

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "approaches.jsonl")
        subprocess.run(
            [
                args.forewarn, "bench", "--generate", data, "--count", str(args.count),
                "--seed", str(args.seed), "--max-messages", str(args.max_messages),
            ],
            check=True,
        )
        size = os.path.getsize(data)

        # The baseline, fitted on forewarn's own training split.
        vectorizer = HashingVectorizer(n_features=2**20, ngram_range=(1, 2), alternate_sign=False)
        train_texts, train_labels = load_corpus(args.corpus)
        model = LogisticRegression(max_iter=1000)
        model.fit(vectorizer.transform(train_texts), train_labels)

        empty = os.path.join(tmp, "empty.jsonl")
        open(empty, "w").close()

        def run_forewarn(path=data):
            # The real binary, output discarded.
            start = time.perf_counter()
            with open(os.devnull, "wb") as devnull:
                rc = subprocess.run([args.forewarn, "check", "--json", path], stdout=devnull).returncode
            if rc not in (0, 1):
                sys.exit(f"forewarn check failed with exit code {rc}")
            return time.perf_counter() - start

        def run_baseline():
            start = time.perf_counter()
            texts, ids = [], []
            with open(data, encoding="utf-8") as f:
                for line in f:
                    a = json.loads(line)
                    ids.append(a.get("id"))
                    texts.append(sender_text(a))
            scoring_start = time.perf_counter()
            probabilities = model.predict_proba(vectorizer.transform(texts))[:, 1]
            scoring_seconds = time.perf_counter() - scoring_start
            with open(os.devnull, "w", encoding="utf-8") as out:
                for i, p in zip(ids, probabilities):
                    out.write(json.dumps({"id": i, "score": float(p)}) + "\n")
            return time.perf_counter() - start, scoring_seconds

        runs = []
        for _ in range(max(1, args.repeat)):
            runs.append((run_forewarn(), *run_baseline(), run_forewarn(empty)))
        forewarn_seconds = statistics.median(r[0] for r in runs)
        startup_seconds = statistics.median(r[3] for r in runs)
        baseline_seconds = statistics.median(r[1] for r in runs)
        scoring_seconds = statistics.median(r[2] for r in runs)

    n = args.count
    print(f"{n} approaches, {size / 1e6:.1f} MB ({size / n:.0f} bytes each), one core"
          + (f", median of {len(runs)} alternated runs" if len(runs) > 1 else ""))
    print(f"forewarn check --json:                       {forewarn_seconds:7.2f} s  {n / forewarn_seconds:9.0f} approaches/s")
    print(f"scikit-learn, whole job (read, score, write): {baseline_seconds:7.2f} s  {n / baseline_seconds:9.0f} approaches/s")
    print(f"scikit-learn, transform + predict_proba only: {scoring_seconds:7.2f} s  {n / scoring_seconds:9.0f} approaches/s")
    print(f"speed of forewarn relative to the baseline: {baseline_seconds / forewarn_seconds:.2f}x the whole job, "
          f"{scoring_seconds / forewarn_seconds:.2f}x its scoring alone (above 1 means forewarn is faster)")
    if len(runs) > 1:
        # Each round's own ratio: how far the machine's drift moves it.
        print("the whole job, round by round: " + ", ".join(f"{r[1] / r[0]:.2f}x" for r in runs))
    # The baseline's clock starts once its imports, vectoriser and trained
    # model are ready; forewarn's includes building its engine. That
    # start-up, timed on an empty input, is shown apart, with the ratio on
    # equal terms.
    judging_seconds = max(forewarn_seconds - startup_seconds, 1e-9)
    print(f"forewarn start-up (check --json on an empty file): {startup_seconds:.2f} s; without it, "
          f"{n / judging_seconds:.0f} approaches/s, {baseline_seconds / judging_seconds:.2f}x the whole job")

if __name__ == "__main__":
    main()
