#!/usr/bin/env python3
"""Galley on more than one database server: a streaming replica (and later a pooler and many
servers), real PostgreSQL and real `galley serve` processes.

Run by scripts/scale, which starts a throwaway cluster of its own and sets what
scripts/lib/faults.py needs (whose helpers this reuses). Each check prints PASS or FAIL; the
exit status is 1 when any failed.

    scale.py              every check
    scale.py NAME …       only these
    scale.py --list       the names
"""

import http.server
import json
import os
import pwd
import secrets
import threading
import signal
import subprocess
import sys
import time

os.environ.setdefault("FAULTS_BATCH", "12")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
from faults import CheckFailed, Server, TOKENS, expect, wait_until  # noqa: E402

CLUSTER = os.environ["FAULTS_CLUSTER"]
REPLICA_PORT = int(os.environ.get("SCALE_REPLICA_PORT", "5433"))
REPLICA_DIR = os.path.join(CLUSTER, "replica")


def shell(script):
    """Runs a function of scripts/lib/postgres.sh."""
    subprocess.run(["bash", "-c", f'source "{faults.ROOT}/scripts/lib/postgres.sh" && {script}'], check=True)


def replica_psql(database, sql):
    result = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", f"{REPLICA_DIR}/socket", "-p", str(REPLICA_PORT), "-d", database],
        input=sql, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql on the replica failed: {result.stderr.strip()}")
    return result.stdout.strip()


def replica(action):
    shell({
        "create": f'galley_cluster_replica "$FAULTS_CLUSTER" "$FAULTS_PG_PORT" "{REPLICA_DIR}" {REPLICA_PORT} $FAULTS_PG_OPTIONS',
        "stop": f'galley_cluster_stop "{REPLICA_DIR}"',
        "start": f"galley_cluster_start \"{REPLICA_DIR}\" {REPLICA_PORT} '' $FAULTS_PG_OPTIONS",
    }[action])


