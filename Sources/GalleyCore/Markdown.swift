/// Article text from Markdown to HTML, with every character of the input escaped: HTML in
/// the text shows as text, never as markup, and the only tags in the output are the
/// renderer's own (`p`, `h1`–`h6`, `em`, `strong`, `code`, `pre`, `ul`, `ol`, `li`,
/// `blockquote`, `br`, and `a` for http(s):, mailto: and same-site links).
///
/// It reads paragraphs, ATX headings, `*`/`_` emphasis, code spans, fenced code blocks,
/// one level of `-`/`*`/`+`/`1.` lists, `>` quotes (not nested), hard breaks and inline
/// links; anything else is text. Its work is linear in the input: every line is read at most
/// twice and every search for a closing marker resumes where the previous one stopped, so no
/// input, however hostile, makes it slow.
public enum Markdown {
    /// The HTML of `text`. `headingOffset` is the level of the page heading the text sits
    /// under: `#` becomes one level below it, and no heading skips a level or goes beyond
    /// `h6`, so the page's outline stays in order whatever the text's headings are.
    public static func html(_ text: String, headingOffset: Int = 1) -> String {
        var renderer = MarkdownBlocks(text, headingOffset: headingOffset)
        return renderer.render()
    }
}

/// The block structure: lines into paragraphs, headings, lists, quotes and code blocks.
struct MarkdownBlocks {
    /// The input's bytes without line ends, NUL replaced by U+FFFD.
    private let bytes: [UInt8]
    /// Each line's bytes in `bytes`.
    private let lines: [Range<Int>]
    /// The level of the page heading the text sits under.
    private let headingOffset: Int
    /// The level of the last heading written, starting at the page's own.
    private var lastHeading: Int
    private var out: [UInt8] = []

    init(_ text: String, headingOffset: Int) {
        var bytes: [UInt8] = []
        var lines: [Range<Int>] = []
        bytes.reserveCapacity(text.utf8.count)
        var lineStart = 0
        var afterCarriageReturn = false
        for byte in text.utf8 {
            switch byte {
            case 0:
                bytes += [0xEF, 0xBF, 0xBD]
            case UInt8(ascii: "\r"):
                lines.append(lineStart..<bytes.count)
                lineStart = bytes.count
            case UInt8(ascii: "\n"):
                if !afterCarriageReturn {
                    lines.append(lineStart..<bytes.count)
                    lineStart = bytes.count
                }
            default:
                bytes.append(byte)
            }
            afterCarriageReturn = byte == UInt8(ascii: "\r")
        }
        lines.append(lineStart..<bytes.count)
        self.bytes = bytes
        self.lines = lines
        self.headingOffset = min(max(headingOffset, 0), 5)
        self.lastHeading = self.headingOffset
    }

