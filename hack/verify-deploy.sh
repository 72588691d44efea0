#!/usr/bin/env bash
# Fails when deploy/image-apiserver.yaml differs from what hack/render-deploy.sh renders from the chart
# now (the chart changed without re-rendering). Fix: bash hack/render-deploy.sh
#
# Environment: CHART_DIR and HELM as for render-deploy.sh; DEPLOY_FILE (default deploy/image-apiserver.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

DEPLOY_FILE="${DEPLOY_FILE:-deploy/image-apiserver.yaml}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

OUT="$tmp/image-apiserver.yaml" bash hack/render-deploy.sh >/dev/null

if [ ! -f "$DEPLOY_FILE" ]; then
  echo "$DEPLOY_FILE is missing: run bash hack/render-deploy.sh" >&2
  exit 1
fi
if ! diff -u "$DEPLOY_FILE" "$tmp/image-apiserver.yaml"; then
  echo "$DEPLOY_FILE is out of date with the chart: run bash hack/render-deploy.sh" >&2
  exit 1
fi
echo "$DEPLOY_FILE is up to date"
