# A throwaway PostgreSQL server for the PostgreSQL store's tests, sourced (not run) so that its
# export reaches the tests:
#
#   source .ci/setup.d/postgres.sh     # CI sources it from .ci/run; developers can too
#   npm test                            # now runs the PostgreSQL tests as well
#   apskit_pg_stop                      # stops the server and removes its folder
#
# It installs Debian's server if it is missing, makes a cluster in a temporary folder (initdb refuses
# to run as root, so as root it runs the server as an unprivileged user), listens on 127.0.0.1 only,
# on a free port, with trust authentication (nothing but this machine can reach it), creates the
# database `apskit_test` and exports APSKIT_TEST_DATABASE_URL. In CI the server stops when .ci/run
# exits (an EXIT trap); in a developer's shell, when the shell exits or on apskit_pg_stop.

apskit_pg_setup() {
  if [ -n "${APSKIT_TEST_DATABASE_URL:-}" ]; then
    echo "postgres: APSKIT_TEST_DATABASE_URL is already set; using it"
    return 0
  fi

  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "postgres: no PostgreSQL server here; install it with: sudo apt-get install -y postgresql" >&2
      return 1
    fi
    echo "postgres: installing Debian's PostgreSQL server"
    # Debian's package would create and start a system-wide cluster on port 5432: not wanted here.
    mkdir -p /etc/postgresql-common
    if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
      echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq
    # confold (dpkg and ucf): keep that setting rather than ask, when the package brings the file.
    DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 apt-get install -y -qq -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi

  # As root, the server runs as the unprivileged user `apskit` (created once, no login, no home).
  local -a as_user=()
  if [ "$(id -u)" = 0 ]; then
    id apskit >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin apskit
    as_user=(runuser -u apskit --)
  fi

  local dir port
  # In /tmp when root: the server's user must reach it, which a root TMPDIR may not let it.
  if [ "$(id -u)" = 0 ]; then dir=$(mktemp -d /tmp/apskit-pg.XXXXXX); else dir=$(mktemp -d "${TMPDIR:-/tmp}/apskit-pg.XXXXXX"); fi
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown apskit "$dir"
  # A free port on 127.0.0.1: the kernel picks one, and the server takes it a moment later.
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

  "${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U apskit --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  # Sockets in the cluster's own folder (the system's /var/run/postgresql may not exist or be root's).
  "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200" >/dev/null
  "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U apskit -d postgres -c 'CREATE DATABASE apskit_test'

  export APSKIT_TEST_DATABASE_URL="postgres://apskit@127.0.0.1:$port/apskit_test"
  APSKIT_PG_DIR=$dir
  APSKIT_PG_BINDIR=$bindir
  APSKIT_PG_AS_USER=("${as_user[@]}")
  echo "postgres: server $($bindir/postgres --version | awk '{print $3}') in $dir, APSKIT_TEST_DATABASE_URL=$APSKIT_TEST_DATABASE_URL"

  # Chained onto whatever EXIT trap the sourcing shell had, so that the server ends with the shell.
  local previous
  previous=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064
  trap "apskit_pg_stop; ${previous:-:}" EXIT
}

apskit_pg_stop() {
  [ -n "${APSKIT_PG_DIR:-}" ] || return 0
  "${APSKIT_PG_AS_USER[@]}" "$APSKIT_PG_BINDIR/pg_ctl" -D "$APSKIT_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$APSKIT_PG_DIR"
  echo "postgres: stopped the server in $APSKIT_PG_DIR"
  unset APSKIT_PG_DIR APSKIT_TEST_DATABASE_URL
}

apskit_pg_setup
