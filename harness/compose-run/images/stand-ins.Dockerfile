# The STAND-INS for Loki and Grafana, tagged as the grafana/loki and grafana/grafana images
# docker-compose.yml names. Both are AGPL-licensed and never fetched, built or run on our
# machines; these are small programs of ours (harness/stand-ins) that take their place in the
# compose run: neither is Loki or Grafana. Built from the repository root.
ARG NODE_IMAGE
FROM ${NODE_IMAGE} AS deps
WORKDIR /opt/stand-ins
COPY harness/stand-ins/package.json harness/stand-ins/package-lock.json ./
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi && \
    npm ci --omit=dev --no-audit --no-fund

# As Loki's image: /usr/bin/loki as the entrypoint (compose's healthcheck runs
# `/usr/bin/loki -health`), user 10001, port 3100.
FROM ${NODE_IMAGE} AS loki
LABEL org.opencontainers.image.title="Loki STAND-IN (not Loki)"
COPY --from=deps /opt/stand-ins /opt/stand-ins
COPY harness/stand-ins/*.ts /opt/stand-ins/
RUN printf '#!/bin/sh\nexec node /opt/stand-ins/loki-image.ts "$@"\n' > /usr/bin/loki \
    && chmod 755 /usr/bin/loki
USER 10001
EXPOSE 3100
ENTRYPOINT ["/usr/bin/loki"]
CMD ["-config.file=/etc/loki/local-config.yaml"]

# As Grafana's image: user 472, port 3000, and a wget for compose's healthcheck.
FROM ${NODE_IMAGE} AS grafana
LABEL org.opencontainers.image.title="Grafana STAND-IN (not Grafana)"
RUN ln -s /bin/busybox /usr/local/bin/wget
COPY --from=deps /opt/stand-ins /opt/stand-ins
COPY harness/stand-ins/*.ts /opt/stand-ins/
USER 472
EXPOSE 3000
ENTRYPOINT ["node", "/opt/stand-ins/grafana-image.ts"]
