# prom/alertmanager:vALERTMANAGER_VERSION, built locally around the Alertmanager `npm run
# stack:install` builds (the same release; its web UI is a placeholder page, its API
# complete), laid out as the official image (github.com/prometheus/alertmanager,
# Dockerfile): busybox (its wget serves compose's healthcheck), /bin/alertmanager and
# /bin/amtool, user nobody, data in the volume /alertmanager, port 9093.
ARG BASE
FROM ${BASE}
RUN ln -s /bin/busybox /usr/local/bin/wget
COPY alertmanager /bin/alertmanager
COPY amtool /bin/amtool
RUN mkdir -p /etc/alertmanager /alertmanager && chown -R nobody:nogroup /etc/alertmanager /alertmanager
USER nobody
EXPOSE 9093
VOLUME ["/alertmanager"]
WORKDIR /alertmanager
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
