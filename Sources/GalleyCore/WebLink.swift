import Foundation

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The rule for every link a newsroom records (sources, evidence): an absolute http or https
/// URL with a host and no user name or password, without whitespace or control characters,
/// whose bracketed host, if any, is an IPv6 address. Foundation alone accepts `http://[zz]/`,
/// `http://[@example.org/` and spaces in paths, which other programs reading the link back
/// (browsers, Python's `urlsplit`) refuse.
public enum WebLink {
    public static let maxBytes = 2048
    /// What a refused link is told it must be.
    public static let requirement = "must be an absolute http:// or https:// URL (scheme in lower case) with a host"

    /// The scheme as the database's CHECK (`url ~ '^https?://'`) has it: written in lower
    /// case. RFC 3986 lets a scheme be any case; stored links use the canonical one.
    public static func hasWebScheme(_ text: String) -> Bool {
        text.hasPrefix("http://") || text.hasPrefix("https://")
    }

    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count <= maxBytes, hasWebScheme(text),
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }),
            let components = URLComponents(string: text),
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { return false }
        guard host.hasPrefix("[") else { return !host.contains("[") && !host.contains("]") }
        guard host.hasSuffix("]"), host.count > 2 else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &address) == 1
    }
}
