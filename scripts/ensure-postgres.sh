#!/bin/sh
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with a login role
# fixright/fixright that may create databases (the tests make their own).
# Installs Debian's postgresql package when missing and we are root.
set -eu

if [ -n "${FIXRIGHT_TEST_POSTGRES_URL:-}" ]; then
    echo "using FIXRIGHT_TEST_POSTGRES_URL as given"; exit 0
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing PostgreSQL (Debian package)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
          || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
    else
        echo "PostgreSQL is not installed and cannot be installed here" >&2; exit 1
    fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
        pg_createcluster "$version" main >/dev/null
    fi
    pg_ctlcluster "$version" main start
    for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

as_postgres "psql -q -h /var/run/postgresql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='fixright'\" | grep -q 1 \
  || psql -q -h /var/run/postgresql -c \"CREATE ROLE fixright LOGIN CREATEDB PASSWORD 'fixright'\""
echo "PostgreSQL ready on 127.0.0.1:5432"
