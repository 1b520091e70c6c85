# prom/prometheus:vPROMETHEUS_VERSION, built locally around the Prometheus `npm run
# stack:install` builds (the same release), laid out as the official image
# (github.com/prometheus/prometheus, Dockerfile): busybox (its wget serves compose's
# healthcheck), /bin/prometheus and /bin/promtool, user nobody, data in the volume
# /prometheus, port 9090.
ARG BASE
FROM ${BASE}
RUN ln -s /bin/busybox /usr/local/bin/wget
COPY prometheus /bin/prometheus
COPY promtool /bin/promtool
RUN mkdir -p /etc/prometheus /prometheus && chown -R nobody:nogroup /etc/prometheus /prometheus
USER nobody
EXPOSE 9090
VOLUME ["/prometheus"]
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
