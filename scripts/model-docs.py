#!/usr/bin/env python3
"""Keeps docs/model.md's `preflight parse` examples true.

Each example is an input code block, then a line naming `preflight parse --format json NAME`,
then a ```json block. This script writes the input to NAME in a temporary directory, runs
preflight on it and puts the real output in the json block. Examples whose naming line says
"trimmed" are left as written.

Usage: scripts/model-docs.py PREFLIGHT_BINARY [--check]   (inputs in ```sh, ```json or unnamed blocks are not examples)
  --check: change nothing; exit 1 and show the first stale example if any.
"""
import pathlib, re, subprocess, sys, tempfile

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "model.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
NAMING = re.compile(r"`preflight parse --format json ([^`\s]+)`[^\n]*\n\n$")


def regenerate(text: str, binary: str) -> str:
    out, last, previous_input = [], 0, None
    for block in FENCE.finditer(text):
        lang, body = block.group(1), block.group(2)
        between = text[last:block.start()]
        naming = NAMING.search(between)
        if lang == "json" and naming and previous_input is not None and "trimmed" not in naming.group(0):
            with tempfile.TemporaryDirectory() as tmp:
                path = pathlib.Path(tmp) / naming.group(1)
                path.write_text(previous_input)
                run = subprocess.run([binary, "parse", "--format", "json", path.name],
                                     cwd=tmp, capture_output=True, text=True)
            body = run.stdout
        out.append(between + f"```{lang}\n{body}```\n")
        last = block.end()
        previous_input = body if lang not in ("json", "sh", "") else None
    out.append(text[last:])
    return "".join(out)


def main() -> int:
    binary, check = str(pathlib.Path(sys.argv[1]).resolve()), "--check" in sys.argv[2:]
    text = DOC.read_text()
    new = regenerate(text, binary)
    if new == text:
        return 0
    if check:
        for i, (a, b) in enumerate(zip(text.splitlines(), new.splitlines())):
            if a != b:
                print(f"docs/model.md:{i + 1} is stale:\n  doc:    {a}\n  actual: {b}")
                break
        print("run scripts/model-docs.py target/debug/preflight to update it")
        return 1
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
