import Foundation
import Galley
import Testing

/// The count of public changes moves only when something readers can see changed: every
/// server forgets its rendered answers when it moves.
@Suite struct ContentGenerationTests {
    @Test func aSealWithNothingToSealLeavesTheCountAlone() async throws {
        try await Newsroom.with { newsroom in
            _ = try await newsroom.draft()
            #expect(try await newsroom.services.audit.seal() != nil)
            let sealed = try await newsroom.services.content.generation()
            #expect(try await newsroom.services.audit.seal() == nil)
            #expect(try await newsroom.services.content.generation() == sealed)
        }
    }

    @Test func anUpdateOfAnActorThatChangesNoNameOrRoleLeavesTheCountAlone() async throws {
        try await Newsroom.with { newsroom in
            let before = try await newsroom.services.content.generation()
            try await newsroom.pool.execute("UPDATE actors SET display_name = display_name, roles = roles")
            #expect(try await newsroom.services.content.generation() == before)
            try await newsroom.pool.execute("UPDATE actors SET display_name = 'Wendy W.' WHERE name = 'wendy'")
            #expect(try await newsroom.services.content.generation() == before + 1)
        }
    }
}
