#!/bin/bash
# hive-style entry point of the devp2p-check reference node image.
#
# Files (hive's eth1 contract): /genesis.json (required), /chain.rlp and
# /blocks/*.rlp (imported before the node serves), HIVE_* variables for the
# chain, HIVE_BOOTNODE, HIVE_TERMINAL_TOTAL_DIFFICULTY (turns the Engine API
# on with hive's fixed JWT secret), HIVE_CLIQUE_PRIVATEKEY + HIVE_MINER
# (Clique sealing).
#
# Ports: hive's 30303 / 8545 / 8551 unless DEVP2P_CHECK_P2P_PORT,
# DEVP2P_CHECK_RPC_PORT and DEVP2P_CHECK_AUTH_PORT say otherwise: devp2p-check
# runs containers on the host network, where every instance needs ports of
# its own. DEVP2P_CHECK_HOST is the p2p bind address (hive: all interfaces).
set -euo pipefail

host=${DEVP2P_CHECK_HOST:-0.0.0.0}
p2p=${DEVP2P_CHECK_P2P_PORT:-30303}
rpc=${DEVP2P_CHECK_RPC_PORT:-8545}
auth=${DEVP2P_CHECK_AUTH_PORT:-8551}
data=/data
mkdir -p "$data"

node /hive-genesis.mjs /genesis.json "$data/genesis.json"
flags=(--datadir "$data/db" --host "$host" --port "$p2p" --http.port "$rpc" --genesis "$data/genesis.json")
[ -n "${HIVE_NETWORK_ID:-}" ] && flags+=(--networkid "$HIVE_NETWORK_ID")

# One import file: the chain, then the loose blocks in numeric order.
if [ -f /chain.rlp ] || [ -d /blocks ]; then
  : > "$data/import.rlp"
  [ -f /chain.rlp ] && cat /chain.rlp >> "$data/import.rlp"
  if [ -d /blocks ]; then
    for f in $(ls /blocks | sort -n); do cat "/blocks/$f" >> "$data/import.rlp"; done
  fi
fi

# Executing 1100 blocks takes half a minute; devp2p-check starts many
# instances of one chain. With a cache volume at /cache (devp2p-check mounts
# one, see the devp2p-check.chain-cache label), the chain store imported once
# is copied instead, keyed by the chain, the genesis and this image's code.
# Only the chain store is shared: each instance keeps its own node key.
imported=""
if [ -s "$data/import.rlp" ] && [ -d /cache ] && [ -w /cache ]; then
  key=$(node -e '
    const { createHash } = require("node:crypto"); const fs = require("node:fs");
    const h = createHash("sha256");
    for (const f of process.argv.slice(1)) h.update(fs.readFileSync(f));
    console.log(h.digest("hex").slice(0, 24));' "$data/import.rlp" "$data/genesis.json" /app/code-digest "$0")
  key="$key-${HIVE_NETWORK_ID:-0}"
  if [ ! -d "/cache/$key/chaindata" ]; then
    tmp="/cache/tmp.$$.$RANDOM"
    mkdir -p "$tmp"
    # An import-only run: it stops once the node is up, so its store is closed cleanly before the copy.
    node /app/dist/cli/bin.js node --datadir "$tmp/db" --port 0 --host 127.0.0.1 --nodiscover --nodial \
      --genesis "$data/genesis.json" ${HIVE_NETWORK_ID:+--networkid "$HIVE_NETWORK_ID"} --import "$data/import.rlp" > "$tmp/import.log" 2>&1 &
    pid=$!
    until [ -n "$(sed -n '/^enode:/p' "$tmp/import.log")" ]; do
      if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/import.log"; exit 1; fi
      sleep 0.2
    done
    kill "$pid"; wait "$pid" || true
    sed -n '/^import:/p' "$tmp/import.log"
    # Another instance may have finished the same import first; theirs is identical.
    mv -T "$tmp/db" "/cache/$key" 2>/dev/null || true
    rm -rf "$tmp"
  fi
  if [ -d "/cache/$key/chaindata" ]; then
    mkdir -p "$data/db"
    cp -r "/cache/$key/chaindata" "$data/db/chaindata"
    echo "chain store copied from the cache ($key)"
    imported=yes
  fi
fi
[ -s "$data/import.rlp" ] && [ -z "$imported" ] && flags+=(--import "$data/import.rlp")

# With a bootnode, dial it as hive clients do; without one, only be dialled.
if [ -n "${HIVE_BOOTNODE:-}" ]; then
  flags+=(--bootnodes "$HIVE_BOOTNODE")
else
  flags+=(--nodial)
fi

if [ -n "${HIVE_TERMINAL_TOTAL_DIFFICULTY:-}" ]; then
  echo 0x7365637265747365637265747365637265747365637265747365637265747365 > "$data/jwtsecret"
  flags+=(--authrpc.port "$auth" --authrpc.jwtsecret "$data/jwtsecret")
fi

if [ -n "${HIVE_CLIQUE_PRIVATEKEY:-}" ] && [ -n "${HIVE_MINER:-}" ]; then
  echo "${HIVE_CLIQUE_PRIVATEKEY#0x}" > "$data/signer.key"
  flags+=(--mine --miner.signer "$data/signer.key")
fi

echo "starting: node /app/dist/cli/bin.js node ${flags[*]}"
exec node /app/dist/cli/bin.js node "${flags[@]}"
