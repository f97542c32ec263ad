#!/usr/bin/env bash
# Side by side with kubectl-validate (the Kubernetes SIG's offline validator, which
# runs the apiserver's own validation code) on the same files: every case of
# e2e/cases, one object per file (a name from the file and a namespace set), against
# the chart's CRD files. Prints the verdict agreement and a Markdown table of wall
# times (min/median/max of RUNS runs each, default 5) for BENCHMARKS.md.
#
#   cargo build --release -p agentgateway-validate
#   GOBIN=$PWD/.cache/kubectl-validate go install sigs.k8s.io/kubectl-validate@v0.0.4
#   validate/benches/kubectl-validate.sh [OURS] [KUBECTL_VALIDATE]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ours=${1:-$root/target/release/agentgateway-validate}
kv=${2:-$root/.cache/kubectl-validate/kubectl-validate}
runs=${RUNS:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/objects" "$dir/crds"
cp "$root"/install/helm/agentgateway-crds/templates/agentgateway.dev_*.yaml "$dir/crds/"
find "$root/e2e/cases" -name '*.yaml' | LC_ALL=C sort | while read -r f; do
    rel=${f#"$root/e2e/cases/"}
    name=$(basename "$f" .yaml)
    out="$dir/objects/${rel//\//-}"
    if grep -q '^metadata:' "$f"; then
        cp "$f" "$out"
    else
        awk -v n="$name" '{print} /^kind:/ {print "metadata: {name: " n ", namespace: bench}"}' "$f" > "$out"
    fi
done
files=$(find "$dir/objects" -name '*.yaml' | wc -l)

# Verdicts, by file name: "valid" or "invalid".
"$ours" --strict --output json "$dir/objects" 2>/dev/null \
    | jq -r '.[] | "\(.file | split("/") | last) \(if .valid then "valid" else "invalid" end)"' \
    | sort > "$dir/ours.txt" || true
"$kv" --local-crds "$dir/crds" --output json "$dir/objects" 2>/dev/null \
    | jq -r 'to_entries[] | "\(.key | split("/") | last) \(if all(.value[]; .status == "Success") then "valid" else "invalid" end)"' \
    | sort > "$dir/kv.txt" || true
same=$(join "$dir/ours.txt" "$dir/kv.txt" | awk '$2 == $3' | wc -l)
valid=$(grep -c ' valid$' "$dir/kv.txt" || true)
echo "files: $files; judged by agentgateway-validate: $(wc -l < "$dir/ours.txt"), by kubectl-validate: $(wc -l < "$dir/kv.txt") ($valid valid)"
echo "same verdict: $same of $files"
join "$dir/ours.txt" "$dir/kv.txt" | awk '$2 != $3 {print "  differs: " $1 ": agentgateway-validate " $2 ", kubectl-validate " $3}'

# Wall times.
time_runs() {
    for ((i = 0; i < runs; i++)); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" > /dev/null 2>&1 || true
        t1=$(date +%s.%N)
        echo "$t1 - $t0" | bc
    done | sort -n | awk '{a[NR] = $1} END {printf "%.2f s | %.2f s | %.2f s", a[1], a[int((NR + 1) / 2)], a[NR]}'
}
echo
echo "| tool | min | median | max |"
echo "| --- | --- | --- | --- |"
echo "| agentgateway-validate --strict | $(time_runs "$ours" --strict "$dir/objects") |"
echo "| kubectl-validate v0.0.4 | $(time_runs "$kv" --local-crds "$dir/crds" "$dir/objects") |"
echo
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each"
