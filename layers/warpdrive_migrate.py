"""Written by warpdrive: `python manage.py migrate` holding a lock on the
database it migrates, so migrate runs started together (a retried Job, two
deploys, two replicas' release steps) apply each migration once, one after
the other, and all exit 0.

PostgreSQL: a session-level advisory lock, on a connection of its own that
is held until migrate ends (closing it releases the lock, also when the
process dies). SQLite: an exclusive flock on a file beside the database
file. Other databases run unlocked, with a warning saying so.

manage.py runs as it always does (its own settings module and environment
setup); only Django's execute_from_command_line is wrapped, to take the lock
once Django is set up.
"""
import contextlib
import fcntl
import runpy
import sys

# The advisory lock's key is this name's hashtext(): one per database, the
# same in every warpdrive image.
LOCK_NAME = "warpdrive migrate"


def log(message):
    print("warpdrive migrate: " + message, file=sys.stderr, flush=True)


def database_alias(argv):
    """The --database migrate is given (Django's default otherwise)."""
    for i, arg in enumerate(argv):
        if arg.startswith("--database="):
            return arg.split("=", 1)[1]
        if arg == "--database" and i + 1 < len(argv):
            return argv[i + 1]
    return "default"


def sqlite_lock_path(name):
    """The lock file beside an SQLite database, None for an in-memory one."""
    name = str(name or "")
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return name + ".migrate-lock"


@contextlib.contextmanager
def sqlite_lock(settings):
    path = sqlite_lock_path(settings.get("NAME"))
    if path is None:
        yield
        return
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another migrate holds {path}: waiting for it to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        log(f"holding {path} while migrating")
        yield


@contextlib.contextmanager
def postgresql_lock(connections, alias):
    connection = connections.create_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_NAME])
            if not cursor.fetchone()[0]:
                log("another migrate holds this database's migration lock (a PostgreSQL advisory lock): waiting for it to finish")
                cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [LOCK_NAME])
        log("holding the database's migration lock (a PostgreSQL advisory lock) while migrating")
        yield
    finally:
        connection.close()


def migration_lock(alias):
    from django.db import connections

    if alias not in connections.settings:
        return contextlib.nullcontext()  # migrate itself says the alias is unknown
    settings = connections.settings[alias]
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return postgresql_lock(connections, alias)
    if vendor == "sqlite":
        return sqlite_lock(settings)
    log(f"no lock for a {vendor} database: migrate runs started together are not serialized")
    return contextlib.nullcontext()


def main():
    args = sys.argv[1:]
    import django.core.management as management

    execute = management.execute_from_command_line

    def execute_locked(argv=None):
        import django

        django.setup()
        with migration_lock(database_alias(args)):
            execute(argv)

    management.execute_from_command_line = execute_locked
    sys.argv = ["manage.py", "migrate", *args]
    runpy.run_path("manage.py", run_name="__main__")


if __name__ == "__main__":
    main()
