# The devp2p-check reference node as a hive-style client image.
# Build context: a folder staged by ci/docker/stage.mjs (ci/docker/build-images.sh does both).
# BASE: any image with node >= 20 at /usr/local/bin/node and bash; where no
# registry is reachable, the image ci/docker/base-image.sh makes.
ARG BASE=node:20-slim
FROM ${BASE}

COPY app /app
COPY scripts/start.sh /reference-node.sh
COPY scripts/enode.sh /hive-bin/enode.sh
COPY scripts/hive-genesis.mjs /hive-genesis.mjs
COPY scripts/hive-enode.mjs /hive-enode.mjs
RUN chmod +x /reference-node.sh /hive-bin/enode.sh \
 && node -p '"devp2p-check reference node " + require("/app/package.json").version' > /version.txt \
 && node -e 'const fs = require("fs"), h = require("crypto").createHash("sha256"); \
      for (const f of fs.readdirSync("/app/dist", { recursive: true }).sort()) { const p = "/app/dist/" + f; if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p)); } \
      fs.writeFileSync("/app/code-digest", h.digest("hex"))'

# Tells devp2p-check that the start script takes its ports from DEVP2P_CHECK_* variables,
# and where to mount its chain-store cache volume (see reference-node/start.sh).
LABEL devp2p-check.ports=env devp2p-check.chain-cache=/cache
EXPOSE 8545 8551 30303 30303/udp
ENTRYPOINT ["/reference-node.sh"]
