import Foundation
import Galley
import GalleyCore

/// `/articles/{slug}/checked`: the public review record as a page people read, "How this
/// article was checked" (`public-checked.mustache`; every value escaped by Mustache).
struct CheckedPage {
    struct Check {
        let checkpoint: String
        let verdict: String
        let by: String
        let at: String
        let atText: String
        let hash: String
        let evidence: [Link]
    }

    struct Claim {
        let text: String
        let status: String
        let evidence: [Link]
    }

    struct Link {
        let url: String
    }

    struct Notice {
        let number: Int
        let kind: String
        let note: String
        let at: String
        let atText: String
    }

    struct Live {
        let revision: Int
        let contentHash: String
        let publishedAt: String
        let publishedAtText: String
        let checks: [Check]
        let hasChecks: Bool
        let checksNotShown: String?
        let claims: [Claim]
        let hasClaims: Bool
        let claimsNotShown: String?
        let editor: String?
        let origin: String
        let digitalSourceType: String?
        let disclosure: String?
        let corrections: [Notice]
        let hasCorrections: Bool
        let correctionsNotShown: String?
        let sealID: Int?
        let sealURL: String?
        let sealAtText: String?
    }

    let title: String
    let articleURL: String
    let jsonLDURL: String
    let live: Live?
    let retraction: Notice?
    let retracted: Bool

    init(_ record: PublicReviewRecord) {
        let article = record.article
        articleURL = ContentPaths.article(article.slug)
        jsonLDURL = ContentPaths.jsonLD(article.slug)
        switch article.standing {
        case .retracted(let title, let notice):
            self.title = title
            live = nil
            retraction = notice.map(Self.notice)
            retracted = true
        case .live(let revision, let corrections):
            title = revision.content.title
            retraction = nil
            retracted = false
            let checks = record.checks.items.map { check in
                Check(
                    checkpoint: Self.words(check.checkpoint), verdict: check.verdict.rawValue, by: Self.describe(check.reviewer),
                    at: RFC3339.format(check.at), atText: DeskFormat.time(check.at), hash: check.contentHash,
                    evidence: Self.links(check.evidence))
            }
            let claims = record.claims.items.map { claim in
                Claim(text: claim.text, status: claim.status.rawValue, evidence: Self.links(claim.evidence))
            }
            let shownCorrections = corrections.prefix(ContentService.reviewItemsShown)
            live = Live(
                revision: revision.number, contentHash: revision.content.contentHash, publishedAt: RFC3339.format(article.publishedAt),
                publishedAtText: DeskFormat.time(article.publishedAt), checks: checks, hasChecks: !checks.isEmpty,
                checksNotShown: Self.more(record.checks.notShown), claims: claims, hasClaims: !claims.isEmpty,
                claimsNotShown: Self.more(record.claims.notShown), editor: record.editor.map(Self.describe),
                origin: article.origin == .ai ? "written with an AI system" : "written by people",
                digitalSourceType: revision.digitalSourceType?.iptcURI, disclosure: revision.content.disclosure,
                corrections: shownCorrections.map(Self.notice), hasCorrections: !shownCorrections.isEmpty,
                correctionsNotShown: Self.more(corrections.count - shownCorrections.count),
                sealID: record.seal?.id, sealURL: record.seal.map { ContentPaths.seal($0.id) },
                sealAtText: record.seal.map { DeskFormat.time($0.at) })
        }
    }

    /// A name where the record has one, else the roles held: "a fact checker".
    private static func describe(_ person: PublicReviewRecord.Person) -> String {
        let roles = person.roles.map { words($0.rawValue) }.joined(separator: " and ")
        switch (person.name, roles.isEmpty) {
        case (let name?, true): return name
        case (let name?, false): return "\(name) (\(roles))"
        case (nil, true): return "a member of the newsroom"
        case (nil, false): return "a member of the newsroom (\(roles))"
        }
    }

    private static func words(_ identifier: String) -> String {
        identifier.replacingOccurrences(of: "_", with: " ")
    }

    /// The record's evidence links: web addresses only (`ReviewStore.liveChecks`).
    private static func links(_ urls: [String]) -> [Link] {
        urls.map(Link.init)
    }

    private static func more(_ count: Int) -> String? {
        count > 0 ? "And \(count) more, not listed here." : nil
    }

    private static func notice(_ correction: Correction) -> Notice {
        Notice(
            number: correction.number, kind: correction.kind, note: correction.note, at: RFC3339.format(correction.createdAt),
            atText: DeskFormat.time(correction.createdAt))
    }
}
