#!/usr/bin/env bash
# Copies the generated CRDs (crds/, from `npm run gen:api`) into the Helm chart's crds/
# directory. A copy, not a symlink: `helm package` and GitOps tools that fetch the chart
# directory alone must see real files. test/chart/crds.test.ts fails when the two drift.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=charts/tenant-operator/crds
rm -f "$dest"/*.yaml
cp crds/*.yaml "$dest"/
ls "$dest"
