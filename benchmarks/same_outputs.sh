#!/usr/bin/env bash
# Whether a change left every output byte-identical: runs the same commands in a worktree of
# an earlier commit and in this tree, on the bundled fixtures and the labelled benchmark runs,
# and diffs what they wrote (reports in every format, stdout, stderr, exit codes).
#
#   bash benchmarks/same_outputs.sh COMMIT        # e.g. HEAD~5; needs the project installed
set -euo pipefail
old=${1:?give the commit to compare with}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add -q --detach "$work/old" "$old"

outputs() {  # outputs TREE: every output, under $work/out (the same path for both trees)
  local tree=$1 out=$work/out
  rm -rf "$out" && mkdir -p "$out"
  run() {
    local name=$1; shift
    (cd "$tree" && PYTHONPATH="$tree" python -m taskgate "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"; echo $? >"$out/$name.rc") || true
  }
  run golden score fixtures/golden.jsonl -o "$out/golden.json" -o "$out/golden.md" \
    -o "$out/golden.xml" -o "$out/golden.html" -o "$out/golden.jsonl"
  run candidate score fixtures/candidate.jsonl --baseline fixtures/baseline.json \
    -o "$out/candidate.json" -o "$out/candidate.md" -o "$out/candidate.xml" -o "$out/candidate.html"
  run terminal score fixtures/candidate.jsonl --baseline fixtures/baseline.json
  run diff diff fixtures/baseline.json "$out/candidate.json" -o "$out/diff.md"
  run explain explain fixtures/golden.jsonl r-00142
  run validate validate fixtures/candidate.jsonl
  run plan plan fixtures/baseline.json
  for file in "$tree"/fixtures/labelled/*.json.gz; do
    local name format=tau2
    name=$(basename "$file" .json.gz)
    case $name in tau-bench*) format=tau-bench ;; esac
    gzip -dc "$file" >"$work/$name.json"
    run "import-$name" import "$format" "$work/$name.json" -o "$out/$name.jsonl"
    run "real-$name" score "$out/$name.jsonl" -o "$out/real-$name.json" -o "$out/real-$name.md" \
      -o "$out/real-$name.xml"
  done
}

outputs "$work/old" && mv "$work/out" "$work/before"
outputs "$here" && mv "$work/out" "$work/after"
if diff -r "$work/before" "$work/after" >"$work/diff.txt"; then
  echo "same: $(ls "$work/after" | wc -l) outputs byte-identical to $old"
else
  grep -E '^(Only in|diff -r)' "$work/diff.txt" | sed "s#$work/##g"
  echo "differs from $old: the files above"
  exit 1
fi