def streaming():
    return int(faults.scalar("postgres", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) > 0


def metric(server, name):
    """The value of one sample on the server's /metrics (name with its labels), or None."""
    for line in server.call("GET", "/metrics").body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


class Answers:
    """Every answer a check got, so that it can say none was a 5xx."""

    def __init__(self, server):
        self.server = server
        self.failures = []

    def call(self, method, path, token, body=None, status=200):
        reply = self.server.call(method, path, TOKENS[token], body)
        if reply.status >= 500:
            self.failures.append(f"{method} {path}: {reply!r}")
        expect(reply.status == status, f"{method} {path} as {token} answered {reply!r}, expected {status}")
        return reply.json()

    def listed(self, token):
        return {item["id"] for item in self.call("GET", "/v1/articles?limit=200", token)["items"]}

    def create(self, title):
        return self.call("POST", "/v1/articles", "writer", {
            "title": title, "dek": "Written by scripts/scale", "section": "culture", "body": "Its text does not matter.",
            "sources": [{"url": "https://example.org/statement", "outlet": "Example", "title": "Statement"}],
        }, status=201)["id"]


def check_replica():
    """Lists come from a streaming replica (an article written while its replay is paused is
    missing from another person's list, present in its writer's), the content API never
    answers older than what it counted on the primary, replay lag is on /metrics, and a
    replica that stops is survived (reads fall back to the primary) and used again when it
    returns."""
    database = faults.clone_database("galley_scale_replica")
    replica("create")
    try:
        expect(wait_until(streaming, 30), "the replica did not start streaming within 30 s")
        url = f"host={REPLICA_DIR}/socket port={REPLICA_PORT} dbname={database} user=galley_app_login"
        server = Server(database, "replica", {"GALLEY_DATABASE_READ_URL": url}).start()
        api = Answers(server)
        expect(metric(server, "galley_replica_standby") == 1, "the read URL did not lead to a standby")

        replica_psql(database, "SELECT pg_wal_replay_pause()")
        paused = api.create("Written while the replica's replay is paused")
        expect(paused not in api.listed("editor"), "the editor's list held an article the paused replica has not replayed: "
               "lists are not read from the replica")
        expect(paused in api.listed("writer"), "the writer's list, right after its write, missed what it wrote")
        time.sleep(1.2)
        lag = metric(server, "galley_replica_lag_seconds")
        expect(lag is not None and lag >= 1, f"galley_replica_lag_seconds is {lag} while replay is paused with a commit waiting")
        # Published while the replica trails: the content API still answers with it.
        slug = publish_one(api, database)
        published = server.call("GET", "/content/v1/articles?limit=50")
        expect(published.status == 200 and slug in {item["slug"] for item in published.json()["items"]},
               f"the content API answered older than the primary's count of public changes: {published!r}")
        replica_psql(database, "SELECT pg_wal_replay_resume()")
        expect(wait_until(lambda: paused in api.listed("editor"), 10), "the editor never saw the article once replay resumed")

        replica("stop")
        during = api.create("Written while the replica is stopped")
        expect(during in api.listed("editor"), "the editor's list missed an article while the replica was stopped")
        expect(metric(server, "galley_replica_up") == 0, "galley_replica_up is not 0 while the replica is stopped")

        replica("start")
        expect(wait_until(streaming, 30), "the restarted replica did not stream again within 30 s")
        replica_psql(database, "SELECT pg_wal_replay_pause()")
        again = api.create("Written after the replica returned, replay paused")
        back = wait_until(lambda: again not in api.listed("editor"), 30, 0.5)
        replica_psql(database, "SELECT pg_wal_replay_resume()")
        expect(back, "reads never went back to the replica after it returned")
        expect(not api.failures, f"answers were 5xx: {api.failures}")
        served = metric(server, 'galley_replica_reads_served{from="replica"}')
        return f"lists from the replica while it trailed; lag seen {lag:.1f} s; stopped and restarted, {served:.0f} reads on it"
    finally:
        replica("stop")
        subprocess.run(["rm", "-rf", REPLICA_DIR])


def publish_one(api, database):
    """Publishes one of the seed's approved articles; returns its slug."""
    article = faults.approved_ids(database)[0]
    api.call("POST", "/v1/publish-batches", "press", {"article_ids": [article]})
    return faults.scalar(database, "SELECT slug FROM articles WHERE id = :'id'", id=article)


class PgBouncer:
    """Debian's PgBouncer in transaction mode in front of the suite's cluster, on a loopback
    port, trusting every user named in its auth file; it dies with this script."""

    def __init__(self):
        self.directory = os.path.join(CLUSTER, "pgbouncer")
        self.port = faults.free_port()
        self.process = None

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, "userlist.txt"), "w") as users:
            users.write('"galley" ""\n"galley_app_login" ""\n')
        config = os.path.join(self.directory, "pgbouncer.ini")
        with open(config, "w") as ini:
            ini.write(f"""[databases]
* = host={CLUSTER}/socket port={os.environ["FAULTS_PG_PORT"]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.directory}/userlist.txt
admin_users = galley
pool_mode = transaction
default_pool_size = 6
max_client_conn = 400
ignore_startup_parameters = extra_float_digits
""")
        program = "pgbouncer" if subprocess.run(["which", "pgbouncer"], capture_output=True).returncode == 0 else "/usr/sbin/pgbouncer"
        self.log = open(os.path.join(self.directory, "pgbouncer.log"), "ab")
        self.process = subprocess.Popen([program, config], stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=as_cluster_owner)
        expect(wait_until(self.accepts, 15, 0.1), "PgBouncer did not accept connections within 15 s")
        return self

    def accepts(self):
        return subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "galley", "-d", "pgbouncer", "-c", "SHOW VERSION"],
                              capture_output=True).returncode == 0

    def transactions(self, database):
        """Transactions PgBouncer has passed to `database` so far."""
        result = subprocess.run(["psql", "-X", "-A", "-F", "\t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "galley", "-d", "pgbouncer",
                                 "-c", "SHOW STATS"], capture_output=True, text=True, check=True)
        lines = result.stdout.splitlines()
        header = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(header, line.split("\t")))
            if row.get("database") == database:
                return int(row["total_xact_count"])
        return 0

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()


def as_cluster_owner():
    """In a child before exec: PgBouncer refuses to run as root, so as root it runs as the
    cluster's owner; and Linux kills it when this script dies (set after the change of user,
    which clears it)."""
    if os.getuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.setgid(owner.pw_gid)
        os.setuid(owner.pw_uid)
    faults.die_with_parent()


