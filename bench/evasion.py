#!/usr/bin/env python3
"""How far can a sender who has read the open rule pack lower a hostile
approach's score by pasting in reassurance, or by framing what they offer as
a description of what others do?

Takes the hostile approaches of a labelled corpus and, for each padding,
appends sentences that fire context signals (a public event, compliance
rules, a named role, a declared fee, a report of an approach, a claim to have
ignored one) to every message of the sender; for each framing, opens every sentence of every
sender message with words that describe others ("Unlike the fake recruiters
in the news, ..."). Prints the share of them that `forewarn check --json`
still puts in the high band and in medium or high.

    cargo build --release -p forewarn-cli
    python3 bench/evasion.py corpus/dev corpus/holdout

Only the Python standard library is needed.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

# Each padding is written the way a genuine sender would put it; "two" and
# "all" stack several. Context signals do not add up in forewarn's model, so
# stacking should cost no more than the strongest sentence alone.
PADDINGS = {
    "none": [],
    "event": ["The agenda, the other speakers and the registration link are on our website, "
              "and the event will be livestreamed."],
    "compliance": ["Under our compliance rules you must not share anything confidential or "
                   "non-public, and we run a conflict check first."],
    "role": ["The role is Head of Policy, salary GBP 95,000 to 110,000; you can apply through "
             "our careers page."],
    "declared": ["Any fee would be declared in the register of interests, and our funders are "
                 "published on our website."],
    "reporting": ["I was contacted last week by someone offering me money for information, and I "
                  "reported it."],
    "ignored": ["I never replied to the last one who wrote to me like this, and you will not be "
                "in trouble if you report this to your security team."],
}
PADDINGS["two"] = PADDINGS["event"] + PADDINGS["compliance"]
PADDINGS["all"] = [s for name in ("event", "compliance", "role", "declared") for s in PADDINGS[name]] + [
    "This study has ethics approval and you may withdraw at any time."
]

# Description cues of the rule pack, put before every sentence: a hit after
# one counts only when the sender speaks of themselves in between.
FRAMINGS = {
    "unlike-fake": "Unlike the fake recruiters in the news, ",
    "beware": "Beware of fake recruiters; ",
    "red-flags": "I know the red flags, so to be clear: ",
    "warned": "You may have been warned about messages that look like this, and ",
    "thanked": "Thank you for reporting back: ",
}


def hostile_approaches(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(glob.glob(os.path.join(path, "**", "*.jsonl"), recursive=True))
        else:
            files.append(path)
    approaches = []
    for f in files:
        with open(f, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    a = json.loads(line)
                    if a.get("label") == "hostile":
                        approaches.append(a)
    return approaches


def padded(approach, sentences):
    a = json.loads(json.dumps(approach))
    for m in a.get("messages", []):
        if m.get("from", "sender") == "sender":
            m["text"] = " ".join([m["text"], *sentences])
            break
    return a


def framed(approach, opening):
    a = json.loads(json.dumps(approach))
    for m in a.get("messages", []):
        if m.get("from", "sender") == "sender":
            sentences = re.split(r"(?<=[.!?。！？])\s*", m["text"])
            m["text"] = " ".join(opening + s[:1].lower() + s[1:] for s in sentences if s.strip())
    return a


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(here), "target"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+", help="labelled JSONL files or directories")
    parser.add_argument("--forewarn", default=os.path.join(target, "release", "forewarn"))
    parser.add_argument("--model", help="score with this model file instead of the shipped one")
    args = parser.parse_args()
    if not os.path.exists(args.forewarn):
        sys.exit(f"no forewarn binary at {args.forewarn}: run `cargo build --release -p forewarn-cli` first")
    hostile = hostile_approaches(args.corpus)
    if not hostile:
        sys.exit("no hostile approaches (lines with \"label\": \"hostile\") in the corpus given")
    command = [args.forewarn, "check", "--json", "-"]
    if args.model:
        command += ["--model", args.model]
    print(f"{len(hostile)} hostile approaches")
    print(f"{'padding':12} {'high':>7} {'medium+':>8}")
    variants = [(name, lambda a, s=sentences: padded(a, s)) for name, sentences in PADDINGS.items()]
    variants += [(name, lambda a, o=opening: framed(a, o)) for name, opening in FRAMINGS.items()]
    for name, change in variants:
        lines = "".join(json.dumps(change(a), ensure_ascii=False) + "\n" for a in hostile)
        run = subprocess.run(command, input=lines, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"forewarn check failed ({run.returncode}): {run.stderr.strip()}")
        risks = [json.loads(v)["risk"] for v in run.stdout.splitlines()]
        high = sum(r == "high" for r in risks) / len(risks)
        medium = sum(r != "low" for r in risks) / len(risks)
        print(f"{name:12} {high:7.1%} {medium:8.1%}")


if __name__ == "__main__":
    main()
