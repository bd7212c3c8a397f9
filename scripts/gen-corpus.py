#!/usr/bin/env python3
"""Builds a synthetic project tree of N files for scaling runs (scripts/bench.sh).

Files are real configuration from ../shared/corpus, copied round-robin under numbered
directories so names (and so detection) stay as in the corpus: `s00042/<original path>`.
Each copy gets a comment line naming its copy, so no two files are byte-identical where the
format has comments. Usage: gen-corpus.py CORPUS OUT N
"""
import os
import shutil
import sys

COMMENT = {".yml": "#", ".yaml": "#", ".tf": "#", ".py": "#", ".conf": "#", ".env": "#",
           ".toml": "#", ".tfvars": "#"}


def sources(corpus):
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if os.path.getsize(path) > 0 and name != "SOURCES.md":
                yield os.path.relpath(path, corpus)


def main():
    corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = list(sources(corpus))
    shutil.rmtree(out, ignore_errors=True)
    made = 0
    copy = 0
    while made < count:
        for rel in files:
            if made == count:
                break
            dest = os.path.join(out, f"s{copy:05d}", rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(os.path.join(corpus, rel), "rb") as f:
                data = f.read()
            marker = COMMENT.get(os.path.splitext(rel)[1])
            if marker is None and os.path.basename(rel).startswith(("Dockerfile", ".env")):
                marker = "#"
            if marker:
                data = f"{marker} copy {copy}\n".encode() + data
            with open(dest, "wb") as f:
                f.write(data)
            made += 1
        copy += 1
    print(f"{out}: {made} files from {len(files)} corpus files")


if __name__ == "__main__":
    main()
