#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster on loopback for the tests.
#   source scripts/pg_test_server.sh start DIR   -> exports PG_URL
#   bash scripts/pg_test_server.sh stop DIR
action=${1:?start|stop}
dir=${2:?data folder}
# the port: PG_PORT, else the first free one from 55432 (another cluster may hold it)
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${PG_PORT:-55432}
if [ -z "${PG_PORT:-}" ]; then
  while port_taken "$port"; do port=$((port + 1)); done
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
    as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
    as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres clusgo_test
    export PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/clusgo_test"
    echo "PostgreSQL on 127.0.0.1:$port ($PG_URL)"
    ;;
  stop)
    as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
