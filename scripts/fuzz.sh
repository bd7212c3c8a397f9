#!/usr/bin/env bash
# Fuzzes every parser adapter and the whole check pipeline with cargo-fuzz (libFuzzer), one
# target after another, each for a bounded time; not run in CI.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600 s; all targets)
# Targets: yaml json toml hcl dockerfile python dotenv nginx pgconf pghba javascript check.
# Needs the nightly toolchain (installed here if missing) and cargo-fuzz (likewise); where
# nightly cannot be had, it runs the property tests with many cases instead.
# The corpus is seeded from tests/fixtures, tests/hostile and ../shared/corpus; what libFuzzer
# adds stays in fuzz/corpus/ (not committed). Crashes land in fuzz/artifacts/<target>/: turn
# each into a test in tests/hostile.rs (`fuzz_regressions`) once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-600}"
shift || true
ALL=(yaml json toml hcl dockerfile python dotenv nginx pgconf pghba javascript check)
TARGETS=("${@:-${ALL[@]}}")
SHARED_CORPUS="${SHARED_CORPUS:-../shared/corpus}"

if ! rustup toolchain list | grep -q '^nightly' && ! rustup toolchain install nightly --profile minimal; then
  # No nightly, no libFuzzer: the stable stand-in is the property tests, with many cases.
  echo "no nightly toolchain: running tests/properties.rs with PROPTEST_CASES=${PROPTEST_CASES:-20000} instead" >&2
  PROPTEST_CASES="${PROPTEST_CASES:-20000}" exec nice -n 19 cargo test --release --test properties
fi
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# seed TARGET FIND-ARGS...: copies matching files of the fixtures and corpora into the target's
# corpus directory, named by content hash so reseeding adds nothing twice.
seed() {
  local target=$1; shift
  local dir="fuzz/corpus/$target"
  mkdir -p "$dir"
  find tests/fixtures tests/hostile tests/projects "$SHARED_CORPUS" -type f -size -256k \( "$@" \) 2>/dev/null |
    while read -r file; do cp "$file" "$dir/$(sha1sum "$file" | cut -c1-40)"; done
}
seed_target() {
  case "$1" in
    yaml) seed yaml -name '*.yml' -o -name '*.yaml' ;;
    json) seed json -name '*.json' ;;
    toml) seed toml -name '*.toml' ;;
    hcl) seed hcl -name '*.tf' -o -name '*.hcl' -o -name '*.tfvars' ;;
    dockerfile) seed dockerfile -name 'Dockerfile*' -o -name '*.dockerfile' -o -name 'Containerfile' ;;
    python) seed python -name '*.py' ;;
    dotenv) seed dotenv -name '.env*' -o -name '*.env' ;;
    nginx) seed nginx -name '*.conf' -path '*nginx*' -o -name 'nginx.conf' ;;
    pgconf) seed pgconf -name 'postgresql*.conf' ;;
    pghba) seed pghba -name 'pg_hba.conf' ;;
    javascript) seed javascript -name 'next.config.*' ;;
    # The check target's inputs are NUL-separated files whose first byte picks the name:
    # seed it with single files under the name index of their kind.
    check)
      mkdir -p fuzz/corpus/check
      local i=0
      for spec in 'docker-compose.y*ml' '*.yaml' '*.yml' 'package.json' '*.tf' 'Dockerfile' \
                  'base.py' 'production.py' 'manage.py' '.env*' 'nginx.conf' '*.conf' \
                  'postgresql.conf' 'pg_hba.conf' 'next.config.js' '*.toml'; do
        # awk, not head: head would close the pipe early, and pipefail would end the script.
        find tests/fixtures "$SHARED_CORPUS" -type f -name "$spec" -size -64k 2>/dev/null | awk 'NR <= 20' |
          while read -r file; do
            # Byte i + 16 picks name i (the target takes it modulo 16) and is never the NUL
            # that separates files.
            { printf "\\x$(printf %02x $((i + 16)))"; cat "$file"; } > "fuzz/corpus/check/$(sha1sum "$file" | cut -c1-40)-$i"
          done
        i=$((i + 1))
      done ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

# Nice and one job: the machine is shared.
nice -n 19 cargo +nightly fuzz build -O parse
nice -n 19 cargo +nightly fuzz build -O check

printf '%-12s %10s %10s %8s %s\n' target seconds execs exec/s crashes
for target in "${TARGETS[@]}"; do
  seed_target "$target"
  binary=parse
  [ "$target" = check ] && binary=check
  mkdir -p "fuzz/artifacts/$target" fuzz/logs
  log="fuzz/logs/$target.log"
  PREFLIGHT_FUZZ_FORMAT="$target" nice -n 19 cargo +nightly fuzz run -O "$binary" "fuzz/corpus/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1 || true
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  crashes=$(find "fuzz/artifacts/$target" -type f | wc -l)
  printf '%-12s %10s %10s %8s %s\n' "$target" "$SECONDS_PER_TARGET" "${execs:-0}" "${rate:-0}" "$crashes"
done
