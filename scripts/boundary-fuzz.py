#!/usr/bin/env python3
"""Sends boundary dates and numbers to every operation of the API and fails on any 5xx or
lost connection (a server that died or hung up).

Reads Sources/GalleyHTTP/openapi.yaml; for every parameter (path, query, header) and every
JSON body field typed date-time, integer or number, it sends a request that is valid
elsewhere with that one value replaced by each boundary value: years 0, 1, 9999, 10000 and
9999999, impossible fields, 2^31, 2^63, 1e308, -0, text where a number belongs, and opaque
cursors that carry such times. Run by scripts/contract-test against its live server:

    scripts/boundary-fuzz.py --url http://127.0.0.1:PORT --token glly_ADMIN [--spec FILE]
"""
import argparse
import base64
import http.client
import json
import sys
import time
import urllib.parse
import uuid

import yaml

DATES = [
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.9999999Z", "10000-01-01T00:00:00Z", "9999999-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z", "+002026-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-12-01T25:61:61Z",
    "2026-12-01T00:00:00+99:99", "2026-12-01T00:00:00." + "9" * 40 + "Z", "1970-01-01T00:00:00Z", "", "now", "1e308",
    "2026-12-01", "2026-12-01T00:00:00",
]
# Raw JSON (or query) text: some are not numbers at all.
NUMBERS = [
    "0", "-0", "-1", "1", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e308", "-1e308",
    "1e309", "1.5", "-0.0", "1e-400", "NaN", "Infinity", '"12"', "null", "true", "0x10", "1" * 400,
]
SAFE_TEXT = {
    "section": "world", "checkpoint": "source_check", "url": "https://example.org/fuzz", "outlet": "Fuzz Wire",
    "title": "Fuzz title", "body": "Fuzz body.", "text": "A fuzzed claim", "model": "m", "model_version": "1",
    "prompt_version": "1", "reason": "fuzz", "note": "fuzz", "error": "fuzz", "notice": "fuzz",
}


