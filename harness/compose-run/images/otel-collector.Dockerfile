# otel/opentelemetry-collector-contrib:OTELCOL_VERSION, built locally around the collector
# `npm run stack:install` builds (the same release, with only the components our config
# uses), laid out as the official image (github.com/open-telemetry/
# opentelemetry-collector-releases, distributions/otelcol-contrib/Dockerfile): FROM scratch
# with CA certificates, the binary at /otelcol-contrib, user 10001:10001, config at
# /etc/otelcol-contrib/config.yaml, ports 4317 4318 55679.
ARG BASE
FROM ${BASE} AS certs

FROM scratch
ARG USER_UID=10001
ARG USER_GID=10001
USER ${USER_UID}:${USER_GID}
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY build/otelcol-sightline /otelcol-contrib
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol-contrib/config.yaml"]
EXPOSE 4317 4318 55679
