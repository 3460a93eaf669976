# Starts a throwaway PostgreSQL cluster on a unix socket for the store's
# tests and exports FIRELAB_TEST_POSTGRES_URL. Debian's packaged server
# binaries are used directly, so no system service is touched.
start_test_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_TEST_DIR=$(mktemp -d /tmp/firelab-pg.XXXXXX)
  chown postgres "$PG_TEST_DIR"
  runuser -u postgres -- "$bin/initdb" -D "$PG_TEST_DIR/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_TEST_DIR'" start >/dev/null
  export FIRELAB_TEST_POSTGRES_URL="postgres://postgres@localhost/postgres?host=$PG_TEST_DIR"
  PG_TEST_BIN=$bin
  echo "test postgres: $FIRELAB_TEST_POSTGRES_URL"
}

stop_test_postgres() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  runuser -u postgres -- "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null || true
  rm -rf "$PG_TEST_DIR"
}
