import Crypto
import Foundation

/// The `Galley-Signature` header of a webhook delivery:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook's secret>`.
public enum WebhookSignature {
    /// The header value for `body` sent at `timestamp`.
    public static func header(secret: String, timestamp: Int, body: Data) -> String {
        "t=\(timestamp),v1=" + mac(secret: secret, timestamp: timestamp, body: body)
    }

    static func mac(secret: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// What a receiver does: true when the header carries a `v1` signature of `body` made
    /// with `secret`, and its time is within `tolerance` seconds of `now`.
    public static func verify(header: String, body: Data, secret: String, now: Date = Date(), tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(mac(secret: secret, timestamp: timestamp, body: body).utf8)
        // Compare in constant time so the signature cannot be guessed byte by byte.
        return signatures.contains { Secrets.equal(Array($0.utf8), expected) }
    }
}

/// The event types a webhook can subscribe to.
public enum WebhookEventType {
    public static let all: [String] = [
        "article.submitted", "article.approved", "article.published", "article.corrected", "article.publish_failed",
        "article.unpublished", "article.retracted", "article.spiked", "generation.failed", "verification.recorded",
        "actor.updated", "actor.deactivated",
        "comment.added", "comment.resolved",
        "assignment.created", "assignment.removed",
    ]
}
