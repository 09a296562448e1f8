#!/bin/sh
# Mutation testing of the numeric and export modules (issue 18): slow, not part of CI.
#
#   benchmarks/mutation.sh                 # install, run all four, print the kill rate per module
#   benchmarks/mutation.sh passes mission  # only these (passes, ephemeris, mission, export)
#   MUTATION_KEEP=1 benchmarks/mutation.sh export   # keep mutants/ and the results of earlier runs
#
# mutmut is configured in pyproject.toml ([tool.mutmut]): it runs, for each mutant, only the fast
# tests that called the mutated function (tests/test_units_*.py and a few cheap others), in a
# fork, stopping at the first failure. Each module runs at the lowest priority with two workers
# and stops after MUTATION_MINUTES (default 120) so that it never hogs the shared machine; the
# summary says how many mutants were not checked. Record the result in docs/mutation.md.
# Survivors, sorted into killed / equivalent / open with the reasons of docs/mutation.md:
#   .venv/bin/python benchmarks/mutation_survivors.py 'sim\.ephemeris' --which-test \
#       tests/test_units_ephemeris2.py    # names the first failing test of a re-checked mutant
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e '.[test,mutation]'
minutes="${MUTATION_MINUTES:-120}"
modules="${*:-passes ephemeris mission export}"
[ "${MUTATION_KEEP:-0}" = 1 ] || rm -rf mutants
started=$(date +%s)
for module in $modules; do
    echo "== sim.$module: mutmut run (at most $minutes minutes)"
    nice -n 19 timeout "${minutes}m" .venv/bin/mutmut run --max-children 2 "sim.$module*" \
        >"mutants-$module.log" 2>&1 || echo "   (stopped: see mutants-$module.log)"
done
.venv/bin/mutmut results --all true >mutants/results.txt 2>/dev/null
# mutmut keeps results only until the next run resets them: keep a dated copy beside the logs
cp mutants/results.txt "mutants-results-$(git rev-parse --short HEAD)-$(date -u +%Y%m%dT%H%MZ).log"  # gitignored
echo "== $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(($(date +%s) - started)) s"
.venv/bin/python - <<'EOF'
import collections
import re

counts = collections.defaultdict(collections.Counter)
for line in open("mutants/results.txt"):
    m = re.match(r"\s*sim\.(passes|ephemeris|mission|export)\S*: (.+)$", line)
    if m:
        counts[m.group(1)][m.group(2).strip()] += 1
print(f"{'module':10} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} "
      f"{'no tests':>9} {'not run':>8} {'kill rate':>10}")
for module in ("passes", "ephemeris", "mission", "export"):
    c = counts[module]
    total = sum(c.values())
    if not total:
        continue
    caught = c["killed"] + c["timeout"]
    checked = total - c["not checked"]
    rate = f"{100 * caught / checked:.1f}%" if checked else "-"
    print(f"{module:10} {total:8d} {c['killed']:7d} {c['timeout']:8d} {c['survived']:9d} "
          f"{c['no tests']:9d} {c['not checked']:8d} {rate:>10}")
print("kill rate = (killed + timeout) / checked; survivors: grep survived mutants/results.txt")
EOF
