#!/usr/bin/env bash
# The base images deploy/Containerfile and deploy/compose.yaml name, made locally from Debian's
# packages, for a machine that reaches Debian's archive and PyPI but no container registry:
#
#   localhost/debian:bookworm                       debootstrap --variant=minbase bookworm
#   docker.io/library/python:3.11-slim-bookworm     + Debian's python3 (3.11), venv and pip
#   docker.io/library/postgres:15-bookworm          + Debian's postgresql-15, the official
#                                                     image's entry point conventions
#   docker.io/library/nginx:1.26-bookworm           + Debian's nginx-light (1.22), conf.d only
#   docker.io/library/node:20-bookworm-slim         + Debian's nodejs (18) and npm, for the
#                                                     image's stage that installs Twilio's
#                                                     Voice SDK from npm
#
# Stand-ins tagged with the names the Containerfile and the compose file use, so both stay as an
# operator with a registry uses them. Idempotent and cached: an image that exists is kept
# (`--rebuild` makes them again). Run as root, with podman (./dev deploy-test sets it up).
# Inside the containers, pip and apt reach PyPI and Debian through the host's network; the
# host's CA bundle is copied in and trusted by pip (a TLS-intercepting proxy signs with it).
set -euo pipefail

BASE=localhost/debian:bookworm
PYTHON=docker.io/library/python:3.11-slim-bookworm
POSTGRES=docker.io/library/postgres:15-bookworm
NGINX=docker.io/library/nginx:1.26-bookworm
NODE=docker.io/library/node:20-bookworm-slim
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA=/etc/ssl/certs/ca-certificates.crt

if [ "${1:-}" = "--rebuild" ]; then
  podman rmi --force "$NODE" "$NGINX" "$POSTGRES" "$PYTHON" "$BASE" >/dev/null 2>&1 || true
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

have() { podman image exists "$1"; }

if ! have "$BASE"; then
  echo "Making $BASE with debootstrap (about 2 minutes)…" >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # What a slim image leaves out: apt's lists and caches, documentation.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  tar -C "$work/rootfs" -c . | podman import --quiet \
    --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' - "$BASE" >/dev/null
  rm -rf "$work/rootfs"
fi

# build IMAGE: a stand-in from the Containerfile on standard input, with the host's CA bundle
# in its context.
build() {
  local image="$1" context="$work/${1//[^a-z0-9]/_}"
  mkdir -p "$context"
  cat >"$context/Containerfile"
  if [ -f "$HOST_CA" ]; then cp "$HOST_CA" "$context/host-ca.crt"; else : >"$context/host-ca.crt"; fi
  echo "Making $image from Debian's packages…" >&2
  podman build --quiet --format docker --pull=never -t "$image" "$context" >/dev/null
}

# Debian's Python is 3.11 in bookworm, as the real image's. `python` on PATH as in the real one.
have "$PYTHON" || build "$PYTHON" <<EOF
FROM $BASE
COPY host-ca.crt /usr/local/share/host-ca.crt
RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
       python3 python3-venv python3-pip ca-certificates \\
    && rm -rf /var/lib/apt/lists/* \\
    && ln -s /usr/bin/python3 /usr/local/bin/python \\
    && if [ -s /usr/local/share/host-ca.crt ]; then \\
         cat /usr/local/share/host-ca.crt >> /etc/ssl/certs/ca-certificates.crt; \\
         printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > /etc/pip.conf; fi
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
EOF

# The official image's conventions the compose file and deploy/README.md rely on:
# POSTGRES_USER, POSTGRES_DB (default: the user's name), POSTGRES_PASSWORD_FILE, PGDATA at
# /var/lib/postgresql/data, the server user uid 999, psql and pg_isready on PATH, trust on the
# container's own socket (`exec postgres pg_dump`), passwords over the network.
have "$POSTGRES" || build "$POSTGRES" <<'EOF'
FROM localhost/debian:bookworm
RUN groupadd --system --gid 999 postgres \
    && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql postgres \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && printf '%s\n' '#!/bin/sh' \
       'set -eu' \
       'export PGDATA="${PGDATA:-/var/lib/postgresql/data}"' \
       'if [ "$(id -u)" = 0 ]; then' \
       '  mkdir -p "$PGDATA" /var/run/postgresql && chown -R postgres:postgres "$PGDATA" /var/run/postgresql' \
       '  chmod 0700 "$PGDATA"' \
       '  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"' \
       'fi' \
       'if [ ! -s "$PGDATA/PG_VERSION" ]; then' \
       '  password="${POSTGRES_PASSWORD:-}"' \
       '  [ -z "${POSTGRES_PASSWORD_FILE:-}" ] || password="$(cat "$POSTGRES_PASSWORD_FILE")"' \
       '  printf "%s\n" "$password" > /tmp/pgpass' \
       '  initdb --username="${POSTGRES_USER:-postgres}" --pwfile=/tmp/pgpass \' \
       '    --auth-local=trust --auth-host=scram-sha-256 >/dev/null' \
       '  rm -f /tmp/pgpass' \
       '  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"' \
       '  echo "listen_addresses = '"'"'*'"'"'" >> "$PGDATA/postgresql.conf"' \
       '  database="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"' \
       '  if [ "$database" != postgres ]; then' \
       '    postgres --single -D "$PGDATA" postgres <<SQL >/dev/null' \
       'CREATE DATABASE "$database" OWNER "${POSTGRES_USER:-postgres}";' \
       'SQL' \
       '  fi' \
       'fi' \
       'exec "$@"' > /usr/local/bin/docker-entrypoint.sh \
    && chmod 0755 /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF

# As the official image: the http block includes conf.d/*.conf (the compose file mounts
# conf.d/default.conf), nothing else is served, nginx runs in the foreground.
have "$NGINX" || build "$NGINX" <<'EOF'
FROM localhost/debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && ln -sf /dev/stderr /var/log/nginx/error.log
STOPSIGNAL SIGQUIT
EXPOSE 80 443
CMD ["nginx", "-g", "daemon off;"]
EOF

# The Containerfile's voice-sdk stage runs only `npm ci` with the committed lock: Debian's npm
# (9, on Node 18) does it, trusting the host's CA bundle as pip does.
have "$NODE" || build "$NODE" <<EOF
FROM $BASE
COPY host-ca.crt /usr/local/share/host-ca.crt
RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
       nodejs npm ca-certificates \\
    && rm -rf /var/lib/apt/lists/* \\
    && if [ -s /usr/local/share/host-ca.crt ]; then \\
         cat /usr/local/share/host-ca.crt >> /etc/ssl/certs/ca-certificates.crt; fi \\
    && echo "cafile=/etc/ssl/certs/ca-certificates.crt" > /etc/npmrc
CMD ["node"]
EOF

echo "Base images ready: $BASE, $PYTHON, $POSTGRES, $NGINX, $NODE" >&2
