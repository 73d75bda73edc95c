import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A parsed XML answer, as the elements a test asks about: each with its path of element
/// names (`feed/entry/title`), its attributes and its text. Parsing fails on a document that
/// is not well-formed.
struct XMLOutline {
    struct Element {
        let path: String
        let attributes: [String: String]
        let text: String
    }

    let elements: [Element]

    init(_ data: Data) throws {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else { throw HarnessError("not well-formed XML: \(String(describing: parser.parserError))") }
        elements = reader.done
    }

    /// The texts of the elements at `path`, in document order.
    func texts(_ path: String) -> [String] {
        elements.filter { $0.path == path }.map(\.text)
    }

    func attributes(_ path: String) -> [[String: String]] {
        elements.filter { $0.path == path }.map(\.attributes)
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var open: [(name: String, attributes: [String: String], text: String)] = []
        var done: [Element] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]
        ) {
            open.append((name, attributes, ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !open.isEmpty { open[open.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let path = open.map(\.name).joined(separator: "/")
            let element = open.removeLast()
            done.append(Element(path: path, attributes: element.attributes, text: element.text))
        }
    }
}
