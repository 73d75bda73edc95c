import Foundation
import Galley
import GalleyCore

/// The review record as JSON-LD in public vocabularies: schema.org (`NewsArticle`, `Review`,
/// `ClaimReview`, `CorrectionComment`) and IPTC digital source types.
struct ProvenanceDocument: Encodable, Sendable {
    let json: JSONValue

    init(_ record: ProvenanceRecord) {
        let article = record.article
        let revision = record.revision
        let content = revision.content
        func time(_ date: Date) -> JSONValue { .string(RFC3339.format(date)) }
        func person(_ name: String) -> JSONValue { ["@type": "Person", "identifier": .string(name)] }

        var object: [String: JSONValue] = [
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "@id": .string("urn:galley:article:\(article.id.uuidString.lowercased()):revision:\(revision.number)"),
            "identifier": .string(article.id.uuidString.lowercased()),
            "url": .string("/v1/articles/\(article.id.uuidString.lowercased())"),
            "headline": .string(content.title),
            "alternativeHeadline": .string(content.dek),
            "articleSection": .string(article.section),
            "keywords": .array(article.tags.map { .string($0) }),
            "version": .number(Double(revision.number)),
            "creativeWorkStatus": .string(record.isLive ? "published" : article.state.rawValue),
            "contentHash": ["@type": "PropertyValue", "propertyID": "sha256", "value": .string(content.contentHash)],
            "dateCreated": time(revision.createdAt),
            "author": person(revision.author),
            "isBasedOn": .array(
                content.sources.map { source in
                    [
                        "@type": "CreativeWork", "url": .string(source.url), "name": .string(source.title),
                        "publisher": ["@type": "Organization", "name": .string(source.outlet)],
                    ]
                }),
        ]
        if let disclosure = content.disclosure { object["disclaimer"] = .string(disclosure) }
        if let type = revision.digitalSourceType { object["digitalSourceType"] = .string(type.iptcURI) }
        if let editor = record.responsibleEditor {
            object["editor"] = ["@type": "Person", "identifier": .string(editor.name), "name": .string(editor.displayName)]
            object["accountablePerson"] = object["editor"]
        }
        if let generation = record.generation {
            object["generation"] = [
                "@type": "CreateAction",
                "identifier": .string(generation.id.uuidString.lowercased()),
                "instrument": [
                    "@type": "SoftwareApplication", "name": .string(generation.model),
                    "softwareVersion": .string(generation.modelVersion),
                ],
                "promptVersion": .string(generation.promptVersion),
                "parameters": generation.parameters,
                "attempt": .number(Double(generation.attempt)),
                "usage": [
                    "inputTokens": generation.inputTokens.map { .number(Double($0)) } ?? .null,
                    "outputTokens": generation.outputTokens.map { .number(Double($0)) } ?? .null,
                ],
                "endTime": generation.finishedAt.map(time) ?? .null,
            ]
        }
        object["review"] = .array(
            record.verdicts.map { verdict in
                [
                    "@type": "Review", "name": .string(verdict.checkpoint), "reviewAspect": .string(verdict.checkpoint),
                    "author": person(verdict.actor), "datePublished": time(verdict.createdAt),
                    "reviewBody": .string(verdict.note), "reviewRating": ["@type": "Rating", "alternateName": .string(verdict.verdict.rawValue)],
                    "contentHash": .string(verdict.contentHash),
                    "citation": .array(verdict.evidence.map { .string($0.url) }),
                ]
            })
        object["claimReview"] = .array(
            record.claims.map { claim in
                [
                    "@type": "ClaimReview", "claimReviewed": .string(claim.text), "dateModified": time(claim.updatedAt),
                    "reviewRating": ["@type": "Rating", "alternateName": .string(claim.status.rawValue)],
                    "citation": .array(claim.evidence.map { .string($0.url) }),
                ]
            })
        object["correction"] = .array(
            record.corrections.map { correction in
                [
                    "@type": "CorrectionComment", "position": .number(Double(correction.number)),
                    "text": .string(correction.note), "datePublished": time(correction.createdAt),
                    "additionalType": .string(correction.kind),
                ]
            })
        json = .object(object)
    }

    func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
