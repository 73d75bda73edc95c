/// The inline part of `Markdown`: escapes, code spans, emphasis, links and hard breaks in one
/// block's text. Every byte of the text is escaped on its way out; the only markup written is
/// the renderer's own.
///
/// Linear in the text: code spans find their closing run through an index of backtick runs by
/// length, links their `]` and `)` through scans that resume where the last one stopped, and
/// emphasis is matched on one stack per marker (CommonMark's delimiter rules, without its
/// rule of three), each run pushed and popped at most once.
struct MarkdownInline {
    private let text: [UInt8]
    /// The start of every maximal run of backticks, by the run's length.
    private var backtickRuns: [Int: [Int]] = [:]
    /// For each length, the first run in `backtickRuns` not yet passed.
    private var backtickCursor: [Int: Int] = [:]
    /// The last answer of `nextBracket(from:)`; later questions start no earlier.
    private var bracketFound = -1
    /// The last answer of `destinationEnd(from:)`.
    private var destinationFound = -1

    init(_ text: [UInt8]) {
        self.text = text
        var index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "`") else {
                index += 1
                continue
            }
            let start = index
            while index < text.count, text[index] == UInt8(ascii: "`") { index += 1 }
            backtickRuns[index - start, default: []].append(start)
        }
    }

    mutating func render() -> [UInt8] { render(0..<text.count, links: true) }

    /// A run of `*` or `_`, and what it became: the emphasis it closes, the characters left
    /// as text, and the emphasis it opens (`true` for strong).
    private struct Delimiter {
        let marker: UInt8
        /// Where in the output its tags and leftover characters go.
        let offset: Int
        var count: Int
        let canOpen: Bool
        let canClose: Bool
        var opens: [Bool] = []
        var closes: [Bool] = []
    }

    private mutating func render(_ range: Range<Int>, links: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count + range.count / 8)
        var delimiters: [Delimiter] = []
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\\"):
                if index + 1 < end, text[index + 1] == UInt8(ascii: "\n") {
                    out += "<br>\n".utf8
                    index += 2
                } else if index + 1 < end, Self.isASCIIPunctuation(text[index + 1]) {
                    Self.appendEscaped(text[index + 1], to: &out)
                    index += 2
                } else {
                    out.append(byte)
                    index += 1
                }
            case UInt8(ascii: "`"):
                var runEnd = index
                while runEnd < end, text[runEnd] == byte { runEnd += 1 }
                let length = runEnd - index
                if let close = codeSpanClose(after: index, length: length, before: end) {
                    out += "<code>".utf8
                    appendCode(runEnd..<close, to: &out)
                    out += "</code>".utf8
                    index = close + length
                } else {
                    out += repeatElement(byte, count: length)
                    index = runEnd
                }
            case UInt8(ascii: "*"), UInt8(ascii: "_"):
                var runEnd = index
                while runEnd < end, text[runEnd] == byte { runEnd += 1 }
                delimiters.append(delimiter(byte, index..<runEnd, offset: out.count))
                index = runEnd
            case UInt8(ascii: "[") where links:
                if let link = link(at: index, before: end) {
                    appendLink(link, to: &out)
                    index = link.end
                } else {
                    out.append(byte)
                    index += 1
                }
            case UInt8(ascii: "\n"):
                // Two or more spaces before a line end make a hard break; the spaces go.
                var spaces = 0
                while out.count > (delimiters.last?.offset ?? 0), out.last == UInt8(ascii: " ") {
                    out.removeLast()
                    spaces += 1
                }
                out += (spaces >= 2 ? "<br>\n" : "\n").utf8
                index += 1
            default:
                Self.appendEscaped(byte, to: &out)
                index += 1
            }
        }
        return Self.emphasize(out, delimiters)
    }

    // MARK: Code spans

    /// The start of the next run of exactly `length` backticks after `start` that ends by `end`.
    private mutating func codeSpanClose(after start: Int, length: Int, before end: Int) -> Int? {
        guard let runs = backtickRuns[length] else { return nil }
        var cursor = backtickCursor[length, default: 0]
        while cursor < runs.count, runs[cursor] <= start { cursor += 1 }
        backtickCursor[length] = cursor
        guard cursor < runs.count, runs[cursor] + length <= end else { return nil }
        return runs[cursor]
    }

    /// A code span's text: line ends become spaces, and one space each side goes when both
    /// are there and the text is not only spaces.
    private func appendCode(_ range: Range<Int>, to out: inout [UInt8]) {
        var range = range
        let space = UInt8(ascii: " ")
        let newline = UInt8(ascii: "\n")
        if range.count >= 2,
            text[range.lowerBound] == space || text[range.lowerBound] == newline,
            text[range.upperBound - 1] == space || text[range.upperBound - 1] == newline,
            text[range].contains(where: { $0 != space && $0 != newline })
        {
            range = (range.lowerBound + 1)..<(range.upperBound - 1)
        }
        for index in range { Self.appendEscaped(text[index] == newline ? space : text[index], to: &out) }
    }

    // MARK: Links

    private struct Link {
        let label: Range<Int>
        let destination: Range<Int>
        /// Just after the closing parenthesis.
        let end: Int
    }

    /// `[label](destination)`: the label holds no bracket; the destination no white space,
    /// control character or parenthesis.
    private mutating func link(at open: Int, before end: Int) -> Link? {
        let close = nextBracket(from: open + 1)
        guard close + 1 < end, text[close] == UInt8(ascii: "]"), text[close + 1] == UInt8(ascii: "(") else { return nil }
        let destinationEnd = destinationEnd(from: close + 2)
        guard destinationEnd < end, destinationEnd > close + 2, text[destinationEnd] == UInt8(ascii: ")") else { return nil }
        return Link(label: (open + 1)..<close, destination: (close + 2)..<destinationEnd, end: destinationEnd + 1)
    }

    /// The first `[` or `]` at or after `start`, or the text's end.
    private mutating func nextBracket(from start: Int) -> Int {
        if start <= bracketFound { return bracketFound }
        var index = start
        while index < text.count, text[index] != UInt8(ascii: "["), text[index] != UInt8(ascii: "]") { index += 1 }
        bracketFound = index
        return index
    }

    /// The first character at or after `start` that ends a link destination, or the text's end.
    private mutating func destinationEnd(from start: Int) -> Int {
        if start <= destinationFound { return destinationFound }
        var index = start
        while index < text.count, text[index] > 0x20, text[index] != 0x7F, text[index] != UInt8(ascii: "("),
            text[index] != UInt8(ascii: ")")
        {
            index += 1
        }
        destinationFound = index
        return index
    }

    /// An `a` element for a web, mail or same-site address; any other link is its label alone.
    private mutating func appendLink(_ link: Link, to out: inout [UInt8]) {
        let label = render(link.label, links: false)
        guard Self.isSafeDestination(text[link.destination]) else {
            out += label
            return
        }
        var href: [UInt8] = []
        for index in link.destination { Self.appendEscaped(text[index], to: &href) }
        out += "<a href=\"".utf8
        out += href
        out += "\" rel=\"noopener noreferrer\">".utf8
        out += label.isEmpty ? href : label
        out += "</a>".utf8
    }

    /// http:, https: and mailto: (in any case), or a path or fragment on this site (`//` and
    /// `/\\` would name another site).
    static func isSafeDestination(_ destination: ArraySlice<UInt8>) -> Bool {
        guard let first = destination.first else { return false }
        if first == UInt8(ascii: "#") { return true }
        if first == UInt8(ascii: "/") {
            let second = destination.dropFirst().first
            return second != UInt8(ascii: "/") && second != UInt8(ascii: "\\")
        }
        let lowered = destination.prefix(8).map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
        return ["http://", "https://", "mailto:"].contains { lowered.starts(with: $0.utf8) }
    }

    // MARK: Emphasis

    private func delimiter(_ marker: UInt8, _ run: Range<Int>, offset: Int) -> Delimiter {
        let before = run.lowerBound > 0 ? characterClass(endingAt: run.lowerBound) : .whitespace
        let after = run.upperBound < text.count ? characterClass(startingAt: run.upperBound) : .whitespace
        let leftFlanking = after != .whitespace && (after != .punctuation || before != .other)
        let rightFlanking = before != .whitespace && (before != .punctuation || after != .other)
        // `_` inside a word (snake_case) is not emphasis.
        let canOpen = marker == UInt8(ascii: "*") ? leftFlanking : leftFlanking && (!rightFlanking || before == .punctuation)
        let canClose = marker == UInt8(ascii: "*") ? rightFlanking : rightFlanking && (!leftFlanking || after == .punctuation)
        return Delimiter(marker: marker, offset: offset, count: run.count, canOpen: canOpen, canClose: canClose)
    }

    /// Matches closers with openers of the same marker, innermost first, two characters for
    /// strong and one for emphasis; openers of the other marker between a matched pair are
    /// left as text so that tags always nest. Then writes the tags into the output.
    private static func emphasize(_ out: [UInt8], _ delimiters: [Delimiter]) -> [UInt8] {
        guard !delimiters.isEmpty else { return out }
        var delimiters = delimiters
        var openers: [UInt8: [Int]] = [UInt8(ascii: "*"): [], UInt8(ascii: "_"): []]
        for closer in delimiters.indices {
            let marker = delimiters[closer].marker
            let other = marker == UInt8(ascii: "*") ? UInt8(ascii: "_") : UInt8(ascii: "*")
            if delimiters[closer].canClose {
                while delimiters[closer].count > 0, let opener = openers[marker]!.last {
                    let strong = delimiters[closer].count >= 2 && delimiters[opener].count >= 2
                    let used = strong ? 2 : 1
                    delimiters[opener].opens.append(strong)
                    delimiters[opener].count -= used
                    delimiters[closer].closes.append(strong)
                    delimiters[closer].count -= used
                    while let last = openers[other]!.last, last > opener { openers[other]!.removeLast() }
                    if delimiters[opener].count == 0 { openers[marker]!.removeLast() }
                }
            }
            if delimiters[closer].count > 0, delimiters[closer].canOpen { openers[marker]!.append(closer) }
        }
        var result: [UInt8] = []
        result.reserveCapacity(out.count + delimiters.count * 9)
        var copied = 0
        for delimiter in delimiters {
            result += out[copied..<delimiter.offset]
            copied = delimiter.offset
            for strong in delimiter.closes { result += (strong ? "</strong>" : "</em>").utf8 }
            result += repeatElement(delimiter.marker, count: delimiter.count)
            for strong in delimiter.opens.reversed() { result += (strong ? "<strong>" : "<em>").utf8 }
        }
        result += out[copied...]
        return result
    }

    private enum CharacterClass {
        case whitespace, punctuation, other
    }

    private func characterClass(startingAt index: Int) -> CharacterClass {
        if text[index] < 0x80 { return Self.asciiClass(text[index]) }
        var end = index + 1
        while end < text.count, end - index < 4, text[end] & 0xC0 == 0x80 { end += 1 }
        return Self.scalarClass(text[index..<end])
    }

    private func characterClass(endingAt end: Int) -> CharacterClass {
        if text[end - 1] < 0x80 { return Self.asciiClass(text[end - 1]) }
        var start = end - 1
        while start > 0, end - start < 4, text[start] & 0xC0 == 0x80 { start -= 1 }
        return Self.scalarClass(text[start..<end])
    }

    private static func asciiClass(_ byte: UInt8) -> CharacterClass {
        if byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte) { return .whitespace }
        return isASCIIPunctuation(byte) ? .punctuation : .other
    }

    /// Unicode white space, and punctuation and symbols (CommonMark's punctuation).
    private static func scalarClass(_ bytes: ArraySlice<UInt8>) -> CharacterClass {
        guard let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first else { return .other }
        if scalar.properties.isWhitespace { return .whitespace }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return .punctuation
        default:
            return .other
        }
    }

    // MARK: Escaping

    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte) || (0x7B...0x7E).contains(byte)
    }

    /// The byte as HTML text, safe in an element and in a quoted attribute.
    static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "&"): out += "&amp;".utf8
        case UInt8(ascii: "<"): out += "&lt;".utf8
        case UInt8(ascii: ">"): out += "&gt;".utf8
        case UInt8(ascii: "\""): out += "&quot;".utf8
        case UInt8(ascii: "'"): out += "&#39;".utf8
        default: out.append(byte)
        }
    }
}
