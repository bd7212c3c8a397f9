#!/usr/bin/env bash
# Whole-run timings with hyperfine, preflight beside its peers on the same files.
# Usage: scripts/bench.sh [CORPUS_DIR]   (default ../shared/corpus)
# Needs hyperfine (apt-get install hyperfine) and, for the peers, ../shared/bench/setup-peers.sh.
# SKIP_CHECKOV=1 leaves out checkov, which needs minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="$(cd "${1:-../shared/corpus}" && pwd)"
PEERS="${PEERS_VENV:-$HOME/.cache/preflight-peers}/bin"
command -v hyperfine >/dev/null || { echo "install hyperfine first" >&2; exit 1; }
cargo build --release --quiet
BIN="$PWD/target/release/preflight"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT

# The same files for both tools: copies of the corpus's Dockerfiles and YAML files.
copy() { # copy DEST FIND-ARGS...
  local dest=$1; shift
  (cd "$CORPUS" && find . -type f "$@" -print0 | xargs -0 -I{} cp --parents {} "$dest")
}
mkdir -p "$TMP/docker" "$TMP/yaml"
copy "$TMP/docker" \( -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.dockerfile' -o -name Containerfile \)
copy "$TMP/yaml" \( -name '*.yml' -o -name '*.yaml' \)
(cd "$TMP/docker" && find . -type f | sort > ../docker.lst)
(cd "$TMP/yaml" && find . -type f | sort > ../yaml.lst)
echo "corpus: $CORPUS ($(find "$CORPUS" -type f | wc -l) files); $(wc -l < "$TMP/docker.lst") Dockerfiles, $(wc -l < "$TMP/yaml.lst") YAML files; $(nproc) cores"

hyperfine -N --warmup 3 "$BIN check examples/demo --format json" "$BIN check $CORPUS --format json" -i --export-markdown "$TMP/own.md" >/dev/null
cat "$TMP/own.md"
if [ -x "$PEERS/hadolint" ]; then
  (cd "$TMP/docker" && hyperfine --warmup 1 -i \
    -n "preflight, whole pack, Dockerfiles" "$BIN check . --format json" \
    -n "hadolint, Dockerfiles" "xargs -a ../docker.lst $PEERS/hadolint --no-fail" \
    --export-markdown "$TMP/hadolint.md" | grep -E 'faster|±' || true)
  cat "$TMP/hadolint.md"
fi
if [ -x "$PEERS/yamllint" ]; then
  (cd "$TMP/yaml" && hyperfine --warmup 1 -i \
    -n "preflight, whole pack, YAML" "$BIN check . --format json" \
    -n "yamllint, YAML" "xargs -a ../yaml.lst $PEERS/yamllint -f parsable" \
    --export-markdown "$TMP/yamllint.md" | grep -E 'faster|±' || true)
  cat "$TMP/yamllint.md"
fi
if [ -x "$PEERS/checkov" ] && [ -z "${SKIP_CHECKOV:-}" ]; then
  (cd "$CORPUS" && hyperfine --runs 1 -i \
    -n "preflight, whole pack, corpus" "$BIN check . --format json" \
    -n "checkov -d . (all frameworks)" "$PEERS/checkov -d . --quiet --compact -o json --skip-download" \
    --export-markdown "$TMP/checkov.md" | grep -E 'faster|±' || true)
  cat "$TMP/checkov.md"
fi
/usr/bin/time -f "peak RSS scanning the corpus: %M KiB" "$BIN" check "$CORPUS" --format json >/dev/null 2>"$TMP/rss" || true
tail -1 "$TMP/rss"
