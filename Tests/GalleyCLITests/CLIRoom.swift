import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// A fresh database with one actor per role, and the built `galley` pointed at it.
struct CLIRoom {
    let services: GalleyServices
    let pool: PostgresPool
    let connectionString: String
    /// The room's own folder for files given to or written by `galley`, removed with the room.
    let folder: String

    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    /// Actors created by `with`: name → roles.
    static let people: [(String, ActorKind, [Role])] = [
        ("wendy", .person, [.writer]), ("eddie", .person, [.editor]), ("erin", .person, [.editor]),
        ("fiona", .person, [.factChecker]), ("lou", .person, [.legal]), ("drafter", .service, [.aiAgent]),
        ("publish-bot", .service, [.publisher]), ("ada", .person, [.admin]),
    ]

    static func with<Result>(actors: Bool = true, _ body: (CLIRoom) async throws -> Result) async throws -> Result {
        let folder = NSTemporaryDirectory() + "galley-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await TestDatabase.withMigratedDatabase(poolSize: 4) { pool, connectionString in
            let room = CLIRoom(services: GalleyServices(pool: pool), pool: pool, connectionString: connectionString, folder: folder)
            if actors {
                for (name, kind, roles) in people {
                    _ = try await room.services.actors.add(.init(name: name, kind: kind, roles: roles), by: operatorCaller)
                }
            }
            return try await body(room)
        }
    }

    /// Runs `galley` with `arguments` against this room's database, logged in as the app's
    /// role as in production (`galley migrate` as the owner, through GALLEY_MIGRATE_URL).
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> GalleyBinary.Outcome {
        let database = ["DATABASE_URL": TestDatabase.asApp(connectionString), "GALLEY_MIGRATE_URL": connectionString, "GALLEY_ACTOR": ""]
        return try await GalleyBinary.run(arguments, environment: database.merging(environment) { $1 }, stdin: stdin)
    }

    /// Runs `galley … --json` as `actor` and decodes its stdout; expects exit status 0.
    func json(_ arguments: [String], as actor: String? = nil, stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> Any
    {
        let outcome = try await run(arguments + (actor.map { ["--actor", $0] } ?? []) + ["--json"], stdin: stdin)
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8), options: [.fragmentsAllowed])
    }

    func caller(_ name: String) async throws -> Caller {
        Caller(principal: try #require(try await services.actors.find(name: name)).principal)
    }

    // MARK: Fixtures made through the services, so a test exercises only its own command.

    static func content(_ title: String = "Harbour ferries add a late crossing") throws -> ArticleContent {
        try ArticleContent(
            title: title, dek: "The summer timetable changes in June", body: "The operator said it would add a crossing at 22:15.",
            sources: [Source(url: "https://example.org/ferries/timetable", outlet: "Example Ferries", title: "Timetable")])
    }

    func draft(_ title: String = "Harbour ferries add a late crossing", section: String = "local") async throws -> UUID {
        try await services.articles.create(.init(content: try Self.content(title), section: section), by: caller("wendy")).article.id
    }

    func inReview(_ title: String = "Harbour ferries add a late crossing") async throws -> UUID {
        let id = try await draft(title)
        _ = try await services.transitions.perform(.init(.submit), on: id, by: caller("wendy"))
        return id
    }

    func approved(_ title: String = "Harbour ferries add a late crossing") async throws -> UUID {
        let id = try await inReview(title)
        _ = try await services.review.record(
            .init(checkpoint: "source_check", verdict: .passed, revision: 1, note: "ok"), on: id, by: caller("fiona"))
        _ = try await services.transitions.perform(.init(.approve), on: id, by: caller("eddie"))
        return id
    }

    func published(_ title: String = "Harbour ferries add a late crossing") async throws -> UUID {
        let id = try await approved(title)
        _ = try await services.transitions.perform(.init(.publish), on: id, by: caller("publish-bot"))
        return id
    }

    func state(_ id: UUID) async throws -> ArticleState {
        try await services.articles.get(id, by: caller("eddie")).article.state
    }

    /// A new path in the room's folder.
    func path(ext: String) -> String {
        folder + "/" + UUID().uuidString + "." + ext
    }

    /// Writes `text` to a new file in the room's folder and returns its path.
    func file(_ text: String, ext: String = "json") throws -> String {
        let path = path(ext: ext)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

extension UUID {
    var text: String { uuidString.lowercased() }
}

func dict(_ value: Any) throws -> [String: Any] { try #require(value as? [String: Any]) }
func list(_ value: Any) throws -> [[String: Any]] { try #require(value as? [[String: Any]]) }
func uuid(_ value: Any?) throws -> UUID { try #require((value as? String).flatMap(UUID.init(uuidString:))) }
