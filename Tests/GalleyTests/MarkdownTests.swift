import Foundation
import Testing

@testable import Galley
@testable import GalleyCore

/// Article text as the desk shows it: the usual Markdown, and never markup from the text.
@Suite struct MarkdownTests {
    func html(_ text: String, headingOffset: Int = 1) -> String { Markdown.html(text, headingOffset: headingOffset) }

    @Test func paragraphsAreSeparatedByBlankLines() {
        #expect(html("One line\nand the next.\n\n\nA second paragraph.  ") == "<p>One line\nand the next.</p>\n<p>A second paragraph.</p>")
        #expect(html("Windows\r\nline ends\r\n\r\nwork.") == "<p>Windows\nline ends</p>\n<p>work.</p>")
        #expect(html("") == "")
        #expect(html(" \n\t\n") == "")
    }

    @Test func headingsSitBelowThePageHeadingAndNeverSkipALevel() {
        #expect(html("# Title") == "<h2>Title</h2>")
        #expect(html("# Title", headingOffset: 0) == "<h1>Title</h1>")
        #expect(html("## Closed ##\n# C#\n#hashtag") == "<h2>Closed</h2>\n<h2>C#</h2>\n<p>#hashtag</p>")
        // A first heading of level 4 still comes right below the page's h1.
        #expect(html("#### Deep\n\n##### Deeper") == "<h2>Deep</h2>\n<h3>Deeper</h3>")
        #expect(html("# a\n## b\n### c\n#### d\n##### e\n###### f") == "<h2>a</h2>\n<h3>b</h3>\n<h4>c</h4>\n<h5>d</h5>\n<h6>e</h6>\n<h6>f</h6>")
        #expect(html("## a", headingOffset: 9) == "<h6>a</h6>")
        #expect(html("####### seven") == "<p>####### seven</p>")
    }

