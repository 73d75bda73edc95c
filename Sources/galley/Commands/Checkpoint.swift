import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Checkpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a verdict on a checkpoint of the article's current revision.",
        discussion: "The verdict binds to the current text's content hash: an edit makes it stale.")

    enum VerdictFlag: String, EnumerableFlag {
        case pass, fail, waive

        var verdict: Verdict {
            switch self {
            case .pass: .passed
            case .fail: .failed
            case .waive: .waived
            }
        }

        static func help(for value: VerdictFlag) -> ArgumentHelp? {
            switch value {
            case .pass: "The checkpoint passed."
            case .fail: "The checkpoint failed."
            case .waive: "Waive the checkpoint (needs --note with the reason)."
            }
        }
    }

    @Argument(help: "The article's id.") var id: UUID
    @Argument(help: "The checkpoint, e.g. source_check, fact_check, legal_review.") var name: String
    @Flag var verdict: VerdictFlag
    @Option(help: "What was checked, or why it is waived.") var note: String?
    @Option(help: ArgumentHelp("A link to the evidence; repeat for several.", valueName: "url")) var evidence: [String] = []
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let verification = try await Session.with { session in
            let caller = try await session.caller(actor)
            let (revision, _) = try await session.services.review.checkpoints(id, by: caller)
            return try await session.services.review.record(
                .init(
                    checkpoint: name, verdict: verdict.verdict, revision: revision, note: note ?? "",
                    evidence: evidence.map { Evidence(url: $0) }),
                on: id, by: caller)
        }
        if output.json { return try Output.json(VerificationDTO(verification)) }
        Output.line(
            "Recorded \(verification.checkpoint) \(verification.verdict.rawValue) on revision \(verification.revision) "
                + "(content \(verification.contentHash.prefix(12))…).")
    }
}

struct Claims: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The factual claims of an article and their status.",
        subcommands: [List.self, Add.self, SetStatus.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an article's claims.")
        @Argument(help: "The article's id.") var id: UUID
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let claims = try await Session.with { session in try await session.services.review.claims(id, by: session.caller(actor)) }
            if output.json { return try Output.json(claims.map(ClaimDTO.init)) }
            Output.table(
                ["id", "rev", "status", "evidence", "text"],
                claims.map {
                    [$0.id.uuidString.lowercased(), "\($0.revision)", $0.status.rawValue, "\($0.evidence.count)", Output.shorten($0.text, to: 70)]
                })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a claim to the current revision (status unverified).")
        @Argument(help: "The article's id.") var id: UUID
        @Argument(help: "The claim, e.g. \"123 prisoners were released\".") var text: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let claim = try await Session.with { session in
                let caller = try await session.caller(actor)
                let article = try await session.services.articles.get(id, by: caller)
                return try await session.services.review.addClaim(text: text, revision: article.current.number, on: id, by: caller)
            }
            if output.json { return try Output.json(ClaimDTO(claim)) }
            Output.line("Added claim \(claim.id.uuidString.lowercased()) to revision \(claim.revision).")
        }
    }

    struct SetStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a claim's status and evidence.")
        @Argument(help: "The article's id.") var id: UUID
        @Argument(help: "The claim's id.") var claim: UUID
        @Option(help: "verified, disputed, false or unverified.") var status: ClaimStatus
        @Option(help: ArgumentHelp("A link to the evidence; repeat for several.", valueName: "url")) var evidence: [String] = []
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let updated = try await Session.with { session in
                try await session.services.review.updateClaim(
                    claim, on: id, status: status, evidence: evidence.isEmpty ? nil : evidence.map { Evidence(url: $0) },
                    by: session.caller(actor))
            }
            if output.json { return try Output.json(ClaimDTO(updated)) }
            Output.line("Claim \(claim.uuidString.lowercased()) is now \(updated.status.rawValue).")
        }
    }
}
