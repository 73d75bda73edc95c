#!/usr/bin/env python3
"""Galley's fault suite: real `galley serve` processes, real PostgreSQL, real faults.

Run by scripts/faults, which starts a throwaway cluster of its own and sets PGHOST, PGPORT,
PGUSER, FAULTS_CLUSTER, FAULTS_PG_PORT, FAULTS_PG_OPTIONS and GALLEY_BIN. Standard library
only. Each check prints PASS or FAIL with what it saw; the exit status is 1 when any failed.

    faults.py                     every check
    faults.py NAME …              only these
    faults.py --list              the names

FAULTS_BATCH (default 200): approved articles seeded; the checks publish them in batches.
FAULTS_WEBHOOK_DEADLINE (default 10): seconds a webhook attempt may take (docs/events.md).
"""

import concurrent.futures
import ctypes
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GALLEY = os.environ.get("GALLEY_BIN", os.path.join(ROOT, ".build", "debug", "galley"))
BATCH = int(os.environ.get("FAULTS_BATCH", "200"))
WEBHOOK_DEADLINE = float(os.environ.get("FAULTS_WEBHOOK_DEADLINE", "10"))
# Time a finished attempt may take, beyond its deadline, to be claimed and recorded.
WEBHOOK_SLACK = 5.0
# How long a retry after a crash may be told the key is still in progress (409 with
# Retry-After) before the dead server's hold on the key counts as never released.
RESERVATION_WAIT = 30.0
# IdempotencyService.defaultReservationLease, plus a second.
LEASE_SECONDS = 61
SEED_DATABASE = "galley_faults_seed"
# Server logs: in the suite's cluster folder, removed with it (a failure quotes their tail).
WORK = tempfile.mkdtemp(prefix="logs.", dir=os.environ.get("FAULTS_CLUSTER"))


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def log(message):
    print(f"faults: {message}", file=sys.stderr, flush=True)


def wait_until(predicate, timeout, interval=0.05):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# PostgreSQL: psql for reads and setup, the shared shell helpers to stop and start the cluster.


def psql(database, sql, **variables):
    """Runs SQL (from stdin, so `:'name'` interpolates `variables`) and returns its rows as
    lists of text."""
    command = ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", database]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    result = subprocess.run(command, input=sql, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def scalar(database, sql, **variables):
    return psql(database, sql, **variables)[0][0]


def uuid_array(ids):
    return "{" + ",".join(ids) + "}"


def cluster(action):
    """Stops or starts the suite's own cluster with scripts/lib/postgres.sh."""
    script = {
        "stop": 'galley_cluster_stop "$FAULTS_CLUSTER"',
        "start": "galley_cluster_start \"$FAULTS_CLUSTER\" \"$FAULTS_PG_PORT\" '' $FAULTS_PG_OPTIONS",
    }[action]
    subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/lib/postgres.sh" && {script}'], check=True)


def clone_database(name):
    """A fresh database with the seed's schema, actors and approved articles."""
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE); CREATE DATABASE "{name}" TEMPLATE "{SEED_DATABASE}"')
    return name


def open_write_transactions(database):
    """Sessions in `database` (other than ours) inside a transaction that has written."""
    return int(scalar(database, """SELECT count(*) FROM pg_stat_activity
                                   WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"""))


def waiting_on_locks(database):
    """Sessions in `database` waiting for a lock another session holds."""
    return int(scalar(database, """SELECT count(*) FROM pg_stat_activity
                                   WHERE datname = current_database() AND wait_event_type = 'Lock'"""))