    @Test func emphasisAndStrongNestAndStayOutOfWords() {
        #expect(
            html("*a* _b_ **c** __d__ ***e***") == "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong> <em><strong>e</strong></em></p>")
        #expect(html("**bold *and italic* text**") == "<p><strong>bold <em>and italic</em> text</strong></p>")
        #expect(html("snake_case_name and 2 * 3 * 4") == "<p>snake_case_name and 2 * 3 * 4</p>")
        #expect(html("**a*") == "<p>*<em>a</em></p>")
        #expect(html("*unclosed and _also") == "<p>*unclosed and _also</p>")
        #expect(html("\\*not emphasis\\*") == "<p>*not emphasis*</p>")
        // Mismatched markers cannot cross: the `_` between a `*` pair stays text.
        #expect(html("*a _b* c_") == "<p><em>a _b</em> c_</p>")
        // Unicode punctuation counts as punctuation beside a marker.
        #expect(html("«*quoted*» «_too_»") == "<p>«<em>quoted</em>» «<em>too</em>»</p>")
    }

    @Test func codeSpansAndBlocksShowTheirTextVerbatim() {
        #expect(html("Use `a < b && *c*` here") == "<p>Use <code>a &lt; b &amp;&amp; *c*</code> here</p>")
        #expect(html("`` a ` b ``") == "<p><code>a ` b</code></p>")
        #expect(html("`unclosed and ``other``") == "<p>`unclosed and <code>other</code></p>")
        #expect(
            html("```swift\nlet tag = \"<b>\"\n  *indented*\n```\nafter")
                == "<pre><code>let tag = &quot;&lt;b&gt;&quot;\n  *indented*\n</code></pre>\n<p>after</p>")
        #expect(html("  ~~~\n  two\n   three\n~~~~") == "<pre><code>two\n three\n</code></pre>")
        #expect(html("```\nnever closed\n\n# not a heading") == "<pre><code>never closed\n\n# not a heading\n</code></pre>")
    }

    @Test func listsOfBulletsAndNumbers() {
        #expect(html("- one\n* two\n+ three") == "<ul>\n<li>one</li>\n<li>two</li>\n<li>three</li>\n</ul>")
        #expect(html("1. first\n2. second\n   goes on\n\n3. third") == "<ol>\n<li>first</li>\n<li>second\ngoes on</li>\n<li>third</li>\n</ol>")
        #expect(html("3) from three") == "<ol start=\"3\">\n<li>from three</li>\n</ol>")
        #expect(html("Intro:\n- item\n\nAfter") == "<p>Intro:</p>\n<ul>\n<li>item</li>\n</ul>\n<p>After</p>")
        // Only a list starting at 1 interrupts a paragraph; `-` needs a space after it.
        #expect(html("It was\n1984. A year.\n-not a list") == "<p>It was\n1984. A year.\n-not a list</p>")
        #expect(html("- a\n1. b") == "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>")
    }

    @Test func quotesHoldParagraphsButNoQuotes() {
        #expect(html("> a\n> b\n>\n> c\n\nd") == "<blockquote>\n<p>a\nb</p>\n<p>c</p>\n</blockquote>\n<p>d</p>")
        #expect(html(">> nested") == "<blockquote>\n<p>&gt; nested</p>\n</blockquote>")
        #expect(html("> # Heading\n> - item") == "<blockquote>\n<h2>Heading</h2>\n<ul>\n<li>item</li>\n</ul>\n</blockquote>")
    }

    @Test func hardBreaksFromTwoSpacesOrABackslash() {
        #expect(html("a  \nb\\\nc \nd") == "<p>a<br>\nb<br>\nc\nd</p>")
    }

    @Test func linksOnlyToTheWebMailOrThisSite() {
        #expect(
            html("[Minutes](https://example.org/a?b=1&c=2)")
                == "<p><a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">Minutes</a></p>")
        #expect(
            html("[*mail* me](mailto:desk@example.org)")
                == "<p><a href=\"mailto:desk@example.org\" rel=\"noopener noreferrer\"><em>mail</em> me</a></p>")
        #expect(
            html("[queue](/desk) [top](#top) [](HTTP://A.ORG)") == """
                <p><a href="/desk" rel="noopener noreferrer">queue</a> <a href="#top" rel="noopener noreferrer">top</a> \
                <a href="HTTP://A.ORG" rel="noopener noreferrer">HTTP://A.ORG</a></p>
                """)
        for hostile in [
            "javascript:alert(1)", "JaVaScRiPt:alert`1`", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "ftp://x", "//evil.example",
            "/\\evil.example",
        ] {
            #expect(!html("[click](\(hostile))").contains("<a"), "\(hostile)")
        }
        #expect(html("[click](javascript:alert)") == "<p>click</p>")
        #expect(
            html("[q](https://x.org/\"onmouseover='alert')")
                == "<p><a href=\"https://x.org/&quot;onmouseover=&#39;alert&#39;\" rel=\"noopener noreferrer\">q</a></p>")
        #expect(html("[spaced](https://x.org/a b) [open](https://x.org") == "<p>[spaced](https://x.org/a b) [open](https://x.org</p>")
    }

    @Test func htmlInTheTextIsShownAsText() {
        #expect(html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        #expect(html("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>")
        #expect(html("&lt;b&gt; &amp; &#60;") == "<p>&amp;lt;b&amp;gt; &amp;amp; &amp;#60;</p>")
        #expect(
            html("# <i>title</i>\n- <b onclick=\"x\">") == "<h2>&lt;i&gt;title&lt;/i&gt;</h2>\n<ul>\n<li>&lt;b onclick=&quot;x&quot;&gt;</li>\n</ul>")
        #expect(html("a\u{0}b") == "<p>a\u{FFFD}b</p>")
    }

    /// Many random mixes of Markdown and HTML fragments: every `<` in the output starts one
    /// of the renderer's own tags, those tags nest, every link is one it allows, and every
    /// `&` starts an entity it wrote.
    @Test func noMixOfInputsYieldsMarkupFromTheText() {
        let fragments = [
            "*", "**", "_", "__", "`", "``", "```", "~~~", "[", "]", "(", ")", "](", "[a](", "https://x.org/", "javascript:",
            "mailto:a@b", "/", "#", "# ", "## ", "> ", "- ", "1. ", "\n", "\n\n", "  \n", "\\", "<", ">", "<script>", "</p>",
            "<img src=x onerror=alert(1)>", "\"", "'", "&", "&lt;", "&#x3C;", "\u{0}", "\t", " ", "word", "é", "—", "«", "🙂", "\r",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
            let output = html(text)
            #expect(MarkupCheck.problem(in: output) == nil, "\(text.debugDescription) → \(output.debugDescription)")
        }
    }

    /// A megabyte of what makes naive Markdown parsers backtrack or rescan renders, and
    /// renders safely; the renderer's cost is linear by construction (see Markdown.swift).
    /// Other mixes of markers run at a tenth of the size, to keep the suite light.
    @Test func aMegabyteOfHostileMarkersRenders() {
        func repeated(_ unit: String, bytes: Int) -> String { String(repeating: unit, count: bytes / unit.utf8.count) }
        let backtickRuns = (1...1_400).map { String(repeating: "`", count: $0) }.joined(separator: " ")
        let megabyte = ["*", "*a ", "[", "[a](", "`"].map { repeated($0, bytes: 1_000_000) } + [backtickRuns]
        let smaller = ["_a *b ", "[a](x", "**_*", "> - ", "- a\n", "# ", "<a ", "\\", "a  \n"].map { repeated($0, bytes: 100_000) }
        for text in megabyte + smaller {
            let output = html(text)
            #expect(!output.isEmpty)
            #expect(MarkupCheck.problem(in: output) == nil)
        }
    }

    @Test func theDemoStoriesRenderAsParagraphs() {
        for story in [DemoContent.draft, DemoContent.inReview, DemoContent.approved, DemoContent.published, DemoContent.aiDraft] {
            let output = html(story.body)
            let paragraphs = story.body.components(separatedBy: "\n\n")
            let escaped = paragraphs.map { $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;") }
            #expect(output == escaped.map { "<p>\($0)</p>" }.joined(separator: "\n"))
        }
    }
}

