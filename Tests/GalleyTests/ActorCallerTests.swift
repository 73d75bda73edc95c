import Foundation
import GalleyCore
import Testing

@testable import Galley

/// A caller named as an actor without a token (the CLI's `--actor`) is held to the actor as
/// it was, as a token's caller is held to its token.
@Suite struct ActorCallerTests {
    @Test func aLongAnswerForANamedActorEndsWhenTheActorChanges() async throws {
        try await Newsroom.with { room in
            let ada = try #require(try await room.services.actors.find(name: "ada"))
            let caller = Caller(actor: ada, requestID: "cli-test")
            var batches = try room.services.audit.stream(.init(), batchSize: 1, by: caller).makeAsyncIterator()
            #expect(try await batches.next()?.count == 1)
            _ = try await room.services.actors.update(.name("ada"), .init(displayName: "Ada L."), by: Newsroom.operatorCaller)
            do {
                let more = try await batches.next()
                Issue.record("the export went on after its actor changed: \(more?.count ?? 0) more events")
            } catch let error as GalleyError {
                guard case .unauthenticated(let message) = error else { throw error }
                #expect(message.contains("ada"), "\(message)")
            }
        }
    }
}
