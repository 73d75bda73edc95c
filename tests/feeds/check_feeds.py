"""Publishes articles whose text is hostile to XML, then validates the Atom feed against
RFC 4287's RELAX NG grammar (and the Schematron rules it carries) and the news sitemap
against the sitemaps.org 0.9 and Google News XSDs, and checks the hostile text reads back.
scripts/feed-check runs it against a server it started."""

import argparse
import json
import os
import sys
import urllib.request

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
SCHEMATRON = "http://www.ascc.net/xml/schematron"

# Markup, an entity, the end of a CDATA section, control characters XML 1.0 cannot carry,
# a non-character, emoji and text outside the BMP.
HOSTILE = [
    {
        "title": 'Tariffs <rise> & "fall" ]]> \u0007bell 😀',
        "dek": "A dek with <b>markup</b> &amp; ]]> and \u001b[31m an escape",
        "body": "<script>alert('x')</script> ]]> & \u000bvertical tab, \uffff and 𝄞 music\n\n## A heading <h2>",
    },
    {
        "title": "Ministers meet — “quotes” ‘too’ & ümlauts",
        "dek": "",
        "body": "Plain text with a [link](https://example.org/a?b=1&c=2) and `code <tag>`.",
    },
]


def request(base, method, path, token=None, body=None):
    headers = {"Accept": "*/*"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    call = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(call, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def publish(base, tokens, text):
    article = dict(text, section="world", tags=["trade & <tariffs>"])
    article["sources"] = [{"url": "https://example.org/news/1", "outlet": "Example Wire", "title": "Source"}]
    _, _, created = request(base, "POST", "/v1/articles", tokens["wren"], article)
    article_id = json.loads(created)["id"]
    transition = f"/v1/articles/{article_id}/transitions"
    request(base, "POST", transition, tokens["wren"], {"action": "submit"})
    checkpoint = {"checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "checked"}
    request(base, "POST", f"/v1/articles/{article_id}/checkpoints", tokens["fay"], checkpoint)
    request(base, "POST", transition, tokens["eli"], {"action": "approve"})
    _, _, published = request(base, "POST", transition, tokens["eli"], {"action": "publish"})
    return json.loads(published)["slug"]


def carried(text):
    """What XML 1.0 can carry of `text`."""
    return "".join(c for c in text if (ord(c) >= 0x20 or c in "\t\n\r") and c not in "\ufffe\uffff")


def schematron_failures(grammar, document):
    """The Schematron rules RFC 4287 puts in its grammar: each assertion in its context."""
    failures = []
    for rule in grammar.iter(f"{{{SCHEMATRON}}}rule"):
        for node in document.xpath("//" + rule.get("context"), namespaces={"atom": ATOM}):
            for assertion in rule.iter(f"{{{SCHEMATRON}}}assert"):
                if not node.xpath(f"boolean({assertion.get('test')})", namespaces={"atom": ATOM}):
                    failures.append(assertion.text)
    return failures


def fetch(base, path, content_type):
    status, headers, body = request(base, "GET", path)
    assert status == 200, f"{path}: {status}"
    assert headers["Content-Type"] == content_type, f"{path}: Content-Type {headers['Content-Type']}"
    return etree.fromstring(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--demo", required=True)
    parser.add_argument("--schemas", required=True)
    arguments = parser.parse_args()
    base = arguments.url.rstrip("/")
    with open(arguments.demo) as file:
        tokens = {actor["name"]: actor["token"] for actor in json.load(file)["actors"]}

    atom_grammar = etree.parse(os.path.join(arguments.schemas, "atom.rng"))
    atom = etree.RelaxNG(atom_grammar)
    sitemap = etree.XMLSchema(etree.parse(os.path.join(arguments.schemas, "news-sitemap.xsd")))

    published = [(publish(base, tokens, text), text) for text in HOSTILE]
    problems = []
    for path in ["/content/v1/feed.atom", "/content/v1/feed.atom?section=world&tag=trade%20%26%20%3Ctariffs%3E"]:
        feed = fetch(base, path, "application/atom+xml")
        if not atom.validate(feed):
            problems.append(f"{path}: {atom.error_log}")
        problems += [f"{path}: {failure}" for failure in schematron_failures(atom_grammar, feed)]
        titles = feed.xpath("/atom:feed/atom:entry/atom:title/text()", namespaces={"atom": ATOM})
        expected = [carried(text["title"]) for _, text in reversed(published)]
        if titles[: len(expected)] != expected:
            problems.append(f"{path}: titles {titles!r}, expected {expected!r}")
        name = feed.xpath("/atom:feed/atom:author/atom:name/text()", namespaces={"atom": ATOM})
        if name != ['The Example <Times> & "Co"']:
            problems.append(f"{path}: author {name!r}")

    news = fetch(base, "/content/v1/sitemap-news.xml", "application/xml")
    if not sitemap.validate(news):
        problems.append(f"sitemap-news.xml: {sitemap.error_log}")
    titles = news.xpath("//news:title/text()", namespaces={"news": NEWS})
    if not set(carried(text["title"]) for _, text in published) <= set(titles):
        problems.append(f"sitemap-news.xml: titles {titles!r}")
    locations = news.xpath("//s:loc/text()", namespaces={"s": SITEMAP})
    if not all(location.startswith(base + "/content/v1/articles/") for location in locations):
        problems.append(f"sitemap-news.xml: locations {locations!r}")

    for problem in problems:
        print("feed-check:", problem, file=sys.stderr)
    if problems:
        return 1
    print(f"feed-check: the feed ({len(published)} hostile articles) and the news sitemap ({len(titles)} articles) are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
