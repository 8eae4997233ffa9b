#!/usr/bin/env bash
# Makes a Docker base image with no registry at all: a root filesystem
# holding this machine's own `node` binary, a shell and a few tools, each with
# the shared libraries `ldd` says it needs, turned into an image by
# `docker import`. The images in this folder build FROM it with
# `--build-arg BASE=<tag>` where `node:20-slim` cannot be pulled.
#
# usage: ci/docker/base-image.sh [TAG]     (default devp2p-check/base:node<major>)
# Prints the tag on its last line.
set -euo pipefail

node_bin=$(readlink -f "$(command -v node)")
major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
tag=${1:-devp2p-check/base:node$major}

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/devp2p-check-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT

# Copies a file to the same path in the root filesystem, following symlinks
# (a library listed as /lib/x86_64-linux-gnu/libc.so.6 lands there as a file).
add_file() {
  mkdir -p "$rootfs$(dirname "$2")"
  cp -L "$1" "$rootfs$2"
}

# A program and every shared library it loads, including the dynamic loader.
add_program() {
  local src=$1 dest=$2 lib
  add_file "$src" "$dest"
  for lib in $(ldd "$src" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    [ -e "$rootfs$lib" ] || add_file "$lib" "$lib"
  done
}

add_program "$node_bin" /usr/local/bin/node
# A shell for RUN steps and start scripts; bash because hive start scripts use it.
add_program "$(readlink -f /bin/sh)" /bin/sh
add_program "$(readlink -f "$(command -v bash)")" /bin/bash
# The few tools Dockerfiles and hive-style scripts call; jq because hive's
# genesis mappers are jq scripts. A tool this machine lacks is left out.
for tool in cat chmod cp env head ln ls mkdir mv rm sed sleep sort tail tr jq; do
  path=$(command -v "$tool" || true)
  [ -n "$path" ] && [ -x "$path" ] && add_program "$(readlink -f "$path")" "/usr/bin/$tool"
done

# Native addons (snappy, classic-level, ...) load glibc parts node itself does
# not (librt, libresolv, ...): the whole glibc family beside libc.so.6, and
# whatever the addons installed in this checkout need.
libc=$(ldd "$node_bin" | awk '$1 == "libc.so.6" { print $3 }')
for lib in "$(dirname "$libc")"/{libc,libm,libdl,librt,libpthread,libresolv,libutil,libanl,libnss_dns,libnss_files}.so.*; do
  [ -e "$lib" ] && [ ! -e "$rootfs$lib" ] && add_file "$lib" "$lib"
done
here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$here/../../node_modules" ]; then
  while IFS= read -r addon; do
    for lib in $(ldd "$addon" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
      [ -e "$rootfs$lib" ] || add_file "$lib" "$lib"
    done
  done < <(find "$here/../../node_modules" -name '*.node' -type f 2>/dev/null)
fi

mkdir -p "$rootfs"/{etc,tmp,root,app,data,hive-bin,proc,sys,dev}
chmod 1777 "$rootfs/tmp"
ln -s /usr/local/bin/node "$rootfs/usr/bin/node"
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"

tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'WORKDIR /' \
  --change 'CMD ["node"]' \
  --change "LABEL devp2p-check.base=node$("$node_bin" -p process.versions.node)" \
  - "$tag" >/dev/null
echo "$tag"
