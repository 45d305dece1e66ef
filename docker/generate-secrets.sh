#!/bin/sh
# Run by docker-compose.yml's `secrets` service before anything else starts: on the first start it writes the
# stack's secrets into the directory $1 (a volume), one file per setting, each named as the app's property, so
# the app reads the directory as a Spring config tree and PostgreSQL reads its password file from it. Later
# starts find the files and change nothing; `docker compose down -v` forgets them together with the data.
set -eu
dir=$1

random() {
  head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

put() {
  [ -s "$dir/$1" ] && return 0
  printf '%s' "$2" > "$dir/$1.new"
  # readable by every user: PostgreSQL and the app read them as different users in different images, and
  # only this stack's containers mount the volume
  chmod 0444 "$dir/$1.new"
  mv "$dir/$1.new" "$dir/$1"
  echo "generated $1"
}

put paper.db.owner-password "$(random 24)"
put paper.db.password "$(random 24)"
put paper.db.engine-password "$(random 24)"
put paper.auth.jwt-secret "$(random 48)"
# a Fernet key is the URL-safe base64 of 32 random bytes, padding included
put paper.encryption-key "$(head -c 32 /dev/urandom | base64 | tr -d '\n' | tr '+/' '-_')"
