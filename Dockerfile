# Galley's server image: built with the Swift toolchain on Debian 12, run on debian:bookworm-slim.
#   docker compose up --build     (docker-compose.yml adds PostgreSQL 15)
# The server reads DATABASE_URL, GALLEY_PORT, GALLEY_HOST, GALLEY_LOG_LEVEL and GALLEY_LOG_FORMAT (json here); `galley migrate`
# reads GALLEY_MIGRATE_URL (the owner's login), else DATABASE_URL. docker-compose.yml runs
# migrate and serve as separate services, so that the server never holds the owner's login.

# ---- build ----
# 6.2 or later: Hummingbird and the swift-server packages declare swift-tools-version 6.2.
FROM swift:6.3-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build

# Dependencies first: this layer is reused until Package.swift or Package.resolved changes.
COPY Package.* ./
RUN swift package resolve

COPY . .
# The Swift runtime and Foundation are linked into the binary, so the runtime image needs no
# Swift libraries; swift-backtrace-static symbolicates crashes without the toolchain.
RUN swift build -c release --product galley --static-swift-stdlib \
    && mkdir /staging \
    && cp "$(swift build -c release --show-bin-path)/galley" /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/ \
    && cp -R sql /staging/sql

# ---- run ----
FROM debian:bookworm-slim
# curl is for the health check in docker-compose.yml.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libpq5 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --no-create-home --home-dir /app galley
WORKDIR /app
# Owned by root: the server cannot rewrite its own binary or migrations.
COPY --from=build /staging /app
ENV PATH=/app:$PATH \
    GALLEY_MIGRATIONS_DIR=/app/sql \
    GALLEY_PORT=8080 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static
USER galley
EXPOSE 8080
# exec: the server, not the shell, receives docker stop's SIGTERM and shuts down gracefully.
CMD ["/bin/sh", "-c", "galley migrate && exec galley serve --host 0.0.0.0"]
