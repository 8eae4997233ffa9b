#!/usr/bin/env bash
# Builds the client images of this folder from an installed, built checkout
# (npm ci && npm run build), with no registry:
#
#   ci/docker/build-images.sh [--base IMAGE] [reference-node] [ethereumjs-client]
#
# Without --base it makes (once) the offline base image of base-image.sh.
# Tags: devp2p-check/<image>:local. An image whose staged context has not
# changed since its last build is kept (label devp2p-check.context), so
# callers may run this before every use. Builds are serialised by a lock, as
# parallel test files may ask at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

base=""
images=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=$2; shift 2 ;;
    reference-node|ethereumjs-client) images+=("$1"); shift ;;
    *) echo "usage: $0 [--base IMAGE] [reference-node] [ethereumjs-client]" >&2; exit 2 ;;
  esac
done
[ ${#images[@]} -gt 0 ] || images=(reference-node ethereumjs-client)

# The docker CLI without the buildx plugin can still use the classic builder.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

exec 9>"${TMPDIR:-/tmp}/devp2p-check-docker-build.lock"
flock 9

if [ -z "$base" ]; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  base=devp2p-check/base:node$major
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    start=$(date +%s%N)
    "$here/base-image.sh" "$base" >/dev/null
    echo "base image $base: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  fi
fi
base_id=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null || echo "$base")

for image in "${images[@]}"; do
  tag=devp2p-check/$image:local
  context=$(mktemp -d "${TMPDIR:-/tmp}/devp2p-check-context.XXXXXX")
  node "$here/stage.mjs" "$image" "$context" >/dev/null
  # What decides the image: every staged file, its mode, and the base.
  digest=$( (cd "$context" && find . -type f -printf '%p %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat; echo "$base_id") | sha256sum | cut -c1-16)
  current=$(docker image inspect -f '{{index .Config.Labels "devp2p-check.context"}}' "$tag" 2>/dev/null || true)
  if [ "$current" = "$digest" ]; then
    echo "$tag is up to date ($digest)"
  else
    start=$(date +%s%N)
    docker build -q --build-arg "BASE=$base" --label "devp2p-check.context=$digest" -t "$tag" "$context" >/dev/null
    echo "$tag built in $(( ($(date +%s%N) - start) / 1000000 )) ms, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
  fi
  rm -rf "$context"
done