def check_pgbouncer():
    """Through PgBouncer 1.18 in transaction mode, with GALLEY_DATABASE_POOLER=pgbouncer and a
    direct GALLEY_DATABASE_SESSION_URL: `galley migrate` takes its lock on the direct session,
    and the API's editorial path (create, submit, check, approve, publish, lists, the queue,
    the content API, the audit chain) runs from concurrent clients without a 5xx."""
    database = faults.clone_database("galley_scale_pooled")
    bouncer = PgBouncer().start()
    try:
        pooled = {
            "DATABASE_URL": f"host=127.0.0.1 port={bouncer.port} dbname={database} user=galley_app_login",
            "GALLEY_DATABASE_POOLER": "pgbouncer",
            "GALLEY_DATABASE_SESSION_URL": f"host={CLUSTER}/socket dbname={database} user=galley_app_login",
        }
        migrate = subprocess.run(
            [faults.GALLEY, "migrate"], capture_output=True, text=True,
            env={**os.environ, **pooled, "GALLEY_DATABASE_SESSION_URL": f"host={CLUSTER}/socket dbname={database} user=galley",
                 "GALLEY_MIGRATIONS_DIR": f"{faults.ROOT}/sql"})
        expect(migrate.returncode == 0, f"galley migrate with the pooler's settings failed: {migrate.stderr.strip()}")
        before = bouncer.transactions(database)
        server = Server(database, "pooled", pooled).start()
        api = Answers(server)
        with faults.concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda number: faults.approved_article(server, number), range(100, 124)))
        approved = faults.approved_ids(database)
        results = api.call("POST", "/v1/publish-batches", "press", {"article_ids": approved})["results"]
        expect(all(item["status"] == "published" for item in results), f"the batch did not publish every article: {results}")
        expect(len(api.listed("editor")) == len(approved), "the list does not hold every article")
        api.call("GET", "/v1/queue", "editor")
        content = server.call("GET", "/content/v1/articles?limit=50")
        expect(content.status == 200 and len(content.json()["items"]) == len(approved), f"the content API answered {content!r}")
        verification = api.call("GET", "/v1/audit/verification", "editor")
        expect(verification.get("ok") is True, f"the audit chain does not verify: {verification}")
        expect(not api.failures, f"answers were 5xx: {api.failures}")
        passed = bouncer.transactions(database) - before
        expect(passed > 100, f"PgBouncer passed {passed} transactions: the server did not go through it")
        return f"{len(approved)} articles written, checked, approved and published through PgBouncer ({passed} transactions)"
    finally:
        for server in list(Server.running):
            server.stop()
        bouncer.stop()


class DeliveryCounter:
    """A webhook receiver that answers 204 at once and counts each `Galley-Delivery` and each
    event id it received."""

    def __init__(self):
        counter = self
        self.deliveries = {}
        self.events = {}
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with counter.lock:
                    delivery = self.headers.get("Galley-Delivery", "")
                    counter.deliveries[delivery] = counter.deliveries.get(delivery, 0) + 1
                    counter.events[body["id"]] = counter.events.get(body["id"], 0) + 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def free_ports(count):
    """The first of `count` consecutive free loopback ports."""
    for _ in range(50):
        first = faults.free_port()
        if first + count > 65535:
            continue
        try:
            probes = []
            for port in range(first, first + count):
                probe = faults.socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no run of free ports")


