import Foundation
import Galley
import GalleyCore

/// The public review record as JSON-LD (docs/content.md, "The review record"): the admin
/// record's shape (`ProvenanceDocument`) for the live text, without what stays inside the
/// newsroom: notes, the generation's model, prompt, parameters and usage, actor ids and
/// handles, and reviewers' names unless `GALLEY_PUBLIC_REVIEWERS=names`.
struct ReviewRecordDocument: Encodable, Sendable {
    let json: JSONValue

    init(_ record: PublicReviewRecord) {
        let article = record.article
        var object: [String: JSONValue] = [
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "identifier": .string(article.slug),
            "url": .string(ContentPaths.article(article.slug)),
            "subjectOf": ["@type": "WebPage", "url": .string(ContentPaths.checked(article.slug))],
        ]
        switch article.standing {
        case .retracted(let title, let notice):
            object["headline"] = .string(title)
            object["creativeWorkStatus"] = "retracted"
            object["correction"] = .array(notice.map { [Self.correction($0)] } ?? [])
        case .live(let revision, let corrections):
            let content = revision.content
            object["headline"] = .string(content.title)
            object["description"] = .string(content.dek)
            object["articleBody"] = .string(content.body)
            object["articleSection"] = .string(article.section)
            object["keywords"] = .array(article.tags.map { .string($0) })
            object["datePublished"] = Self.time(article.publishedAt)
            object["dateModified"] = Self.time(article.updatedAt)
            object["version"] = .number(Double(revision.number))
            object["creativeWorkStatus"] = "published"
            object["contentHash"] = ["@type": "PropertyValue", "propertyID": "sha256", "value": .string(content.contentHash)]
            object["additionalProperty"] = [["@type": "PropertyValue", "name": "origin", "value": .string(article.origin.rawValue)]]
            object["isBasedOn"] = .array(
                content.sources.map { source in
                    [
                        "@type": "CreativeWork", "url": .string(source.url), "name": .string(source.title),
                        "publisher": ["@type": "Organization", "name": .string(source.outlet)],
                    ]
                })
            if let disclosure = content.disclosure { object["disclaimer"] = .string(disclosure) }
            if let type = revision.digitalSourceType { object["digitalSourceType"] = .string(type.iptcURI) }
            if let editor = record.editor {
                object["editor"] = Self.person(editor)
                object["accountablePerson"] = Self.person(editor)
            }
            object["review"] = .array(record.checks.items.map(Self.review))
            object["claimReview"] = .array(record.claims.items.map(Self.claimReview))
            object["correction"] = .array(corrections.map(Self.correction))
            var notListed: [String: JSONValue] = [:]
            if record.checks.notShown > 0 { notListed["review"] = .number(Double(record.checks.notShown)) }
            if record.claims.notShown > 0 { notListed["claimReview"] = .number(Double(record.claims.notShown)) }
            if !notListed.isEmpty { object["notListed"] = .object(notListed) }
            if let seal = record.seal {
                object["auditSeal"] = [
                    "@type": "DigitalDocument", "identifier": .number(Double(seal.id)), "url": .string(ContentPaths.seal(seal.id)),
                    "dateCreated": Self.time(seal.at),
                ]
            }
        }
        json = .object(object)
    }

    func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    private static func time(_ date: Date) -> JSONValue { .string(RFC3339.format(date)) }

    /// A person by name where the record names them, and by the roles they hold.
    private static func person(_ person: PublicReviewRecord.Person) -> JSONValue {
        var object: [String: JSONValue] = ["@type": "Person", "jobTitle": .array(person.roles.map { .string($0.rawValue) })]
        if let name = person.name { object["name"] = .string(name) }
        return .object(object)
    }

    private static func review(_ check: PublicReviewRecord.Check) -> JSONValue {
        [
            "@type": "Review", "name": .string(check.checkpoint), "reviewAspect": .string(check.checkpoint),
            "author": person(check.reviewer), "datePublished": time(check.at),
            "reviewRating": ["@type": "Rating", "alternateName": .string(check.verdict.rawValue)],
            "contentHash": .string(check.contentHash), "citation": .array(check.evidence.map { .string($0) }),
        ]
    }

    private static func claimReview(_ claim: PublicReviewRecord.CheckedClaim) -> JSONValue {
        [
            "@type": "ClaimReview", "claimReviewed": .string(claim.text), "dateModified": time(claim.updatedAt),
            "reviewRating": ["@type": "Rating", "alternateName": .string(claim.status.rawValue)],
            "citation": .array(claim.evidence.map { .string($0) }),
        ]
    }

    private static func correction(_ correction: Correction) -> JSONValue {
        [
            "@type": "CorrectionComment", "position": .number(Double(correction.number)), "text": .string(correction.note),
            "datePublished": time(correction.createdAt), "additionalType": .string(correction.kind),
        ]
    }
}

/// The published side's addresses, as its documents link them: relative to the server.
enum ContentPaths {
    static func article(_ slug: String) -> String { "/content/v1/articles/\(slug)" }
    static func jsonLD(_ slug: String) -> String { "/content/v1/articles/\(slug).jsonld" }
    static func checked(_ slug: String) -> String { "/articles/\(slug)/checked" }
    static func seal(_ id: Int) -> String { "/content/v1/seals/\(id)" }
}
