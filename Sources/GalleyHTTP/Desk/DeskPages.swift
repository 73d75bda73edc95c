import Foundation
import Hummingbird
import Mustache

/// The desk's templates (`DeskResources/templates`, Mustache, HTML-escaped by default),
/// loaded once, and the page responses made from them.
struct DeskPages: Sendable {
    let library: MustacheLibrary

    /// The templates bundled with the server. They are part of the program: one that does not
    /// parse is a bug that the desk's tests meet first.
    static let bundled: DeskPages = {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("DeskResources/templates") else {
            fatalError("the desk's templates are missing from the bundle")
        }
        do {
            return DeskPages(library: try load(folder))
        } catch {
            fatalError("a desk template does not parse: \(error)")
        }
    }()

    private static func load(_ folder: URL) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        for file in names.sorted() {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return library
    }

    /// The page `template` renders for `page`, as an HTML response.
    func render(_ template: String, _ page: Any, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(Self.lookupReady(page), withTemplate: template) else {
            fatalError("no desk template named \(template)")
        }
        return Self.html(html, status: status)
    }

    /// The page's values as dictionaries and arrays. Mustache finds a name in a struct with a
    /// new `Mirror` on every lookup, which made rendering most of a page's cost; read once
    /// here, every lookup is a dictionary probe. A nil value is left out, as Mustache reads a
    /// missing name as false.
    static func lookupReady(_ value: Any) -> Any {
        switch value {
        case is String, is Bool, is Int, is Double, is UUID, is Date: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?, .tuple?:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let field = present(child.value) else { continue }
                fields[label] = lookupReady(field)
            }
            return fields
        case .collection?, .set?:
            return mirror.children.compactMap { present($0.value).map(lookupReady) }
        case .optional?:
            return present(value).map(lookupReady) as Any
        default:
            return value
        }
    }

    /// The value an optional holds, nil for none; any other value as it is.
    private static func present(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { present($0.value) }
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to `location` (after a form, so reloading the page does not send it again).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