class Fuzzer:
    def __init__(self, url, token, spec):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.token = token
        self.spec = spec
        self.connection = None
        self.failures = []
        self.sent = 0

    # HTTP

    def request(self, method, path, body=None, headers=None, token=None):
        headers = dict(headers or {})
        headers["Authorization"] = "Bearer " + (token or self.token)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                self.sent += 1
                return response.status, data
            except (http.client.HTTPException, OSError) as error:
                self.connection.close()
                self.connection = None
                # A kept-alive connection the server closed between requests is retried once;
                # a second failure is the server's.
                if attempt == 2:
                    return None, str(error).encode()
        return None, b""

    def check(self, method, path, body, what):
        status, data = self.request(method, path, body)
        if status is None or status >= 500:
            self.failures.append(f"{method} {path} {what}: {status or 'connection lost'} {data[:300]!r}")
            if not self.alive():
                raise SystemExit(self.report("the server stopped answering"))

    def alive(self):
        for _ in range(20):
            status, _ = self.request("GET", "/healthz")
            if status == 200:
                return True
            time.sleep(0.25)
        return False

    # The spec

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def kind(self, schema):
        """'date', 'number' or None for a schema (following refs and nullable unions)."""
        schema = self.resolve(schema)
        for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
            found = self.kind(alternative)
            if found:
                return found
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "string" in types and schema.get("format") == "date-time":
            return "date"
        if "integer" in types or "number" in types:
            return "number"
        return None

    def example(self, schema, name=""):
        """A value the schema accepts (and, where it can tell, the server too)."""
        schema = self.resolve(schema)
        if "allOf" in schema:
            merged = {}
            for part in schema["allOf"]:
                value = self.example(part, name)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.example(next(s for s in schema[key] if self.resolve(s).get("type") != "null"), name)
        if "example" in schema:
            return schema["example"]
        if "enum" in schema:
            return next(v for v in schema["enum"] if v is not None)
        types = schema.get("type")
        types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
        kind = types[0] if types else "object"
        if kind == "object":
            properties = schema.get("properties", {})
            return {key: self.example(value, key) for key, value in properties.items()}
        if kind == "array":
            return [self.example(schema.get("items", {}), name)]
        if kind == "integer":
            return 1
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        if schema.get("format") == "date-time":
            return "2031-01-01T00:00:00Z"
        if schema.get("format") == "uuid":
            return self.fixtures.get(name, self.fixtures["article_id"])
        return SAFE_TEXT.get(name, "fuzz")

    def fields(self, schema, path=()):
        """(path, kind) of every date or number field in a body schema, nested ones too."""
        schema = self.resolve(schema)
        kind = self.kind(schema)
        if kind:
            yield path, kind
            return
        parts = schema.get("allOf", []) + [s for s in schema.get("anyOf", []) + schema.get("oneOf", [])]
        for part in parts:
            yield from self.fields(part, path)
        for key, value in schema.get("properties", {}).items():
            yield from self.fields(value, path + (key,))
        if "items" in schema:
            yield from self.fields(schema["items"], path + (0,))

    # Fixtures: something for path parameters to name.

    def set_up(self):
        name = "fuzz-" + uuid.uuid4().hex[:8]
        status, data = self.request("POST", "/v1/actors", json.dumps(
            {"name": name, "roles": ["writer", "editor", "fact_checker", "legal", "admin"]}))
        assert status == 201, (status, data)
        actor_id = json.loads(data)["id"]
        status, data = self.request("POST", f"/v1/actors/{actor_id}/tokens", "{}")
        assert status == 201, (status, data)
        self.token = json.loads(data)["token"]
        status, data = self.request("POST", "/v1/articles", json.dumps(
            {"title": "Fuzz", "body": "Fuzz body.", "section": "world", "sources": [
                {"url": "https://example.org/fuzz", "outlet": "Fuzz Wire", "title": "Fuzz"}]}))
        assert status == 201, (status, data)
        article_id = json.loads(data)["id"]
        status, data = self.request("POST", f"/v1/articles/{article_id}/claims", json.dumps({"text": "A claim", "revision": 1}))
        claim_id = json.loads(data)["id"] if status == 201 else str(uuid.uuid4())
        self.fixtures = {"article_id": article_id, "id": article_id, "claim_id": claim_id, "actor_id": actor_id}

    # The run

    def path_value(self, path, name):
        if name == "number":
            return "1"
        if name == "id" and path.startswith("/v1/actors/"):
            return self.fixtures["actor_id"]
        return self.fixtures.get(name, self.fixtures["article_id"] if name == "id" else str(uuid.uuid4()))

    def run(self):
        self.set_up()
        for path, operations in self.spec["paths"].items():
            shared = operations.get("parameters", [])
            for method, operation in operations.items():
                if method == "parameters" or not isinstance(operation, dict) or path == "/v1/events":
                    continue
                self.operation(method.upper(), path, [self.resolve(p) for p in shared + operation.get("parameters", [])], operation)
        return self.report()

    def operation(self, method, template, parameters, operation):
        path_values = {p["name"]: self.path_value(template, p["name"]) for p in parameters if p.get("in") == "path"}
        body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        base_body = self.example(body_schema) if body_schema else None

        def url(paths, query):
            text = template
            for key, value in paths.items():
                text = text.replace("{" + key + "}", urllib.parse.quote(value, safe=""))
            return text + ("?" + urllib.parse.urlencode(query) if query else "")

        body_text = json.dumps(base_body) if base_body is not None else None
        for parameter in parameters:
            name, where = parameter["name"], parameter.get("in")
            kind = self.kind(parameter.get("schema", {}))
            values = DATES if kind == "date" else NUMBERS if kind == "number" else None
            if name == "cursor":
                values = [base64.b64encode(f"{d}|{uuid.uuid4()}".encode()).decode() for d in DATES] + NUMBERS
            if values is None or where not in ("path", "query", "header"):
                continue
            for value in values:
                if where == "path":
                    self.check(method, url({**path_values, name: value}, {}), body_text, f"path {name}={value!r}")
                elif where == "query":
                    self.check(method, url(path_values, {name: value}), body_text, f"query {name}={value!r}")
        if base_body is None:
            return
        for field, kind in self.fields(body_schema):
            if not field:
                continue
            for value in DATES if kind == "date" else NUMBERS:
                raw = json.dumps(value) if kind == "date" else value
                body = self.splice(base_body, field, raw)
                if body is not None:
                    self.check(method, url(path_values, {}), body, f"body {'.'.join(map(str, field))}={raw}")

    @staticmethod
    def splice(body, field, raw):
        """The body as JSON text with the value at `field` replaced by the raw JSON text `raw`."""
        marker = "__boundary_fuzz_" + uuid.uuid4().hex + "__"
        copy = json.loads(json.dumps(body))
        target = copy
        for key in field[:-1]:
            try:
                target = target[key]
            except (KeyError, IndexError, TypeError):
                return None
        if not isinstance(target, (dict, list)):
            return None
        target[field[-1]] = marker
        return json.dumps(copy).replace(json.dumps(marker), raw)

    def report(self, reason=None):
        for failure in self.failures:
            print("boundary-fuzz: FAIL " + failure, file=sys.stderr)
        if reason:
            print(f"boundary-fuzz: {reason}", file=sys.stderr)
            return 1
        print(f"boundary-fuzz: {self.sent} requests, {len(self.failures)} answered 5xx or lost the connection")
        return 1 if self.failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--spec", default="Sources/GalleyHTTP/openapi.yaml")
    arguments = parser.parse_args()
    with open(arguments.spec) as file:
        spec = yaml.safe_load(file)
    return Fuzzer(arguments.url, arguments.token, spec).run()


if __name__ == "__main__":
    sys.exit(main())