/// Reads rendered HTML the way a browser would tokenize it, and names the first thing in it
/// the renderer did not write itself.
enum MarkupCheck {
    static let elements: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"]

    static func problem(in html: String) -> String? {
        if html.contains("\u{0}") { return "a NUL" }
        var open: [String] = []
        var rest = Substring(html)
        while let index = rest.firstIndex(where: { $0 == "<" || $0 == "&" }) {
            rest = rest[index...]
            if rest.first == "&" {
                guard let entity = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].first(where: { rest.hasPrefix($0) }) else {
                    return "a bare & at \(rest.prefix(12).debugDescription)"
                }
                rest = rest.dropFirst(entity.count)
                continue
            }
            guard let close = rest.firstIndex(of: ">") else { return "an unclosed <" }
            let tag = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if tag == "br" { continue }
            if tag.hasPrefix("/") {
                guard open.popLast() == String(tag.dropFirst()) else { return "</\(tag.dropFirst())> closes nothing open" }
                continue
            }
            if elements.contains(tag), tag != "a" {
                open.append(tag)
            } else if tag.hasPrefix("ol start=\""), tag.hasSuffix("\""), tag.dropFirst(10).dropLast().allSatisfy(\.isNumber) {
                open.append("ol")
            } else if tag.hasPrefix("a href=\""), tag.hasSuffix("\" rel=\"noopener noreferrer\""), !tag.dropFirst(8).contains("<") {
                let href = tag.dropFirst(8).prefix { $0 != "\"" }
                let decoded = href.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&amp;", with: "&")
                guard MarkdownInline.isSafeDestination(ArraySlice(decoded.utf8)) else { return "a link to \(href.prefix(80))…" }
                guard tag == "a href=\"\(href)\" rel=\"noopener noreferrer\"" else { return "an attribute in <\(tag.prefix(80))…>" }
                open.append("a")
            } else {
                return "a tag <\(tag.prefix(80))…> from the text"
            }
        }
        return open.isEmpty ? nil : "unclosed <\(open.joined(separator: ", "))>"
    }
}
