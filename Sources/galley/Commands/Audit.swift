import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, export, verify and seal the tamper-evident audit log.",
        discussion: """
            Audit commands act as --as NAME or GALLEY_ACTOR when given (that actor needs the audit.read \
            permission), else as the database operator. (--actor on `audit log` filters by actor.)
            """,
        subcommands: [Log.self, Export.self, Verify.self, Seal.self, Seals.self])

    /// Who reads the log: a named actor, or the database operator.
    struct Identity: ParsableArguments {
        @Option(
            name: .customLong("as"), help: ArgumentHelp("Act as this actor (default: GALLEY_ACTOR, else the database operator).", valueName: "name"))
        var actor: String?

        func caller(_ session: Session) async throws -> Caller {
            let name = actor ?? ProcessInfo.processInfo.environment["GALLEY_ACTOR"].flatMap { $0.isEmpty ? nil : $0 }
            guard let name else { return session.operatorCaller }
            return try await session.caller(named: name)
        }
    }

    /// Which events: shared by log and export.
    struct Filter: ParsableArguments {
        @Option(help: "Only events of this article.") var article: UUID?
        @Option(help: ArgumentHelp("Only events by this actor (e.g. eddie or operator:root).", valueName: "name")) var actor: String?
        @Option(help: "Only this action, e.g. article.approve.") var action: String?
        @Option(help: ArgumentHelp("Only events at or after this time (RFC 3339).", valueName: "time")) var since: Date?
        @Option(help: ArgumentHelp("Only events before this time (RFC 3339).", valueName: "time")) var until: Date?

        var query: AuditService.Query {
            var query = AuditService.Query()
            query.articleID = article
            query.actor = actor
            query.action = action
            query.since = since
            query.until = until
            return query
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print audit events, oldest first (JSON Lines with --json).")
        @OptionGroup var filter: Filter
        @Option(help: "Stop after this many events.") var limit: Int?
        @OptionGroup var identity: Identity
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit).") }
        }

        func run() async throws {
            try await Session.with { session in
                let stream = try session.services.audit.stream(
                    filter.query, batchSize: min(limit ?? 1_000, 1_000), by: try await identity.caller(session))
                var printed = 0
                if !output.json { Output.line(AuditLine.header) }
                for try await batch in stream {
                    for event in batch {
                        if let limit, printed >= limit { return }
                        Output.line(output.json ? try Output.jsonLine(AuditEventDTO(event)) : AuditLine.row(event))
                        printed += 1
                    }
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every event's hash and link and check the seals; exit 1 naming the first broken event.",
            discussion: """
                It reads the whole log and records itself as the last full verification. With \
                --incremental it checks only what changed since the log was last verified, on top of the \
                last full verification, as GET /v1/audit/verification does (in full when there is none). \
                With --export, --seals and --public-key it checks files instead of the database, on any \
                machine: an unfiltered `galley audit export --format jsonl`, `galley audit seals --export`, \
                and the public keys (`galley keys show`, /.well-known/galley-seal-key, or one JWK).
                """)
        @Option(help: ArgumentHelp("An unfiltered JSON Lines export to check offline.", valueName: "file")) var export: String?
        @Option(help: ArgumentHelp("The seals, as `galley audit seals --export` writes them.", valueName: "file")) var seals: String?
        @Option(help: ArgumentHelp("The public seal keys: a JWK set or one JWK.", valueName: "file")) var publicKey: String?
        @Flag(help: "Check only what changed since the log was last verified, on top of the last full verification.")
        var incremental = false
        @OptionGroup var identity: Identity
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let offline = [export, seals, publicKey].compactMap { $0 }.count
            if offline != 0 && offline != 3 {
                throw ValidationError("An offline check needs all three of --export, --seals and --public-key.")
            }
            if offline != 0 && incremental {
                throw ValidationError("--incremental checks the database; an offline check (--export) reads the whole export.")
            }
        }

        private struct View: Encodable {
            struct Broken: Encodable {
                let eventID: Int?
                let chain: String
                let seq: Int
                let problem: String
                private enum CodingKeys: String, CodingKey {
                    case eventID = "event_id"
                    case chain, seq, problem
                }
            }
            struct Full: Encodable {
                let id: Int
                let startedAt: String
                let finishedAt: String
                let verifiedBy: String
                let eventsChecked: Int
                let ok: Bool
                private enum CodingKeys: String, CodingKey {
                    case id, ok
                    case startedAt = "started_at"
                    case finishedAt = "finished_at"
                    case verifiedBy = "verified_by"
                    case eventsChecked = "events_checked"
                }
            }
            let ok: Bool
            var scope: String?
            let eventsChecked: Int
            let sealsChecked: Int
            var signedSeals: Int?
            var lastSignedSeal: Int?
            var since: String?
            var fullVerification: Full?
            let firstBroken: Broken?
            private enum CodingKeys: String, CodingKey {
                case ok, scope, since
                case eventsChecked = "events_checked"
                case sealsChecked = "seals_checked"
                case signedSeals = "signed_seals"
                case lastSignedSeal = "last_signed_seal"
                case fullVerification = "full_verification"
                case firstBroken = "first_broken"
            }
        }

        func run() async throws {
            if let export, let seals, let publicKey { return try verifyFiles(export: export, seals: seals, publicKey: publicKey) }
            let incremental = self.incremental
            let verification = try await Session.with { session in
                let caller = try await identity.caller(session)
                if incremental { return try await session.services.audit.verification(by: caller) }
                let progress = Progress("verifying")
                if progress.enabled { progress.setTotal(try await session.services.audit.count(.init(), by: caller)) }
                defer { progress.finish() }
                return try await session.services.audit.verify(by: caller) { progress.update($0) }
            }
            let full = verification.full
            let view = View(
                ok: verification.ok, scope: verification.scope.rawValue, eventsChecked: verification.eventsChecked,
                sealsChecked: verification.sealsChecked, since: verification.since.map(RFC3339.format),
                fullVerification: .init(
                    id: full.id, startedAt: RFC3339.format(full.startedAt), finishedAt: RFC3339.format(full.finishedAt),
                    verifiedBy: full.verifiedBy, eventsChecked: full.eventsChecked, ok: full.ok),
                firstBroken: verification.firstBroken.map { .init(eventID: $0.eventID, chain: $0.chain, seq: $0.seq, problem: $0.problem) })
            let counted = "\(verification.eventsChecked) events and \(verification.sealsChecked) seals checked"
            let intact =
                switch verification.scope {
                case .full: "The audit log is intact: \(counted)."
                case .incremental:
                    "The audit log is intact: \(counted) since \(view.since ?? ""), on top of the full verification of "
                        + "\(RFC3339.format(full.finishedAt)) (\(full.eventsChecked) events, by \(full.verifiedBy))."
                }
            try show(view, intact: intact)
        }

        private func verifyFiles(export: String, seals: String, publicKey: String) throws {
            func read(_ path: String, _ option: String) throws -> Data {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIError("Cannot read \(path) (\(option)).", hint: "Check the path and that the file is readable.")
                }
                return data
            }
            guard let keys = SealKeyRing.parse(try read(publicKey, "--public-key")) else {
                throw CLIError(
                    "\(publicKey) is not a JWK set or a JWK.", hint: "Use the output of `galley keys show` or of GET /.well-known/galley-seal-key.")
            }
            let report = try OfflineAuditVerifier.verify(export: try read(export, "--export"), seals: try read(seals, "--seals"), keys: keys)
            let view = View(
                ok: report.ok, eventsChecked: report.eventsChecked, sealsChecked: report.sealsChecked, signedSeals: report.signedSeals,
                lastSignedSeal: report.lastSignedSeal?.id,
                firstBroken: report.firstBroken.map { .init(eventID: $0.eventID, chain: $0.chain, seq: $0.seq, problem: $0.problem) })
            let vouched = report.lastSignedSeal.map { " Signed up to seal \($0.id) of \($0.at)." } ?? ""
            try show(
                view,
                intact: "The export is intact: \(report.eventsChecked) events in \(report.chainsChecked) chains and \(report.sealsChecked) seals "
                    + "(\(report.signedSeals) signed) checked.\(vouched)")
        }

        private func show(_ view: View, intact: String) throws {
            if output.json {
                try Output.json(view)
            } else if view.ok {
                Output.line(intact)
            }
            if let broken = view.firstBroken {
                let event = broken.eventID.map { "event \($0) " } ?? ""
                let place = broken.chain == "seal" ? "seal \(broken.seq)" : "chain \(broken.chain), position \(broken.seq)"
                Output.error(
                    "The audit log is broken at \(event)(\(place)): \(broken.problem).",
                    hint: "Compare with a backup or an earlier export; `galley audit log --json` shows the events around it.")
                throw ExitCode(ExitStatus.failed.rawValue)
            }
        }
    }

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a seal over the chain heads that moved since the last seal, so that removing the newest events is detected too.")
        @OptionGroup var identity: Identity
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let chains = try await Session.with { session in
                let caller = try await identity.caller(session)
                try caller.principal.require(.readAudit)
                return try await session.services.audit.seal()?.heads
            }
            if output.json { return try Output.json(["chains": chains]) }
            Output.line(chains.map { "Sealed \($0) chain\($0 == 1 ? "" : "s")." } ?? "No chain has changed since the last seal; nothing to seal.")
        }
    }
}

/// One audit event as a fixed-width line, so a long log streams without buffering.
enum AuditLine {
    static let header = row("ID", "AT", "ACTOR", "ACTION", "ARTICLE", "STATE", "REASON")

    static func row(_ event: AuditEvent) -> String {
        let state =
            switch (event.fromState, event.toState) {
            case (let from?, let to?) where from != to: "\(from) → \(to)"
            case (_, let to?): to
            default: "-"
            }
        return row(
            "\(event.id)", Output.time(event.at), event.actor, event.action,
            event.articleID.map { $0.uuidString.lowercased() + (event.revision.map { " r\($0)" } ?? "") } ?? "-", state,
            Output.shorten(event.reason ?? "", to: 60))
    }

    private static func row(_ cells: String...) -> String {
        let widths = [7, 20, 22, 24, 41, 26]
        let text = cells.enumerated().map { index, cell in
            index < widths.count ? cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0) : cell
        }.joined(separator: " ")
        return String(text.reversed().drop { $0 == " " }.reversed())
    }
}
