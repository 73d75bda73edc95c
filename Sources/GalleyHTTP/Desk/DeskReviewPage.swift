import Foundation
import Galley
import GalleyCore

/// The review page's context for `review.mustache`: everything stored is plain text for the
/// template to escape, except `bodyHTML`, `insightHTML` and the diff's `html`, which the
/// desk's own code built from escaped text.
struct DeskReviewPage {
    /// The most of each list one page shows; the rest is counted ("… and N more").
    static let shownSources = 50
    static let shownClaims = 20
    /// How much of a claim's text, a verdict's note or a comment's body the page shows; the
    /// API has them whole (the page says where when it shortened one).
    static let shownText = 300
    static let shownRevisions = 200

    let chrome: DeskChrome
    let articleID: String
    let version: Int
    /// The revision the reviewer chose to compare with, carried in every form so that a
    /// refused form shows the same comparison again.
    let chosenAgainst: String?
    let title: String
    let dek: String?
    let bodyHTML: String
    let insightHTML: String?
    let disclosure: String?
    let section: String
    let tags: [String]
    let state: String
    let origin: String
    let revision: Int
    let author: String
    let notice: String?
    let refusal: DeskReviewRefusal?
    let diff: DiffView?
    let compareOptions: [Option]
    let sources: [LinkView]
    let moreSources: Int?
    let generation: GenerationView?
    let claims: DeskReviewClaims
    let checkpoints: [DeskReviewCheckpoint]
    let comments: DeskReviewComments
    let assignments: DeskReviewAssignments?
    let actions: [DeskReviewAction]

    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }

    struct DiffView {
        let against: Int?
        let why: String
        let html: String
        let problem: String?
    }

    struct GenerationView {
        let model: String
        let modelVersion: String
        let promptVersion: String
        let parameters: String
        let status: String
        let attempt: Int
        let inputTokens: String
        let outputTokens: String
    }

    init(
        _ reads: DeskReviewReads, visit: DeskVisit, against choice: DeskReviewReads.Choice, notice: String?, refusal: DeskReviewRefusal?,
        kept: DeskReviewKept
    ) {
        let detail = reads.detail
        let (article, current) = (detail.article, detail.current)
        let content = current.content
        let principal = visit.caller.principal
        chrome = DeskChrome(visit)
        articleID = article.id.lowercasedString
        version = article.version
        if case .revision(let number) = choice { chosenAgainst = "\(number)" } else { chosenAgainst = nil }
        title = content.title
        dek = content.dek.isEmpty ? nil : content.dek
        bodyHTML = Markdown.html(content.body, headingOffset: 1)
        insightHTML = content.insight.map { Markdown.html($0, headingOffset: 1) }
        disclosure = content.disclosure
        section = article.section
        tags = article.tags
        state = article.state.rawValue
        origin = article.origin.rawValue
        revision = current.number
        author = current.author
        self.notice = notice
        self.refusal = refusal
        diff = reads.comparison.map {
            DiffView(against: $0.against, why: $0.why, html: Self.diffHTML($0.segments), problem: $0.refusal)
        }
        let chosen = reads.comparison?.against
        compareOptions = (max(1, current.number - Self.shownRevisions)...current.number).reversed().map {
            Option(value: "\($0)", label: "Revision \($0)", selected: $0 == chosen)
        }
        sources = content.sources.prefix(Self.shownSources).map {
            LinkView(url: $0.url, text: $0.title.isEmpty ? $0.url : $0.title, detail: $0.outlet)
        }
        moreSources = content.sources.count > Self.shownSources ? content.sources.count - Self.shownSources : nil
        generation = reads.generation.map {
            GenerationView(
                model: $0.model, modelVersion: $0.modelVersion, promptVersion: $0.promptVersion, parameters: $0.parameters.jsonText,
                status: $0.status.rawValue, attempt: $0.attempt, inputTokens: $0.inputTokens.map { "\($0)" } ?? "not reported",
                outputTokens: $0.outputTokens.map { "\($0)" } ?? "not reported")
        }
        claims = DeskReviewClaims(reads.claims, article: article, principal: principal, kept: kept)
        checkpoints = detail.checkpoints.map { status in
            DeskReviewCheckpoint(
                status, rule: reads.rules.first { $0.checkpoint == status.checkpoint }, article: article, revision: current,
                verifications: reads.verifications, principal: principal, kept: kept)
        }
        comments = DeskReviewComments(reads.threads, principal: principal, kept: kept)
        assignments =
            principal.may(.assignSteps, onSection: article.section)
            ? DeskReviewAssignments(detail, rules: reads.rules, kept: kept) : nil
        actions = Workflow.actions(openTo: principal, state: article.state, origin: article.origin, section: article.section).map {
            DeskReviewAction($0, article: article, kept: kept)
        }
    }

    /// The diff as HTML: escaped words, inserted ones in `<ins>`, removed ones in `<del>`.
    static func diffHTML(_ segments: [WordDiff.Segment]) -> String {
        segments.map { segment in
            let text = DeskHTML.escape(segment.text)
            switch segment.kind {
            case .context: return text
            case .added: return "<ins>" + text + "</ins>"
            case .removed: return "<del>" + text + "</del>"
            }
        }.joined()
    }
}

/// A link the page shows: an `href` only for http and https addresses (anything else is
/// shown as text), always opened without telling the other site where it came from.
struct LinkView {
    let href: String?
    let text: String
    /// What the link is (an outlet, an evidence note).
    let detail: String?

    init(url: String, text: String, detail: String? = nil) {
        href = WebLink.hasWebScheme(url) ? url : nil
        self.text = text
        self.detail = detail.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The most evidence links one claim or verdict shows, and how much of each link's text
    /// and note; the API has them whole.
    static let shownEvidence = 3
    static let shownLinkText = 100

    /// The first `shownEvidence` links of `evidence`, shortened; how many more there are; and
    /// whether anything was left out.
    static func shown(_ evidence: [Evidence]) -> (links: [LinkView], more: Int?, shortened: Bool) {
        let limit = shownLinkText
        let links = evidence.prefix(shownEvidence).map {
            LinkView(url: $0.url, text: DeskFormat.excerpt($0.url, limit), detail: $0.note.map { DeskFormat.excerpt($0, limit) })
        }
        let more = evidence.count > shownEvidence ? evidence.count - shownEvidence : nil
        let cut = evidence.prefix(shownEvidence).contains { $0.url.count > limit || ($0.note?.count ?? 0) > limit }
        return (links, more, more != nil || cut)
    }

    /// Links of a textarea, one per line, as evidence (the domain bounds how many). The form's
    /// one note is stored once, with the first link, rather than copied onto each.
    static func evidence(_ text: String, note: String?) -> [Evidence] {
        let urls = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty }
        return urls.enumerated().map { index, url in Evidence(url: url, note: index == 0 ? note : nil) }
    }
}