def cluster_script(action, environment):
    result = subprocess.run([os.path.join(faults.ROOT, "scripts", "cluster"), *action], env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed(f"scripts/cluster {' '.join(action)} failed: {result.stderr.strip()[-600:]}")


def check_cluster():
    """Three servers behind HAProxy (`scripts/cluster up 3`) take a write load from eight
    clients while one server is killed (SIGKILL) and another drained (SIGTERM): every write
    acknowledged is stored, no server but the killed one answers 5xx, every scheduled article
    is published exactly once, every webhook delivery is sent once, and seals stay one per
    interval."""
    database = faults.clone_database("galley_scale_cluster")
    approved = faults.approved_ids(database)
    # Clients with tokens of their own: HAProxy pins each token to a server, so eight
    # tokens spread the load over all three.
    clients = []
    for _ in range(8):
        token = "glly_" + secrets.token_urlsafe(32)
        faults.psql(database, """INSERT INTO tokens (actor_id, token_hash)
                                 SELECT id, sha256(convert_to(:'token', 'UTF8')) FROM actors WHERE name = 'writer'""", token=token)
        clients.append(token)
    port = free_ports(4)
    directory = os.path.join(CLUSTER, "cluster")
    environment = dict(os.environ, DATABASE_URL=f"dbname={database} user=galley_app_login", GALLEY_MIGRATE_URL=f"dbname={database} user=galley",
                       GALLEY_PORT=str(port), GALLEY_CLUSTER_DIR=directory, GALLEY_WEBHOOK_ALLOW="127.0.0.1", GALLEY_LOG_LEVEL="info")
    receiver = DeliveryCounter()
    cluster_script(["up", "3"], environment)
    try:
        pids = {name: int(open(os.path.join(directory, f"{name}.pid")).read()) for name in ("galley-1", "galley-2", "galley-3")}
        reply = faults.request(port, "POST", "/v1/webhooks", TOKENS["admin"],
                               {"url": f"http://127.0.0.1:{receiver.port}/hook", "event_types": ["article.published"]})
        expect(reply.status == 201, f"creating the webhook answered {reply!r}")
        # Due one after another across the faults, so that all three servers' schedulers race
        # for them before, during and after.
        start = time.time()
        for number, article in enumerate(approved):
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 2 + number))
            reply = faults.request(port, "POST", f"/v1/articles/{article}/transitions", TOKENS["press"], {"action": "schedule", "publish_at": at})
            expect(reply.status == 200, f"scheduling answered {reply!r}")

        acknowledged, server_errors, stop = [], [], threading.Event()

        def write(token):
            number = 0
            while not stop.is_set():
                number += 1
                key = secrets.token_hex(8)
                body = {"title": f"Cluster load {key}", "dek": "scripts/scale cluster", "section": "culture", "body": "Load.",
                        "sources": [{"url": "https://example.org/s", "outlet": "Example", "title": "S"}]}
                # A client that loses its answer sends the same request with the same key again.
                for _ in range(40):
                    try:
                        reply = faults.request(port, "POST", "/v1/articles", token, body, {"Idempotency-Key": key}, timeout=30)
                    except OSError:
                        time.sleep(0.25)
                        continue
                    answered_by = reply.headers.get("x-galley-server", "")
                    if reply.status >= 500 and answered_by != "galley1":
                        server_errors.append(f"{answered_by or 'haproxy'}: {reply!r}")
                    if reply.status == 201:
                        acknowledged.append(reply.json()["id"])
                        break
                    time.sleep(0.25)

        threads = [threading.Thread(target=write, args=(token,), daemon=True) for token in clients]
        for thread in threads:
            thread.start()
        # Past a seal interval with all three running, then the faults.
        time.sleep(12)
        os.kill(pids["galley-1"], signal.SIGKILL)
        time.sleep(2)
        os.kill(pids["galley-2"], signal.SIGTERM)
        drained = wait_until(lambda: not os.path.exists(f"/proc/{pids['galley-2']}"), 40, 0.2)
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(60)
        expect(drained, "the drained server did not exit within 40 s of SIGTERM")
        # Every scheduled article fell due by start + 2 + len(approved), before the load ended.
        wait_until(lambda: faults.publish_counts(database, approved)[0] == len(approved), 30, 0.5)

        stored = {row[0] for row in faults.psql(database, "SELECT id FROM articles")}
        lost = [article for article in acknowledged if article not in stored]
        expect(acknowledged, "no write was acknowledged")
        expect(not lost, f"{len(lost)} acknowledged writes are not stored: {lost[:3]}")
        expect(not server_errors, f"{len(server_errors)} answers were 5xx from servers not killed: {server_errors[:3]}")
        published, events, most = faults.publish_counts(database, approved)
        expect(published == len(approved) and events == len(approved) and most == 1,
               f"of {len(approved)} scheduled articles {published} are published, with {events} publish events (at most {most} on one)")
        expect(wait_until(lambda: len(receiver.events) >= len(approved), 30, 0.2),
               f"{len(receiver.events)} of {len(approved)} publications reached the webhook receiver")
        twice = {event: count for event, count in receiver.events.items() if count > 1}
        expect(not twice and all(count == 1 for count in receiver.deliveries.values()), f"deliveries sent more than once: {twice}")
        gaps = [float(row[0]) for row in faults.psql(database, """
            SELECT extract(epoch FROM sealed_at - lag(sealed_at) OVER (ORDER BY id)) FROM audit_seals ORDER BY id""") if row[0]]
        expect(gaps and min(gaps) >= 9, f"seals came closer together than their 10 s interval: gaps {sorted(gaps)[:5]} s")
        return (f"{len(acknowledged)} writes acknowledged and stored through a SIGKILL and a SIGTERM; "
                f"{len(approved)} scheduled articles published and delivered once each; {len(gaps) + 1} seals, at least {min(gaps):.1f} s apart")
    finally:
        cluster_script(["down"], environment)
        receiver.close()


CHECKS = {
    "replica": check_replica,
    "pgbouncer": check_pgbouncer,
    "cluster": check_cluster,
}


def main(arguments):
    return faults.run_checks("scale", CHECKS, arguments, faults.seed)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, faults.stop_everything)
    try:
        status = main(sys.argv[1:])
    finally:
        for server in list(Server.running):
            server.process.kill()
            server.process.wait()
    sys.exit(status)
