import Crypto
import Foundation
import Hummingbird

/// The desk's stylesheet and script, bundled with the server and read once.
struct DeskStaticFiles {
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    static let files: [String: File] = {
        var files: [String: File] = [:]
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("DeskResources/static") else { return files }
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard let type = types[(name as NSString).pathExtension],
                let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
            else { continue }
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            files[name] = File(body: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
        }
        return files
    }()

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("static/{file}") { request, context -> Response in
            guard let name = context.parameters.get("file"), let file = Self.files[name] else {
                throw HTTPError(.notFound)
            }
            if request.headers[.ifNoneMatch] == file.etag {
                return Response(status: .notModified, headers: [.eTag: file.etag])
            }
            return Response(
                status: .ok, headers: [.contentType: file.contentType, .eTag: file.etag, .cacheControl: "no-cache"],
                body: .init(byteBuffer: file.body))
        }
    }
}
