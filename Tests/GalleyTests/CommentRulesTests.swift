import Foundation
import GalleyCore
import Testing

@Suite struct CommentRulesTests {
    /// Sizes are counted as the database's CHECK counts them (Unicode scalars), so text the
    /// rules accept is never refused by the table instead.
    @Test func sizesCountUnicodeScalarsAsTheDatabaseDoes() {
        let accent = "e\u{301}"  // one character, two scalars
        let quote = String(repeating: accent, count: 1_001)
        #expect(quote.count == 1_001)
        #expect(CommentRules.problems(.init(body: "ok", quote: quote, isReply: false)).map(\.field) == ["quote"])
        #expect(CommentRules.problems(.init(body: String(repeating: accent, count: 5_001), quote: nil, isReply: false)).map(\.field) == ["body"])
        #expect(CommentRules.problems(.init(body: String(repeating: accent, count: 5_000), quote: nil, isReply: false)).isEmpty)
    }

    @Test func onlyNamedPeopleComment() throws {
        let writer = Principal(actorID: UUID(), name: "wendy", kind: .person, roles: [.writer])
        #expect(try CommentRules.requireCommenter(writer) == writer.actorID)
        let bot = Principal(actorID: UUID(), name: "drafter", kind: .service, roles: [.aiAgent])
        #expect(throws: GalleyError.self) { try CommentRules.requireCommenter(bot) }
        #expect(throws: GalleyError.self) { try CommentRules.requireCommenter(.operator(osUser: "root")) }
    }
}
