# @ethereumjs/client (the version this repo installs) as a hive-style client
# image: an independent implementation for devp2p-check to check in Docker.
# Build context: a folder staged by ci/docker/stage.mjs (ci/docker/build-images.sh does both).
ARG BASE=node:20-slim
FROM ${BASE}

COPY app /app
COPY scripts/start.sh /ethereumjs.sh
COPY scripts/enode.sh /hive-bin/enode.sh
COPY scripts/hive-genesis.mjs /hive-genesis.mjs
COPY scripts/hive-enode.mjs /hive-enode.mjs
RUN chmod +x /ethereumjs.sh /hive-bin/enode.sh \
 && node -p '"@ethereumjs/client " + require("/app/node_modules/@ethereumjs/client/package.json").version' > /version.txt

LABEL devp2p-check.ports=env
EXPOSE 8545 8551 30303 30303/udp
ENTRYPOINT ["/ethereumjs.sh"]
