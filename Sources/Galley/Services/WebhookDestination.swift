import Foundation
import GalleyCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Checks a webhook URL against the address policy: http or https, a host, and every address
/// the host resolves to allowed (see `WebhookAddressPolicy` and docs/events.md).
public enum WebhookDestination {
    /// Throws `validation` naming the field `url` when the URL may not be called.
    public static func check(_ text: String, policy: WebhookAddressPolicy) async throws {
        func refuse(_ message: String) -> GalleyError { .validation([.init(field: "url", message: message)]) }
        guard WebLink.isValid(text), let host = URL(string: text)?.host, !host.isEmpty else {
            throw refuse(WebLink.requirement + ", without a user name or password")
        }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if policy.allows(host: bare) { return }
        let addresses: [[UInt8]]
        if let literal = WebhookAddressPolicy.parseIP(bare) {
            addresses = [literal]
        } else {
            addresses = await resolve(bare)
            if addresses.isEmpty { throw refuse("names a host that does not resolve: \(bare)") }
        }
        if let refused = addresses.first(where: { !policy.allows(address: $0) }) {
            throw refuse(
                "resolves to \(describe(refused)), a private, loopback or link-local address; "
                    + "allow it with GALLEY_WEBHOOK_ALLOW if it is meant to be called")
        }
    }

    /// Every IPv4 and IPv6 address of `host`, resolved off the cooperative threads.
    static func resolve(_ host: String) async -> [[UInt8]] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: lookup(host))
            }
        }
    }

    private static func lookup(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var result: [[UInt8]] = []
        var cursor = list
        while let info = cursor?.pointee {
            if info.ai_family == AF_INET, let address = info.ai_addr {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var value = pointer.pointee.sin_addr
                    result.append(withUnsafeBytes(of: &value) { Array($0) })
                }
            } else if info.ai_family == AF_INET6, let address = info.ai_addr {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var value = pointer.pointee.sin6_addr
                    result.append(withUnsafeBytes(of: &value) { Array($0) })
                }
            }
            cursor = info.ai_next
        }
        return result
    }

    static func describe(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
