#!/bin/sh
# Mutation testing of the numeric and export modules (issue 18): slow, not part of CI.
# Runs mutmut (configured in pyproject.toml, [tool.mutmut]) at the lowest priority and stops
# after MUTATION_MINUTES (default 30) so that it never hogs the shared 2-core machine; the kill
# rate per module is printed at the end and recorded by hand in docs/mutation.md.
set -eu
cd "$(dirname "$0")/.."
minutes="${MUTATION_MINUTES:-30}"
rm -rf mutants
nice -n 19 timeout "${minutes}m" .venv/bin/mutmut run --max-children 1 || true
.venv/bin/mutmut results --all true > mutants/results.txt 2>/dev/null || true
for module in passes ephemeris mission export; do
    killed=$(grep -c "sim\.$module.*: killed" mutants/results.txt || true)
    survived=$(grep -c "sim\.$module.*: survived" mutants/results.txt || true)
    echo "$module: killed $killed, survived $survived"
done
