#!/usr/bin/env bash
# A Docker engine on 127.0.0.1 and a PostgreSQL 17 + pgvector image, for --target=containers
# on machines that have no engine and no reachable image registry.
#
#   scripts/docker-setup.sh up      engine (if none answers) + image (if absent); prints exports
#   scripts/docker-setup.sh check   exit 0 when an engine answers, else say why (exit 1)
#   scripts/docker-setup.sh down    stop the dockerd this script started, with its containers
#
# Everything lives under $HV_DOCKER_ROOT (default /tmp/hv-docker). Starting dockerd and
# building the image need root. The image is built from Debian packages with debootstrap
# (no registry needed) and reused once it exists.
set -euo pipefail

ROOT=${HV_DOCKER_ROOT:-/tmp/hv-docker}
SOCKET=${HV_DOCKER_SOCKET:-$ROOT/docker.sock}
IMAGE=${HARNESS_PG_IMAGE:-hv-pgvector:17}
SUITE=${HV_DEBIAN_SUITE:-trixie}
if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && [ ! -S "$SOCKET" ]; then
    export DOCKER_HOST=unix:///var/run/docker.sock   # a system engine, if it answers
else
    export DOCKER_HOST=${DOCKER_HOST:-unix://$SOCKET}
fi

say() { echo "docker-setup: $*" >&2; }
die() { say "$*"; exit 1; }

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# The Debian mirror apt already uses (deb822 "URIs:" or one-line "deb URL"); debootstrap
# needs it spelled out, and it is the one this machine can reach.
debian_mirror() {
    local url
    url=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
    if [ -z "$url" ]; then
        url=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
              | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
    fi
    echo "${url:-http://deb.debian.org/debian}"
}

install_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "need root to install ${missing[*]} (sudo $0 up)"
    say "installing ${missing[*]} with apt-get"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null
}

# --ip 127.0.0.1: published ports bind to loopback unless a container says otherwise.
# --iptables=false: this sandbox has no usable netfilter; docker-proxy (userland) forwards
# the published ports instead, which is all the harness needs.
start_dockerd() {
    [ "$(id -u)" = 0 ] || die "no Docker engine answers at $DOCKER_HOST and starting dockerd needs root (sudo $0 up)"
    mkdir -p "$ROOT"
    export DOCKER_HOST=unix://$SOCKET
    say "starting dockerd (socket $SOCKET, data $ROOT/data, log $ROOT/dockerd.log)"
    setsid dockerd --host "unix://$SOCKET" --data-root "$ROOT/data" --exec-root "$ROOT/exec" \
        --pidfile "$ROOT/dockerd.pid" --ip 127.0.0.1 --iptables=false --ip6tables=false \
        >"$ROOT/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do
        engine_answers && return 0
        sleep 0.5
    done
    tail -n 20 "$ROOT/dockerd.log" >&2 || true
    die "dockerd did not answer within 30 s; see $ROOT/dockerd.log"
}

write_entrypoint() {
    cat >"$1" <<'EOF'
#!/bin/sh
# Minimal stand-in for the official image's entrypoint: POSTGRES_USER/PASSWORD/DB,
# initdb on first start, then run as the postgres user.
set -e
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${PGDATA:=/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chown -R postgres:postgres "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" \
            | postgres --single -D "$PGDATA" postgres >/dev/null
    fi
fi
exec "$@"
EOF
    chmod 755 "$1"
}

build_image() {
    if docker image inspect "$IMAGE" >/dev/null 2>&1; then
        say "image $IMAGE exists; reusing it"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "building $IMAGE with debootstrap needs root"
    install_packages
    local rootfs="$ROOT/rootfs" mirror
    mirror=$(debian_mirror)
    rm -rf "$rootfs"
    say "debootstrap $SUITE from $mirror (about a minute)"
    debootstrap --variant=minbase --include=postgresql-17,postgresql-17-pgvector \
        "$SUITE" "$rootfs" "$mirror" >"$ROOT/debootstrap.log" 2>&1 \
        || { tail -n 20 "$ROOT/debootstrap.log" >&2; die "debootstrap failed; see $ROOT/debootstrap.log"; }
    # The package's default cluster and apt's caches are dead weight in the image.
    rm -rf "$rootfs/var/lib/postgresql/17" "$rootfs/etc/postgresql/17" \
        "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
    write_entrypoint "$rootfs/usr/local/bin/docker-entrypoint.sh"
    say "importing $IMAGE"
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'EXPOSE 5432' \
        --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
        --change 'CMD ["postgres", "-c", "listen_addresses=*"]' \
        - "$IMAGE" >/dev/null
    rm -rf "$rootfs"
}

stop_dockerd() {
    local pidfile="$ROOT/dockerd.pid" pid
    [ -s "$pidfile" ] || { say "no dockerd started by this script is running"; return 0; }
    pid=$(cat "$pidfile")
    if engine_answers; then
        # Containers first, so none outlives the engine's socket.
        docker ps -aq | xargs -r docker rm -f >/dev/null || true
    fi
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || { say "dockerd stopped"; return 0; }
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
    say "dockerd killed"
}

case "${1:-up}" in
    up)
        if engine_answers; then
            say "a Docker engine answers at $DOCKER_HOST"
        else
            install_packages
            start_dockerd
        fi
        build_image
        echo "export DOCKER_HOST=$DOCKER_HOST"
        echo "export HARNESS_PG_IMAGE=$IMAGE"
        ;;
    check)
        engine_answers || die "no Docker engine answers at $DOCKER_HOST"
        ;;
    down)
        stop_dockerd
        ;;
    *)
        die "usage: $0 [up|check|down]"
        ;;
esac
