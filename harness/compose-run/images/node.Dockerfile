# NODE_IMAGE (.env), built locally: the layout of the official node:<version>-trixie-slim
# image (github.com/nodejs/docker-node, <major>/trixie-slim/Dockerfile): Debian trixie, Node
# and npm under /usr/local, a `node` user 1000:1000, an entrypoint that runs `node` when the
# command is none or starts with a flag. Here Debian's root filesystem comes from debootstrap,
# Node from the npm package `node` (its binary and headers), npm from the npm package `npm`
# in the version that Node release bundles (NODE_IMAGE_NPM_VERSION).
ARG BASE
FROM ${BASE}
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY node/bin/node /usr/local/bin/node
COPY node/include /usr/local/include
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version
COPY node-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
