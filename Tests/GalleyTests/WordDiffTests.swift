import Testing

@testable import GalleyCore

@Suite struct WordDiffTests {
    /// The words of `text` as `WordDiff` cuts them.
    func words(_ text: String) -> [String] { WordDiff.words(text).map(String.init) }

    func lcs(_ a: [String], _ b: [String]) -> Int {
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var diagonal = 0
            for (j, y) in b.enumerated() {
                let above = row[j + 1]
                row[j + 1] = x == y ? diagonal + 1 : max(row[j + 1], row[j])
                diagonal = above
            }
        }
        return row[b.count]
    }

    @Test func wordsKeepTheWhiteSpaceAfterThem() {
        #expect(words("  The quick\n\nbrown  fox ") == ["  ", "The ", "quick\n\n", "brown  ", "fox "])
        #expect(words("") == [])
    }

    /// On random texts of few distinct words (many equal words, the hard case for a diff):
    /// the segments rebuild both texts exactly, and the changes are as few as possible.
    @Test func segmentsRebuildBothTextsWithTheFewestChanges() throws {
        var generator = SystemRandomNumberGenerator()
        let vocabulary = ["a ", "b ", "c\n", "d  ", "e "]
        for _ in 0..<300 {
            let old = (0..<Int.random(in: 0...30, using: &generator)).map { _ in vocabulary.randomElement(using: &generator)! }.joined()
            let new = (0..<Int.random(in: 0...30, using: &generator)).map { _ in vocabulary.randomElement(using: &generator)! }.joined()
            let segments = try WordDiff.segments(from: old, to: new)
            #expect(segments.filter { $0.kind != .added }.map(\.text).joined() == old)
            #expect(segments.filter { $0.kind != .removed }.map(\.text).joined() == new)
            let changed = segments.filter { $0.kind != .context }.map { words($0.text).count }.reduce(0, +)
            let (a, b) = (words(old), words(new))
            #expect(changed == a.count + b.count - 2 * lcs(a, b), "\(old.debugDescription) → \(new.debugDescription)")
        }
    }

    @Test func moreChangesThanTheCapAreRefusedNamingTheCap() throws {
        let limits = WordDiff.Limits(maxChangedWords: 4, maxWork: 1_000_000)
        #expect(try WordDiff.segments(from: "a b c d e", to: "a x y d e", limits: limits).count == 4)
        #expect(throws: GalleyError.tooLargeToDiff(changedWordLimit: 4)) {
            try WordDiff.segments(from: "a b c d e", to: "a x y z e", limits: limits)
        }
        // Long texts lower the cap: here 1,000 differing words allow 10 changes.
        let long = WordDiff.Limits(maxChangedWords: 5_000, maxWork: 10_000)
        let old = (0..<500).map { "o\($0)" }.joined(separator: " ")
        let new = (0..<500).map { "n\($0)" }.joined(separator: " ")
        #expect(throws: GalleyError.tooLargeToDiff(changedWordLimit: 10)) { try WordDiff.segments(from: old, to: new, limits: long) }
    }

    @Test func aCancelledDiffStops() async throws {
        let old = (0..<3_000).map { "o\($0)" }.joined(separator: " ")
        let new = (0..<3_000).map { "n\($0)" }.joined(separator: " ")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try WordDiff.segments(from: old, to: new)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