    mutating func render() -> String {
        out.reserveCapacity(bytes.count + bytes.count / 8)
        renderBlocks(lines[...], quotes: true)
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func renderBlocks(_ lines: ArraySlice<Range<Int>>, quotes: Bool) {
        var k = lines.startIndex
        while k < lines.endIndex {
            let line = lines[k]
            if isBlank(line) {
                k += 1
                continue
            }
            let start = indentEnd(line)
            if let fence = fence(line) {
                k = codeBlock(lines, from: k, fence: fence)
            } else if let heading = heading(line) {
                write(heading: heading)
                k += 1
            } else if quotes, bytes[start] == UInt8(ascii: ">") {
                k = quote(lines, from: k)
            } else if let item = listItem(line) {
                k = list(lines, from: k, first: item)
            } else {
                k = paragraph(lines, from: k, quotes: quotes)
            }
        }
    }

    // MARK: Blocks

    private mutating func paragraph(_ lines: ArraySlice<Range<Int>>, from first: Int, quotes: Bool) -> Int {
        var k = first + 1
        while k < lines.endIndex, !interruptsParagraph(lines[k], quotes: quotes) { k += 1 }
        separate()
        out += "<p>".utf8
        writeInline(lines[first..<k])
        out += "</p>".utf8
        return k
    }

    /// A blank line ends a paragraph, and so does the start of any other block, except an
    /// ordered list not starting at 1 (a sentence may end in "1984." at a line's start).
    private func interruptsParagraph(_ line: Range<Int>, quotes: Bool) -> Bool {
        if isBlank(line) || fence(line) != nil || heading(line) != nil { return true }
        if quotes, bytes[indentEnd(line)] == UInt8(ascii: ">") { return true }
        if let item = listItem(line) { return !item.ordered || item.start == 1 }
        return false
    }

    private mutating func write(heading: (level: Int, content: Range<Int>)) {
        let level = min(heading.level + headingOffset, lastHeading + 1, 6)
        separate()
        out += "<h\(level)>".utf8
        writeInline([heading.content][...])
        out += "</h\(level)>".utf8
        lastHeading = level
    }

    private mutating func codeBlock(_ lines: ArraySlice<Range<Int>>, from first: Int, fence: Fence) -> Int {
        separate()
        out += "<pre><code>".utf8
        var k = first + 1
        while k < lines.endIndex {
            let line = lines[k]
            if closesFence(line, fence) {
                k += 1
                break
            }
            // The opening fence's indent is not part of the code.
            var start = line.lowerBound
            while start < line.upperBound, start - line.lowerBound < fence.indent, bytes[start] == UInt8(ascii: " ") { start += 1 }
            for index in start..<line.upperBound { MarkdownInline.appendEscaped(bytes[index], to: &out) }
            out.append(UInt8(ascii: "\n"))
            k += 1
        }
        out += "</code></pre>".utf8
        return k
    }

    /// Consecutive lines starting with `>`; their text, without the marker and one space
    /// after it, is rendered as blocks in which `>` is plain text.
    private mutating func quote(_ lines: ArraySlice<Range<Int>>, from first: Int) -> Int {
        var inner: [Range<Int>] = []
        var k = first
        while k < lines.endIndex, !isBlank(lines[k]) {
            var start = indentEnd(lines[k])
            guard bytes[start] == UInt8(ascii: ">") else { break }
            start += 1
            if start < lines[k].upperBound, bytes[start] == UInt8(ascii: " ") { start += 1 }
            inner.append(start..<lines[k].upperBound)
            k += 1
        }
        separate()
        out += "<blockquote>".utf8
        renderBlocks(inner[...], quotes: false)
        out += "\n</blockquote>".utf8
        return k
    }

    /// Items of one kind (bullets, or numbers), each its marker's line and the lines that
    /// follow it up to a blank line or another block; blank lines between items do not end it.
    private mutating func list(_ lines: ArraySlice<Range<Int>>, from first: Int, first item: ListItem) -> Int {
        separate()
        if !item.ordered {
            out += "<ul>".utf8
        } else if item.start == 1 {
            out += "<ol>".utf8
        } else {
            out += "<ol start=\"\(item.start)\">".utf8
        }
        var k = first
        var current = item
        while true {
            var end = k + 1
            while end < lines.endIndex, !isBlank(lines[end]), !interruptsItem(lines[end]) { end += 1 }
            var itemLines = Array(lines[(k + 1)..<end])
            itemLines.insert(current.content, at: 0)
            out += "\n<li>".utf8
            writeInline(itemLines[...])
            out += "</li>".utf8
            var next = end
            while next < lines.endIndex, isBlank(lines[next]) { next += 1 }
            guard next < lines.endIndex, let following = listItem(lines[next]), following.ordered == item.ordered else {
                k = end
                break
            }
            k = next
            current = following
        }
        out += (item.ordered ? "\n</ol>" : "\n</ul>").utf8
        return k
    }

    private func interruptsItem(_ line: Range<Int>) -> Bool {
        listItem(line) != nil || fence(line) != nil || heading(line) != nil || bytes[indentEnd(line)] == UInt8(ascii: ">")
    }

    // MARK: Lines

    private func indentEnd(_ line: Range<Int>) -> Int {
        var index = line.lowerBound
        while index < line.upperBound, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        return index
    }

    private func isBlank(_ line: Range<Int>) -> Bool { indentEnd(line) == line.upperBound }

    private func isSpaceOrTab(_ index: Int) -> Bool { bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") }

    private struct Fence {
        let marker: UInt8
        let length: Int
        let indent: Int
    }

    /// Three or more backticks or tildes; after backticks, no backtick on the line (else it
    /// is a code span).
    private func fence(_ line: Range<Int>) -> Fence? {
        let start = indentEnd(line)
        guard start < line.upperBound, bytes[start] == UInt8(ascii: "`") || bytes[start] == UInt8(ascii: "~") else { return nil }
        let marker = bytes[start]
        var end = start
        while end < line.upperBound, bytes[end] == marker { end += 1 }
        guard end - start >= 3 else { return nil }
        if marker == UInt8(ascii: "`"), bytes[end..<line.upperBound].contains(marker) { return nil }
        return Fence(marker: marker, length: end - start, indent: start - line.lowerBound)
    }

    private func closesFence(_ line: Range<Int>, _ fence: Fence) -> Bool {
        let start = indentEnd(line)
        var end = start
        while end < line.upperBound, bytes[end] == fence.marker { end += 1 }
        return end - start >= fence.length && indentEnd(end..<line.upperBound) == line.upperBound
    }

    /// One to six `#` and a space (or nothing); the text without a closing run of `#`.
    private func heading(_ line: Range<Int>) -> (level: Int, content: Range<Int>)? {
        let start = indentEnd(line)
        var index = start
        while index < line.upperBound, bytes[index] == UInt8(ascii: "#") { index += 1 }
        let level = index - start
        guard (1...6).contains(level), index == line.upperBound || isSpaceOrTab(index) else { return nil }
        let contentStart = indentEnd(index..<line.upperBound)
        var end = line.upperBound
        while end > contentStart, isSpaceOrTab(end - 1) { end -= 1 }
        var hashes = end
        while hashes > contentStart, bytes[hashes - 1] == UInt8(ascii: "#") { hashes -= 1 }
        if hashes < end, hashes == contentStart || isSpaceOrTab(hashes - 1) {
            end = hashes
            while end > contentStart, isSpaceOrTab(end - 1) { end -= 1 }
        }
        return (level, contentStart..<end)
    }

    private struct ListItem {
        let ordered: Bool
        let start: Int
        let content: Range<Int>
    }

    /// `-`, `*` or `+`, or one to nine digits and `.` or `)`, then a space and some text.
    private func listItem(_ line: Range<Int>) -> ListItem? {
        let start = indentEnd(line)
        guard start < line.upperBound else { return nil }
        var index = start
        var ordered = false
        var number = 0
        switch bytes[index] {
        case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"):
            index += 1
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            while index < line.upperBound, index - start < 9, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index < line.upperBound, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ")") else { return nil }
            ordered = true
            index += 1
        default:
            return nil
        }
        guard index < line.upperBound, isSpaceOrTab(index) else { return nil }
        let content = indentEnd(index..<line.upperBound)
        guard content < line.upperBound else { return nil }
        return ListItem(ordered: ordered, start: number, content: content..<line.upperBound)
    }

    // MARK: Output

    /// Blocks are written one to a line.
    private mutating func separate() {
        if !out.isEmpty { out.append(UInt8(ascii: "\n")) }
    }

    /// The inline HTML of lines joined by line ends, each without its indent and the last
    /// without trailing white space.
    private mutating func writeInline(_ lines: ArraySlice<Range<Int>>) {
        var text: [UInt8] = []
        for (position, line) in lines.enumerated() {
            if position > 0 { text.append(UInt8(ascii: "\n")) }
            let start = indentEnd(line)
            var end = line.upperBound
            if position == lines.count - 1 {
                while end > start, isSpaceOrTab(end - 1) { end -= 1 }
            }
            text += bytes[start..<end]
        }
        var inline = MarkdownInline(text)
        out += inline.render()
    }
}
