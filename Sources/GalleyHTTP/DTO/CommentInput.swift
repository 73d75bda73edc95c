import Foundation

/// `POST /v1/articles/{id}/comments`.
struct CommentInput: Decodable, Sendable {
    var body: String
    var revision: Int?
    var quote: String?
    var claim_id: String?
    var parent_id: String?
}

/// `PATCH /v1/articles/{id}/comments/{comment_id}`.
struct CommentPatch: Decodable, Sendable {
    var resolved: Bool
}
