#!/usr/bin/env bash
# Peak memory of `agentgateway-validate` on one large file: N objects (default
# 400,000) made by cycling through the e2e case table (valid and invalid objects of
# every CRD, comments dropped, a name and namespace set), validated in strict mode.
# Prints the file size, the peak RSS and the wall time (GNU time -v), and the
# validator's own summary line. The file is written to a temporary directory and
# removed afterwards.
#
#   cargo build --release -p agentgateway-validate
#   validate/benches/memory.sh [N] [BINARY]
set -euo pipefail
n=${1:-400000}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${2:-$root/target/release/agentgateway-validate}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# One document per case file, in path order.
find "$root/e2e/cases" -name '*.yaml' | LC_ALL=C sort | while read -r f; do
    echo '---'
    if grep -q '^metadata:' "$f"; then
        grep -v '^#' "$f"
    else
        grep -v '^#' "$f" | awk '{print} /^kind:/ {print "metadata: {name: obj, namespace: bench}"}'
    fi
done > "$dir/cases.yaml"
per=$(grep -c '^---$' "$dir/cases.yaml")
# Whole copies of the table, then the first documents of one more copy.
: > "$dir/objects.yaml"
for ((i = 0; i < n / per; i++)); do cat "$dir/cases.yaml"; done >> "$dir/objects.yaml"
awk -v keep=$((n % per)) '/^---$/ {d++} d <= keep {print}' "$dir/cases.yaml" | { [ $((n % per)) -gt 0 ] && cat || true; } >> "$dir/objects.yaml"
docs=$(grep -c '^---$' "$dir/objects.yaml")

set +e
/usr/bin/time -v "$bin" --strict "$dir/objects.yaml" > "$dir/out.txt" 2> "$dir/err.txt"
code=$?
set -e
echo "documents: $docs, file: $(( $(stat -c %s "$dir/objects.yaml") / 1000000 )) MB, exit status: $code"
grep -E 'objects: .* valid' "$dir/err.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$dir/err.txt" | sed 's/^[[:space:]]*//'