class LockHolder:
    """A psql session that takes a lock in an open transaction and keeps it until released:
    it holds a request at a chosen point, so a fault lands there every time, however fast
    the machine."""

    def __init__(self, database, statement, **variables):
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database]
        for name, value in variables.items():
            command += ["-v", f"{name}={value}"]
        self.session = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.session.stdin.write(f"BEGIN;\n{statement} \\g /dev/null\n\\echo held\n")
        self.session.stdin.flush()
        self.released = False
        if self.session.stdout.readline().strip() != "held":
            raise RuntimeError(f"could not take the lock: {statement}")

    def release(self):
        if not self.released:
            self.released = True
            self.session.stdin.write("ROLLBACK;\n")
            self.session.stdin.close()
            self.session.wait()


# ---------------------------------------------------------------------------------------------
# HTTP


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


def request(port, method, path, token=None, body=None, headers=None, timeout=60):
    """One request on a new connection; raises OSError (refused, reset, timeout) as it is."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return Reply(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# galley serve


def die_with_parent():
    """In a server's process before exec: Linux kills it when this script dies, however it
    dies, so no server outlives the suite."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


class Server:
    running = []
    # Every server the current check started, so that a failure can show their logs.
    started = []

    def __init__(self, database, name, environment=None):
        self.database = database
        self.name = name
        self.environment = environment or {}
        self.process = None
        self.port = None
        self.log_path = os.path.join(WORK, f"{name}.log")

    def start(self):
        self.port = free_port()
        environment = dict(os.environ, DATABASE_URL=f"dbname={self.database} user=galley_app_login", GALLEY_LOG_LEVEL="info")
        environment.update(self.environment)
        with open(self.log_path, "ab") as output:
            self.process = subprocess.Popen(
                [GALLEY, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=environment, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        Server.running.append(self)
        Server.started.append(self)

        def ready():
            if self.process.poll() is not None:
                raise CheckFailed(f"the server exited ({self.process.returncode}) on start")
            try:
                return request(self.port, "GET", "/readyz", timeout=5).status == 200
            except OSError:
                return False

        expect(wait_until(ready, 60, 0.1), f"the server was not ready within 60 s")
        return self

    def call(self, method, path, token=None, body=None, headers=None, timeout=60):
        return request(self.port, method, path, token, body, headers, timeout)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def signal(self, number):
        self.process.send_signal(number)

    def wait(self, timeout):
        """The exit status, or None when still running after `timeout`."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.alive():
            self.signal(signal.SIGTERM)
            if self.wait(10) is None:
                self.process.kill()
                self.process.wait()
        if self in Server.running:
            Server.running.remove(self)

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, errors="replace") as text:
                return "".join(text.readlines()[-lines:])
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------
# The seed: one migrated database with actors, tokens and approved articles, cloned per check.

ACTORS = {
    "admin": ("person", "admin"),
    "writer": ("person", "writer"),
    "checker": ("person", "fact_checker"),
    "editor": ("person", "editor"),
    "press": ("service", "publisher"),
}
TOKENS = {}


def seed():
    psql("postgres", f'DROP DATABASE IF EXISTS "{SEED_DATABASE}" WITH (FORCE); CREATE DATABASE "{SEED_DATABASE}"')
    migrate = subprocess.run(
        [GALLEY, "migrate"], env=dict(os.environ, DATABASE_URL=f"dbname={SEED_DATABASE}", GALLEY_MIGRATIONS_DIR=f"{ROOT}/sql"),
        capture_output=True, text=True)
    if migrate.returncode != 0:
        raise RuntimeError(f"galley migrate failed: {migrate.stderr.strip()}")
    # The servers log in as the application's role, as in production (sql/0013).
    login = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", SEED_DATABASE, "-f", f"{ROOT}/scripts/lib/app-login.sql"],
                           capture_output=True, text=True)
    if login.returncode != 0:
        raise RuntimeError(f"creating the app's login failed: {login.stderr.strip()}")
    # Each actor and a token for it, stored the way `galley tokens issue` stores one: only
    # the SHA-256 of the token's UTF-8 bytes.
    for name, (kind, role) in ACTORS.items():
        token = "glly_" + secrets.token_urlsafe(32)
        psql(SEED_DATABASE, """
            WITH actor AS (
                INSERT INTO actors (name, display_name, kind, roles)
                VALUES (:'name', :'name', :'kind', ARRAY[:'role'])
                RETURNING id
            )
            INSERT INTO tokens (actor_id, token_hash) SELECT id, sha256(convert_to(:'token', 'UTF8')) FROM actor""",
             name=name, kind=kind, role=role, token=token)
        TOKENS[name] = token
    server = Server(SEED_DATABASE, "seed").start()
    try:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda number: approved_article(server, number), range(BATCH)))
    finally:
        server.stop()


def approved_article(server, number):
    """An article written, checked and approved by three people, through the API."""
    def ok(reply, status, step):
        if reply.status != status:
            raise RuntimeError(f"seeding article {number}: {step} answered {reply!r}")
        return reply.json()

    article = ok(server.call("POST", "/v1/articles", TOKENS["writer"], {
        "title": f"Fault suite article {number}", "dek": "Seeded by scripts/faults", "section": "culture",
        "body": f"Article {number} of the fault suite.\n\nIts text does not matter.",
        "sources": [{"url": "https://example.org/statement", "outlet": "Example", "title": "Statement"}],
    }), 201, "create")
    path = f"/v1/articles/{article['id']}"
    ok(server.call("POST", f"{path}/transitions", TOKENS["writer"], {"action": "submit"}), 200, "submit")
    ok(server.call("POST", f"{path}/checkpoints", TOKENS["checker"],
                   {"checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "sources checked"}),
       201, "source_check")
    ok(server.call("POST", f"{path}/transitions", TOKENS["editor"], {"action": "approve"}), 200, "approve")


def approved_ids(database):
    return [row[0] for row in psql(database, "SELECT id FROM articles WHERE state = 'approved' ORDER BY created_at, id")]


def publish_counts(database, ids):
    """(articles published, their `article.publish` audit events, the most events on one)."""
    row = psql(database, """
        SELECT (SELECT count(*) FROM articles WHERE id = ANY(:'ids'::uuid[]) AND state = 'published'),
               (SELECT count(*) FROM audit_events WHERE article_id = ANY(:'ids'::uuid[]) AND action = 'article.publish'),
               (SELECT coalesce(max(n), 0) FROM (
                    SELECT count(*) AS n FROM audit_events
                    WHERE article_id = ANY(:'ids'::uuid[]) AND action = 'article.publish' GROUP BY article_id) AS per_article)""",
               ids=uuid_array(ids))[0]
    return tuple(int(value) for value in row)


def in_background(function, *arguments):
    """Runs `function` on a thread; the returned dict gets "value" or "error", and "done"."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*arguments)
        except BaseException as error:  # noqa: BLE001 - reported by the check
            outcome["error"] = error
        outcome["done"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


# ---------------------------------------------------------------------------------------------
# The checks


def check_kill_during_atomic_batch():
    """SIGKILL inside an atomic batch publishes all or nothing: killed while its transaction
    is open, nothing; killed after it committed but before it answered, everything. Either
    way a retry with the same Idempotency-Key after a restart leaves each article published
    exactly once, and a further send replays the answer."""
    database = clone_database("galley_faults_kill")
    ids = approved_ids(database)
    half = len(ids) // 2
    before_commit = kill_inside_batch(database, ids[:half], after_commit=False)
    after_commit = kill_inside_batch(database, ids[half:], after_commit=True)
    return f"killed before the commit: {before_commit}; killed after it: {after_commit}"


def kill_inside_batch(database, ids, after_commit):
    key = f"faults-{secrets.token_hex(8)}"
    batch = {"article_ids": ids, "atomic": True}
    if after_commit:
        moment = "after the commit"
        # The batch records itself in publish_batches once its articles are committed; a lock
        # on that table holds the request there, between the commit and the answer.
        holder = LockHolder(database, "LOCK TABLE publish_batches IN EXCLUSIVE MODE")
        reached = lambda: publish_counts(database, ids)[0] == len(ids)
    else:
        moment = "mid-transaction"
        # The last article's row, locked: the batch waits there, the others published, uncommitted.
        holder = LockHolder(database, "SELECT 1 FROM articles WHERE id = :'id' FOR UPDATE", id=ids[-1])
        reached = lambda: waiting_on_locks(database)
    try:
        server = Server(database, "kill-after" if after_commit else "kill-before").start()
        sent = in_background(server.call, "POST", "/v1/publish-batches", TOKENS["press"], batch, {"Idempotency-Key": key})
        expect(wait_until(lambda: reached() or "done" in sent, 60), f"the batch never reached the moment to kill it ({moment})")
        expect("done" not in sent, f"the batch answered before it could be killed {moment}: {sent.get('value')!r}")
        server.process.kill()
        server.process.wait()
    finally:
        holder.release()
    sent["thread"].join(10)
    expect("error" in sent, f"the client got an answer from a killed server: {sent.get('value')!r}")
    expect(wait_until(lambda: open_write_transactions(database) == 0, 30),
           "PostgreSQL kept the killed server's transaction open for 30 s")
    published, events, _ = publish_counts(database, ids)
    expected = len(ids) if after_commit else 0
    expect(published == expected and events == expected,
           f"killed {moment}: {published} of {len(ids)} articles are published, with {events} publish events; expected {expected}")

    server = Server(database, "kill-retry").start()
    # The dead server's reservation holds the key until its lease runs out: a retry now is
    # told to come back later. Then the lease is made to have run out (as if a minute had
    # passed) rather than waited for.
    early = server.call("POST", "/v1/publish-batches", TOKENS["press"], batch, {"Idempotency-Key": key})
    expect(early.status == 409 and "retry-after" in early.headers,
           f"a retry while the dead server's reservation holds the key answered {early!r}, not 409 with Retry-After")
    psql(database, f"UPDATE idempotency_keys SET created_at = created_at - interval '{LEASE_SECONDS} seconds' WHERE key = :'key'",
         key=key)

    def retry():
        reply = server.call("POST", "/v1/publish-batches", TOKENS["press"], batch, {"Idempotency-Key": key})
        if reply.status == 409 and "retry-after" in reply.headers:
            time.sleep(min(float(reply.headers["retry-after"]), 5))
            return None
        return reply

    reply = wait_until(retry, RESERVATION_WAIT, 0)
    expect(reply is not None, f"the retry was refused as still in progress for {RESERVATION_WAIT:.0f} s: "
                              "the dead server's hold on the key was not released")
    expect(reply.status == 200, f"the retry answered {reply!r}")
    statuses = [result["status"] for result in reply.json()["results"]]
    # Articles the killed request published are live already: the retry skips them.
    answered = statuses.count("skipped" if after_commit else "published")
    expect(answered == len(ids), f"the retry after a kill {moment} answered {sorted(set(statuses))} for {len(ids)} articles")
    published, events, most = publish_counts(database, ids)
    expect(published == len(ids) and events == len(ids) and most == 1,
           f"after the retry {published} of {len(ids)} published, {events} publish events, {most} at most on one article")

    replay = server.call("POST", "/v1/publish-batches", TOKENS["press"], batch, {"Idempotency-Key": key})
    expect(replay.status == 200 and replay.headers.get("idempotent-replayed") == "true",
           f"the same key once more was not a replay: {replay.status} {replay.headers}")
    expect(publish_counts(database, ids)[1] == len(ids), "the replay published again")
    server.stop()
    return f"{expected} of {len(ids)} published, the retry left each published once, a third send replayed"


class Answer:
    """One request of a load: when it was sent and answered, and how."""

    def __init__(self, kind, sent):
        self.kind = kind
        self.sent = sent
        self.answered = None
        self.status = None
        self.article = None  # the id of the article a 201 created
        self.error = None  # the transport error, when there was no answer


def check_postgres_restart_under_load():
    """PostgreSQL stopped and started under writes and reads: only 503s while it is down (no
    other 5xx, no dropped connections), every acknowledged article kept, and the server
    recovers by itself."""
    database = clone_database("galley_faults_outage")
    readable = approved_ids(database)[0]
    server = Server(database, "outage").start()
    stop_load = threading.Event()
    outage = {}
    answers = []
    lock = threading.Lock()

    def write(client, number):
        body = {"title": f"Outage {client}-{number}", "body": "Written while PostgreSQL restarts.", "section": "culture"}
        reply = server.call("POST", "/v1/articles", TOKENS["writer"], body, timeout=30)
        return reply, (reply.json().get("id") if reply.status == 201 else None)

    def read(client, number):
        path = f"/v1/articles/{readable}" if number % 2 else "/v1/articles?state=approved&limit=5"
        return server.call("GET", path, TOKENS["editor"], timeout=30), None

    def load(kind, operation, client):
        number = 0
        while not stop_load.is_set():
            number += 1
            answer = Answer(kind, time.monotonic())
            try:
                reply, answer.article = operation(client, number)
                answer.status = reply.status
            except OSError as error:
                answer.error = f"{type(error).__name__}: {error}"
            answer.answered = time.monotonic()
            with lock:
                answers.append(answer)
            # A client backs off a little after a refusal, as a real one would.
            time.sleep(0.01 if answer.status in (200, 201) else 0.05)

    clients = [threading.Thread(target=load, args=("write", write, number), daemon=True) for number in range(3)]
    clients += [threading.Thread(target=load, args=("read", read, number), daemon=True) for number in range(2)]
    for client in clients:
        client.start()
    time.sleep(1.5)
    outage["stopping"] = time.monotonic()
    cluster("stop")
    outage["down"] = time.monotonic()
    time.sleep(2.5)
    outage["starting"] = time.monotonic()
    cluster("start")
    outage["up"] = time.monotonic()
    time.sleep(2.5)
    stop_load.set()
    for client in clients:
        client.join(40)

    expect(server.alive(), f"the server died during the outage")
    transport = [answer.error for answer in answers if answer.error]
    expect(not transport, f"{len(transport)} requests lost their connection, e.g. {transport[0] if transport else ''}")
    by_status = {}
    for answer in answers:
        by_status[(answer.kind, answer.status)] = by_status.get((answer.kind, answer.status), 0) + 1
    unexpected = {key: count for key, count in by_status.items() if key not in (("write", 201), ("read", 200), ("write", 503), ("read", 503))}
    expect(not unexpected, f"answers other than 200, 201 and 503: {unexpected} (all: {by_status})")
    # Requests sent and answered while PostgreSQL was stopped.
    during = [answer.status for answer in answers if outage["down"] <= answer.sent and answer.answered <= outage["starting"]]
    expect(during and all(status == 503 for status in during),
           f"while PostgreSQL was down the answers were {sorted(set(during))} ({len(during)} answers)")
    expect(wait_until(lambda: server.call("GET", "/readyz", timeout=5).status == 200, 15),
           "/readyz was not ready again within 15 s of the restart")

    def write_succeeds():
        return server.call("POST", "/v1/articles", TOKENS["writer"],
                           {"title": f"After the outage {secrets.token_hex(4)}", "body": "Back.", "section": "culture"}).status == 201

    expect(wait_until(write_succeeds, 15, 0.2), "writes did not succeed again within 15 s of the restart")
    acknowledged = [answer.article for answer in answers if answer.article]
    kept = int(scalar(database, "SELECT count(*) FROM articles WHERE id = ANY(:'ids'::uuid[])", ids=uuid_array(acknowledged)))
    expect(kept == len(acknowledged), f"{len(acknowledged) - kept} of {len(acknowledged)} acknowledged articles are missing")
    recovered = {kind: next((answer.answered - outage["up"] for answer in answers
                             if answer.kind == kind and answer.sent > outage["up"] and answer.status in (200, 201)), None)
                 for kind in ("write", "read")}
    expect(None not in recovered.values(), f"requests under load did not succeed again after PostgreSQL was up: {recovered}")
    server.stop()
    return (f"{len(answers)} requests: {len(acknowledged)} articles created (all kept), "
            f"{by_status.get(('write', 503), 0) + by_status.get(('read', 503), 0)} 503s ({len(during)} while down); "
            f"writes and reads succeeded {recovered['write']:.1f} s and {recovered['read']:.1f} s after PostgreSQL was up")


def check_sigterm_drains():
    """SIGTERM with two publish batches and an event stream open: the batches answer in full,
    the stream ends, new connections are refused, and the process exits 0."""
    database = clone_database("galley_faults_drain")
    ids = approved_ids(database)
    half = len(ids) // 2
    server = Server(database, "drain").start()

    stream = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    stream.sendall(f"GET /v1/events HTTP/1.1\r\nHost: galley\r\nAuthorization: Bearer {TOKENS['editor']}\r\n\r\n".encode())
    expect(b"200 OK" in stream.recv(4096), "the event stream did not open")

    def read_stream_to_end():
        while stream.recv(65536):
            pass
        return time.monotonic()

    stream_end = in_background(read_stream_to_end)
    # Each batch's last article, locked: both requests stay in flight, mid-transaction,
    # until the lock is released after SIGTERM.
    holder = LockHolder(database, "SELECT 1 FROM articles WHERE id IN (:'a', :'b') FOR UPDATE", a=ids[half - 1], b=ids[-1])
    try:
        atomic = in_background(server.call, "POST", "/v1/publish-batches", TOKENS["press"], {"article_ids": ids[:half], "atomic": True})
        each = in_background(server.call, "POST", "/v1/publish-batches", TOKENS["press"], {"article_ids": ids[half:]})
        expect(wait_until(lambda: waiting_on_locks(database) == 2 or "done" in atomic or "done" in each, 60),
               "the batches never reached their last articles")
        expect("done" not in atomic and "done" not in each, "a batch answered although its last article was locked")
        server.signal(signal.SIGTERM)
        time.sleep(0.5)
        in_flight = server.alive() and "done" not in atomic and "done" not in each
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
            refused = "accepted"
        except ConnectionRefusedError:
            refused = "refused"
        except OSError as error:
            refused = f"failed otherwise ({error})"
    finally:
        terminated = time.monotonic()
        holder.release()
    status = server.wait(30)
    for outcome in (atomic, each, stream_end):
        outcome["thread"].join(5)

    expect(in_flight, "the requests in flight did not survive SIGTERM until their lock was released")
    expect(refused == "refused", f"a new connection after SIGTERM was {refused}")
    for name, outcome, count in (("atomic", atomic, half), ("non-atomic", each, len(ids) - half)):
        expect("value" in outcome, f"the {name} batch in flight got no answer: {outcome.get('error')!r}")
        reply = outcome["value"]
        expect(reply.status == 200, f"the {name} batch in flight answered {reply!r}")
        published = [result["status"] for result in reply.json()["results"]].count("published")
        expect(published == count, f"the {name} batch in flight published {published} of {count}")
    expect("value" in stream_end, f"the event stream did not end: {stream_end.get('error')!r}")
    expect(status is not None, f"the server was still running 30 s after SIGTERM")
    expect(status == 0, f"the server exited with {status} after SIGTERM")
    published, _, _ = publish_counts(database, ids)
    expect(published == len(ids), f"{published} of {len(ids)} articles are published after the drain")
    Server.running.remove(server)
    answered = max(atomic["done"], each["done"]) - terminated
    return (f"both batches ({len(ids)} articles), held 0.5 s past SIGTERM, answered 200 in full "
            f"{answered:.1f} s after their lock was released; new connections refused, the stream ended, exit 0")


class StalledReceiver:
    """A webhook receiver that reads the request and then either never answers (`silent`)
    or sends its headers and part of the body, then stalls (`stalled_body`)."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = []  # monotonic times at which a whole request had arrived
        self.closing = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        held = []
        self.listener.settimeout(0.2)
        while not self.closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            held.append(connection)
            self.read_request(connection)
            self.requests.append(time.monotonic())
            if self.behaviour == "stalled_body":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nreceived, ")
        for connection in held:
            connection.close()

    @staticmethod
    def read_request(connection):
        connection.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk

    def close(self):
        self.closing.set()
        self.listener.close()


def check_stalled_webhook():
    """A receiver that never answers, and one that stalls after its headers, hold a delivery
    attempt no longer than the deadline: each attempt is recorded as failed in time."""
    database = clone_database("galley_faults_webhook")
    ids = approved_ids(database)
    server = Server(database, "webhook", {"GALLEY_WEBHOOK_ALLOW": "127.0.0.1"}).start()
    passed, failed = [], []
    try:
        # One after the other, so that one variant's stall cannot delay the other's record.
        for number, behaviour in enumerate(("silent", "stalled_body")):
            try:
                passed.append(deliver_to_stalled(server, database, behaviour, ids[number]))
            except CheckFailed as failure:
                failed.append(str(failure))
    finally:
        server.stop()
    expect(not failed, "; ".join(failed + passed))
    return "; ".join(passed)


def deliver_to_stalled(server, database, behaviour, article):
    receiver = StalledReceiver(behaviour)
    try:
        reply = server.call("POST", "/v1/webhooks", TOKENS["admin"],
                            {"url": f"http://127.0.0.1:{receiver.port}/hook", "event_types": ["article.published"]})
        expect(reply.status == 201, f"creating the webhook answered {reply!r}")
        webhook = reply.json()["id"]
        reply = server.call("POST", "/v1/publish-batches", TOKENS["press"], {"article_ids": [article]})
        expect(reply.status == 200, f"publishing answered {reply!r}")
        expect(wait_until(lambda: receiver.requests, 15), f"{behaviour}: no delivery reached the receiver within 15 s")
        arrived = receiver.requests[0]
        limit = WEBHOOK_DEADLINE + WEBHOOK_SLACK

        def attempt_recorded():
            rows = psql(database, """
                SELECT a.status_code, a.error, d.status FROM webhook_attempts a
                JOIN webhook_deliveries d ON d.id = a.delivery_id
                WHERE d.webhook_id = :'webhook' ORDER BY a.id LIMIT 1""", webhook=webhook)
            return rows[0] if rows else None

        recorded = wait_until(attempt_recorded, limit - (time.monotonic() - arrived), 0.2)
        took = time.monotonic() - arrived
        expect(recorded, f"{behaviour}: no attempt recorded {took:.1f} s after the receiver got the request "
                         f"(deadline {WEBHOOK_DEADLINE:.0f} s + {WEBHOOK_SLACK:.0f} s slack); the delivery is held")
        status_code, error, delivery = recorded
        expect(error and delivery != "succeeded",
               f"{behaviour}: the attempt was recorded as a success (status {status_code or '-'}, delivery {delivery})")
        server.call("DELETE", f"/v1/webhooks/{webhook}", TOKENS["admin"])
        return f"{behaviour}: failed attempt recorded after {took:.1f} s ({error[:60]})"
    finally:
        receiver.close()


def check_sigterm_bounded():
    """SIGTERM while a request waits on a lock that is never released: after
    GALLEY_SHUTDOWN_TIMEOUT the request is cancelled, its transaction rolls back (an atomic
    batch publishes nothing), and the process exits."""
    database = clone_database("galley_faults_bounded")
    ids = approved_ids(database)[:20]
    server = Server(database, "bounded", {"GALLEY_SHUTDOWN_TIMEOUT": "2"}).start()
    holder = LockHolder(database, "SELECT 1 FROM articles WHERE id = :'id' FOR UPDATE", id=ids[-1])
    try:
        batch = in_background(server.call, "POST", "/v1/publish-batches", TOKENS["press"], {"article_ids": ids, "atomic": True})
        expect(wait_until(lambda: waiting_on_locks(database) == 1 or "done" in batch, 60), "the batch never reached its last article")
        expect("done" not in batch, "the batch answered although its last article was locked")
        terminated = time.monotonic()
        server.signal(signal.SIGTERM)
        status = server.wait(15)
        exited = time.monotonic() - terminated
        expect(status is not None, "the server was still running 15 s after SIGTERM with a 2 s shutdown timeout")
    finally:
        holder.release()
    expect(wait_until(lambda: open_write_transactions(database) == 0, 30),
           "the cancelled request's transaction was still open 30 s after the server exited")
    batch["thread"].join(10)
    # Past the grace period the connection is closed with the request; an answer, if one is
    # still written, says the server was unavailable.
    expect("error" in batch or batch["value"].status == 503,
           f"the cancelled request was answered {batch.get('value')!r}, neither closed nor 503")
    published, _, _ = publish_counts(database, ids)
    expect(published == 0, f"{published} of {len(ids)} articles of the cancelled atomic batch are published")
    Server.running.remove(server)
    return f"a request stuck behind a lock was cancelled: exit {status} {exited:.1f} s after SIGTERM, nothing of its atomic batch published"


CHECKS = {
    "kill-during-atomic-batch": check_kill_during_atomic_batch,
    "sigterm-drains": check_sigterm_drains,
    "sigterm-bounded": check_sigterm_bounded,
    "stalled-webhook": check_stalled_webhook,
    # Last: it stops the cluster the others use.
    "postgres-restart-under-load": check_postgres_restart_under_load,
}


def run_checks(label, checks, arguments, prepare):
    """Runs the checks named in `arguments` (all when none; `--list` prints their names) after
    `prepare()`, stopping every server each started, and prints PASS or FAIL with the end of its
    servers' logs on a failure; 0 when all passed, 1 when any failed, 2 for an unknown name."""
    if arguments == ["--list"]:
        print("\n".join(checks))
        return 0
    unknown = [name for name in arguments if name not in checks]
    if unknown:
        print(f"{label}: no check named {', '.join(unknown)}; the checks: {', '.join(checks)}", file=sys.stderr)
        return 2
    chosen = arguments or list(checks)
    started = time.monotonic()
    prepare()
    failures = 0
    for name in chosen:
        began = time.monotonic()
        Server.started = []
        try:
            result = f"PASS  {name}: {checks[name]()}"
        except CheckFailed as failure:
            failures += 1
            result = f"FAIL  {name}: {failure}"
        except Exception:  # noqa: BLE001 - an error in the check itself fails it too
            failures += 1
            result = f"FAIL  {name}: the check itself failed:\n{traceback.format_exc()}"
        finally:
            for server in list(Server.running):
                server.stop()
        print(f"{result} ({time.monotonic() - began:.0f} s)", flush=True)
        if result.startswith("FAIL"):
            for server in Server.started:
                print(f"  the end of the log of server {server.name}:\n{server.log_tail(10)}", flush=True)
    print(f"{label}: {len(chosen) - failures} passed, {failures} failed in {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failures else 0


def main(arguments):
    def seeded():
        began = time.monotonic()
        log(f"seeding {BATCH} approved articles")
        seed()
        log(f"seeded in {time.monotonic() - began:.0f} s")

    return run_checks("faults", CHECKS, arguments, seeded)


def stop_everything(*_):
    raise SystemExit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_everything)
    try:
        status = main(sys.argv[1:])
    finally:
        for server in list(Server.running):
            server.process.kill()
            server.process.wait()
    sys.exit(status)
