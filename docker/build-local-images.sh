#!/usr/bin/env bash
# Builds the two images the compose file and the Testcontainers tier need, from Debian's packages, for machines
# that reach Debian's package mirror but no image registry:
#   localhost/paper-postgres:15  PostgreSQL 15 (bookworm's), settings as the official postgres image
#   localhost/paper-jre:17       OpenJDK 17 JRE (bookworm's), the base of the app's Dockerfile
# Use them with PAPER_POSTGRES_IMAGE / PAPER_JRE_IMAGE (compose) and PAPER_TEST_PG_IMAGE (tests); the script
# prints those lines. Needs root (debootstrap, chroot) and podman or docker. An image whose recipe (this script
# and the PostgreSQL entrypoint) is unchanged is kept, so a second run takes a second.
#
# PAPER_DEBIAN_MIRROR overrides the mirror, which is otherwise the one this machine's apt sources name.
# PAPER_IMAGE_CACHE (default /var/cache/paper-images) keeps the debootstrapped base between builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

POSTGRES_IMAGE=localhost/paper-postgres:15
JRE_IMAGE=localhost/paper-jre:17
SUITE=bookworm
CACHE=${PAPER_IMAGE_CACHE:-/var/cache/paper-images}

engine=${PAPER_CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman; elif command -v docker >/dev/null 2>&1; then engine=docker; fi
fi
[ -n "$engine" ] || { echo "build-local-images: neither podman nor docker is installed" >&2; exit 1; }

recipe=$(cat "$0" "$here/local-images/postgres-entrypoint.sh" | sha256sum | cut -c1-16)

# The recipe the image was built from, or nothing when there is no such image.
built_recipe() {
  "$engine" image inspect --format '{{ index .Config.Labels "io.papertrading.recipe" }}' "$1" 2>/dev/null || true
}

# This machine's Debian mirror: the first URI of its apt sources that is not the security archive.
mirror() {
  if [ -n "${PAPER_DEBIAN_MIRROR:-}" ]; then echo "$PAPER_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
           grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
         | grep -v security | head -n 1 || true)
  [ -n "$uri" ] || { echo "build-local-images: no Debian mirror in /etc/apt; set PAPER_DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}

# A minimal bookworm tree, debootstrapped once and kept as a tarball.
base_tarball() {
  local tarball="$CACHE/$SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || { echo "build-local-images: install debootstrap" >&2; exit 1; }
    mkdir -p "$CACHE"
    local dir
    dir=$(mktemp -d "$CACHE/base.XXXXXX")
    echo "debootstrap $SUITE from $(mirror) (about a minute)" >&2
    debootstrap --variant=minbase "$SUITE" "$dir" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
    rm -f "$dir"/var/cache/apt/archives/*.deb
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
  fi
  echo "$tarball"
}

rootfs=""
cleanup() {
  if [ -n "$rootfs" ]; then
    umount "$rootfs/proc" 2>/dev/null || true
    rm -rf "$rootfs"
  fi
}
trap cleanup EXIT

# Unpacks the base, installs packages into it, runs the customisation function $2, imports it as image $1.
build() {
  local image=$1 customise=$2; shift 2
  local tarball
  tarball=$(base_tarball)
  rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  chmod 0755 "$rootfs" # the tree's root, as in any image (apt's sandbox user must get in)
  tar -C "$rootfs" -xf "$tarball"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  # no service starts inside the chroot
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  # the mirror may serve a snapshot whose Release file is past its Valid-Until
  echo 'Acquire::Check-Valid-Until "false";' > "$rootfs/etc/apt/apt.conf.d/99paper-no-valid-until"
  mount -t proc proc "$rootfs/proc" # Java's postinst (CA certificates) needs /proc
  echo "installing $* into $image" >&2
  local log="$CACHE/${image//[\/:]/_}.log"
  { chroot "$rootfs" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -qq --no-install-recommends "$@" &&
    chroot "$rootfs" apt-get clean; } >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
  umount "$rootfs/proc"
  rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
  : > "$rootfs/etc/resolv.conf" # the engine mounts its own
  local changes=()
  "$customise" changes
  tar -C "$rootfs" -c . | "$engine" import --change "LABEL io.papertrading.recipe=$recipe" "${changes[@]}" - "$image" \
    >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
  rm -rf "$rootfs"
  rootfs=""
  echo "built $image" >&2
}

customise_postgres() {
  local -n out=$1
  # the package's own cluster (and its config under /etc) is not used: the entrypoint makes one in $PGDATA
  rm -rf "$rootfs/var/lib/postgresql/15" "$rootfs/etc/postgresql/15"
  install -m 0755 "$here/local-images/postgres-entrypoint.sh" "$rootfs/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$rootfs/var/lib/postgresql/data" "$rootfs/docker-entrypoint-initdb.d" "$rootfs/run/postgresql"
  chroot "$rootfs" chown postgres:postgres /var/lib/postgresql/data /run/postgresql
  chmod 0700 "$rootfs/var/lib/postgresql/data"
  chmod 2775 "$rootfs/run/postgresql"
  out=(--change 'USER postgres'
       --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
       --change 'ENV PGDATA=/var/lib/postgresql/data'
       --change 'ENV LANG=C.UTF-8'
       --change 'EXPOSE 5432'
       --change 'STOPSIGNAL SIGINT'
       --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
       --change 'CMD ["postgres"]')
}

customise_jre() {
  local -n out=$1
  out=(--change 'ENV LANG=C.UTF-8'
       --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'
       --change 'CMD ["java", "-version"]')
}

if [ "$(built_recipe "$POSTGRES_IMAGE")" != "$recipe" ]; then
  build "$POSTGRES_IMAGE" customise_postgres postgresql-15
else
  echo "$POSTGRES_IMAGE is up to date" >&2
fi
if [ "$(built_recipe "$JRE_IMAGE")" != "$recipe" ]; then
  # passwd for the Dockerfile's useradd; minbase has it, but say so
  build "$JRE_IMAGE" customise_jre openjdk-17-jre-headless passwd
else
  echo "$JRE_IMAGE is up to date" >&2
fi

echo "PAPER_POSTGRES_IMAGE=$POSTGRES_IMAGE"
echo "PAPER_TEST_PG_IMAGE=$POSTGRES_IMAGE"
echo "PAPER_JRE_IMAGE=$JRE_IMAGE"
