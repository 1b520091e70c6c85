# jaegertracing/jaeger:JAEGER_VERSION, built locally around the Jaeger `npm run
# stack:install` builds (the same release), laid out as the official image
# (github.com/jaegertracing/jaeger, cmd/jaeger/Dockerfile): the binary at
# /cmd/jaeger/jaeger-linux, JAEGER_LISTEN_HOST=0.0.0.0, user 10001, its ports. Its base image
# is Alpine, whose busybox wget compose's healthcheck calls; here Debian's busybox.
ARG BASE
FROM ${BASE}
ARG USER_UID=10001
RUN ln -s /bin/busybox /usr/local/bin/wget
ENV JAEGER_LISTEN_HOST=0.0.0.0
EXPOSE 5778 5779 4317 4318 14268 14250 9411 16686 13132 13133
COPY jaeger /cmd/jaeger/jaeger-linux
VOLUME ["/tmp"]
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
USER ${USER_UID}
