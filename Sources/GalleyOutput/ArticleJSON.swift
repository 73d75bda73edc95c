import Foundation
import GalleyCore

/// A value that writes its JSON itself with `JSONWriter` instead of going through
/// `JSONEncoder`: the article views, which are most of the API's bytes and its hottest reads.
/// The output is what `WireJSON.encoder` writes for the same value — keys sorted, nil members
/// left out — and a test holds them equal.
public protocol JSONWritable: Encodable {
    func write(to writer: inout JSONWriter)
    /// About how many bytes `write` writes, so that the buffer is allocated once instead of
    /// grown by doubling and copying.
    var estimatedJSONBytes: Int { get }
}

extension JSONWritable {
    public var estimatedJSONBytes: Int { 1024 }
}

extension RevisionDTO {
    public var estimatedJSONBytes: Int {
        body.utf8.count + title.utf8.count + dek.utf8.count + (insight?.utf8.count ?? 0) + (disclosure?.utf8.count ?? 0)
            + sources.count * 256 + 512
    }
}

extension ArticleDTO {
    public var estimatedJSONBytes: Int {
        current_revision.estimatedJSONBytes + (live?.estimatedJSONBytes ?? 0) + (checkpoints?.count ?? 0) * 256
            + (assignments?.count ?? 0) * 320 + 512
    }
}

extension ListDTO where Item: JSONWritable {
    public var estimatedJSONBytes: Int { items.reduce(64) { $0 + $1.estimatedJSONBytes } }
}

extension JSONWriter {
    public mutating func member(_ name: String, _ date: Date) {
        member(name, RFC3339.format(date))
    }

    public mutating func memberIfPresent(_ name: String, _ date: Date?) {
        if let date { member(name, date) }
    }

    public mutating func member(_ name: String, _ value: some JSONWritable) {
        key(name)
        value.write(to: &self)
    }

    public mutating func member(_ name: String, _ values: [some JSONWritable]) {
        key(name)
        array { writer in for value in values { value.write(to: &writer) } }
    }
}

extension SourceDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("outlet", outlet)
            out.memberIfPresent("retrieved_at", retrieved_at)
            out.member("title", title)
            out.member("url", url)
        }
    }
}

extension RevisionDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("author", author)
            out.member("body", body)
            out.member("content_hash", content_hash)
            out.member("created_at", created_at)
            out.member("dek", dek)
            out.memberIfPresent("digital_source_type", digital_source_type)
            out.memberIfPresent("disclosure", disclosure)
            out.memberIfPresent("generation_id", generation_id)
            out.memberIfPresent("insight", insight)
            out.member("number", number)
            out.member("sources", sources)
            out.member("title", title)
        }
    }
}

extension CheckpointDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.memberIfPresent("at", at)
            out.memberIfPresent("by", by)
            out.member("checkpoint", checkpoint)
            out.member("roles", roles)
            out.member("status", status)
        }
    }
}

extension ArticleDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            if let assignments { out.member("assignments", assignments) }
            if let checkpoints { out.member("checkpoints", checkpoints) }
            out.member("created_at", created_at)
            out.member("current_revision", current_revision)
            out.member("id", id)
            if let live { out.member("live", live) }
            out.memberIfPresent("live_revision", live_revision)
            out.member("origin", origin)
            out.memberIfPresent("publish_at", publish_at)
            out.memberIfPresent("responsible_editor", responsible_editor)
            out.member("section", section)
            out.member("slug", slug)
            out.member("state", state)
            out.member("tags", tags)
            out.member("updated_at", updated_at)
            out.member("version", version)
        }
    }
}

extension ListDTO: JSONWritable where Item: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("items", items)
            out.memberIfPresent("next_cursor", next_cursor)
        }
    }
}
