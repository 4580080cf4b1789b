#!/usr/bin/env bash
# Release check: the delivery audit (tskafka audit) over 100 seeds for each producer and mode,
# from source. CI runs a few seeds of each (test/audit.test.ts); this is the long run.
#   scripts/audit.sh               100 seeds of each (about two hours on a 2-core machine)
#   SEEDS=20 scripts/audit.sh      fewer
# Exits non-zero when any seed found a record lost, duplicated, reordered, misplaced, or read from
# an aborted transaction; each failed seed's report names the cluster logs it kept.
set -uo pipefail
cd "$(dirname "$0")/.."
SEEDS="${SEEDS:-100}"
status=0
for args in "" "--producer confluent-python" "--producer transactional" "--mode kill9"; do
  echo "== tskafka audit --seed-count $SEEDS $args"
  # shellcheck disable=SC2086
  node --import tsx --conditions=source packages/cli/src/bin.ts audit --seed-count "$SEEDS" $args || status=1
done
exit $status
