/// A word diff of two texts, bounded in time and memory.
///
/// A word keeps the white space that follows it (text before the first word is a word of its
/// own), so the segments put both texts back together exactly: context and removed give the
/// old text, context and added the new one. Words are compared by Myers' O(ND) algorithm in
/// its linear-space form, after the common start and end are set aside. Its work grows with
/// the length of the differing part times the number of words changed, so the changed words
/// are capped, more tightly the longer the texts: beyond the cap the diff is refused
/// (`GalleyError.tooLargeToDiff`) rather than computed for minutes. A cancelled task stops
/// between rounds of the search.
public enum WordDiff {
    public struct Segment: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            case context, added, removed
        }
        public var kind: Kind
        public var text: String
        public init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    public struct Limits: Sendable {
        /// The most words inserted plus removed that a diff shows.
        public var maxChangedWords: Int
        /// The most work allowed: words in the differing part of both texts times changed words.
        public var maxWork: Int
        public init(maxChangedWords: Int, maxWork: Int) {
            self.maxChangedWords = maxChangedWords
            self.maxWork = maxWork
        }
        public static let standard = Limits(maxChangedWords: 5_000, maxWork: 50_000_000)

        /// The cap on changed words for a differing part of `words` words in both texts.
        func changedWordCap(differingWords words: Int) -> Int {
            min(maxChangedWords, maxWork / max(words, 1))
        }
    }

    public static func segments(from old: String, to new: String, limits: Limits = .standard) throws -> [Segment] {
        let oldWords = words(old)
        let newWords = words(new)
        var ids: [Substring: Int32] = [:]
        func id(_ word: Substring) -> Int32 {
            if let known = ids[word] { return known }
            let next = Int32(ids.count)
            ids[word] = next
            return next
        }
        let a = oldWords.map(id)
        let b = newWords.map(id)
        var search = Search(a: a, b: b)
        var start = 0
        while start < a.count, start < b.count, a[start] == b[start] { start += 1 }
        var endA = a.count
        var endB = b.count
        while endA > start, endB > start, a[endA - 1] == b[endB - 1] {
            endA -= 1
            endB -= 1
        }
        let cap = limits.changedWordCap(differingWords: (endA - start) + (endB - start))
        try search.compare(start..<endA, start..<endB, maxEdits: cap)
        var builder = Builder()
        for index in 0..<start { builder.context(oldWords[index]) }
        var oldIndex = start
        var newIndex = start
        for step in search.steps {
            switch step {
            case .keep:
                builder.context(oldWords[oldIndex])
                oldIndex += 1
                newIndex += 1
            case .remove:
                builder.removed(oldWords[oldIndex])
                oldIndex += 1
            case .insert:
                builder.added(newWords[newIndex])
                newIndex += 1
            }
        }
        for index in endA..<a.count { builder.context(oldWords[index]) }
        return builder.finish()
    }

    /// The text cut into words, each with the white space after it.
    static func words(_ text: String) -> [Substring] {
        var words: [Substring] = []
        var start = text.startIndex
        var inSpace = false
        for index in text.indices {
            let isSpace = text[index].isWhitespace
            if inSpace, !isSpace {
                words.append(text[start..<index])
                start = index
            }
            inSpace = isSpace
        }
        if start < text.endIndex { words.append(text[start...]) }
        return words
    }

    /// Joins words into segments; between two context segments, removed words come before added ones.
    private struct Builder {
        var segments: [Segment] = []
        var unchanged = ""
        var removedWords = ""
        var addedWords = ""

        mutating func context(_ word: Substring) {
            flushChanges()
            unchanged += word
        }

        mutating func removed(_ word: Substring) {
            flushContext()
            removedWords += word
        }

        mutating func added(_ word: Substring) {
            flushContext()
            addedWords += word
        }

        private mutating func flushContext() {
            if !unchanged.isEmpty { segments.append(Segment(.context, unchanged)) }
            unchanged = ""
        }

        private mutating func flushChanges() {
            if !removedWords.isEmpty { segments.append(Segment(.removed, removedWords)) }
            if !addedWords.isEmpty { segments.append(Segment(.added, addedWords)) }
            (removedWords, addedWords) = ("", "")
        }

        mutating func finish() -> [Segment] {
            flushChanges()
            flushContext()
            return segments
        }
    }

    /// Myers' linear-space search: each call finds the middle snake of its part and recurses
    /// on both sides of it, appending the steps in order.
    private struct Search {
        enum Step { case keep, remove, insert }

        let a: [Int32]
        let b: [Int32]
        var steps: [Step] = []

        init(a: [Int32], b: [Int32]) {
            self.a = a
            self.b = b
        }

        mutating func compare(_ rangeA: Range<Int>, _ rangeB: Range<Int>, maxEdits: Int) throws {
            var lowA = rangeA.lowerBound
            var lowB = rangeB.lowerBound
            var highA = rangeA.upperBound
            var highB = rangeB.upperBound
            var prefix = 0
            while lowA < highA, lowB < highB, a[lowA] == b[lowB] {
                lowA += 1
                lowB += 1
                prefix += 1
            }
            var suffix = 0
            while highA > lowA, highB > lowB, a[highA - 1] == b[highB - 1] {
                highA -= 1
                highB -= 1
                suffix += 1
            }
            steps.append(contentsOf: repeatElement(.keep, count: prefix))
            if lowA == highA || lowB == highB {
                if (highA - lowA) + (highB - lowB) > maxEdits { throw GalleyError.tooLargeToDiff(changedWordLimit: maxEdits) }
                steps.append(contentsOf: repeatElement(.remove, count: highA - lowA))
                steps.append(contentsOf: repeatElement(.insert, count: highB - lowB))
            } else {
                let snake = try middleSnake(lowA..<highA, lowB..<highB, maxEdits: maxEdits)
                try compare(lowA..<snake.startA, lowB..<snake.startB, maxEdits: snake.edits)
                steps.append(contentsOf: repeatElement(.keep, count: snake.endA - snake.startA))
                try compare(snake.endA..<highA, snake.endB..<highB, maxEdits: snake.edits)
            }
            steps.append(contentsOf: repeatElement(.keep, count: suffix))
        }

        struct Snake {
            let startA: Int, startB: Int, endA: Int, endB: Int
            /// The edit distance of the whole part the snake is the middle of.
            let edits: Int
        }

        /// Searches forward from the start and backward from the end, one edit further each
        /// round, until the two paths overlap; refuses once more than `maxEdits` are needed.
        func middleSnake(_ rangeA: Range<Int>, _ rangeB: Range<Int>, maxEdits: Int) throws -> Snake {
            let n = rangeA.count
            let m = rangeB.count
            let baseA = rangeA.lowerBound
            let baseB = rangeB.lowerBound
            let delta = n - m
            let odd = delta & 1 != 0
            let rounds = min((n + m + 1) / 2, maxEdits / 2 + 1)
            let offset = rounds + 1
            // forward[k]: furthest x on diagonal k = x - y; backward[c]: furthest distance
            // from the end on diagonal c of the reversed texts (c = delta - k).
            var forward = [Int](repeating: 0, count: 2 * rounds + 3)
            var backward = [Int](repeating: 0, count: 2 * rounds + 3)
            for d in 0...rounds {
                if Task.isCancelled { throw CancellationError() }
                for k in stride(from: -d, through: d, by: 2) {
                    var x =
                        k == -d || (k != d && forward[offset + k - 1] < forward[offset + k + 1])
                        ? forward[offset + k + 1] : forward[offset + k - 1] + 1
                    var y = x - k
                    let (x0, y0) = (x, y)
                    while x < n, y < m, a[baseA + x] == b[baseB + y] {
                        x += 1
                        y += 1
                    }
                    forward[offset + k] = x
                    let c = delta - k
                    if odd, c >= -(d - 1), c <= d - 1, x + backward[offset + c] >= n {
                        return try snake(baseA + x0, baseB + y0, baseA + x, baseB + y, edits: 2 * d - 1, maxEdits: maxEdits)
                    }
                }
                for c in stride(from: -d, through: d, by: 2) {
                    var x =
                        c == -d || (c != d && backward[offset + c - 1] < backward[offset + c + 1])
                        ? backward[offset + c + 1] : backward[offset + c - 1] + 1
                    var y = x - c
                    let (x0, y0) = (x, y)
                    while x < n, y < m, a[baseA + n - x - 1] == b[baseB + m - y - 1] {
                        x += 1
                        y += 1
                    }
                    backward[offset + c] = x
                    let k = delta - c
                    if !odd, k >= -d, k <= d, forward[offset + k] + x >= n {
                        return try snake(baseA + n - x, baseB + m - y, baseA + n - x0, baseB + m - y0, edits: 2 * d, maxEdits: maxEdits)
                    }
                }
                if 2 * d >= maxEdits { break }
            }
            throw GalleyError.tooLargeToDiff(changedWordLimit: maxEdits)
        }

        private func snake(_ startA: Int, _ startB: Int, _ endA: Int, _ endB: Int, edits: Int, maxEdits: Int) throws -> Snake {
            if edits > maxEdits { throw GalleyError.tooLargeToDiff(changedWordLimit: maxEdits) }
            return Snake(startA: startA, startB: startB, endA: endA, endB: endB, edits: edits)
        }
    }
}
