import Foundation

/// Which webhook destinations are allowed. By default every public address is, and private,
/// loopback, link-local, unique-local, CGNAT, multicast and unspecified addresses are refused:
/// a webhook URL is chosen by an API client, and without this rule it could make the server
/// call its own admin ports or a cloud metadata service (SSRF). `GALLEY_WEBHOOK_ALLOW` names
/// hosts and CIDRs that are allowed anyway, e.g. `127.0.0.1,10.0.0.0/8,hooks.internal`.
public struct WebhookAddressPolicy: Sendable, Equatable {
    public var hosts: Set<String>
    public var networks: [Network]

    public struct Network: Sendable, Equatable {
        public var address: [UInt8]
        public var prefix: Int

        public func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var bits = prefix
            for (a, b) in zip(address, other) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    public init(hosts: Set<String> = [], networks: [Network] = []) {
        self.hosts = hosts
        self.networks = networks
    }

    /// Parses `GALLEY_WEBHOOK_ALLOW`: comma-separated hosts, addresses and CIDRs.
    public init(allowList: String) throws(GalleyError) {
        self.init()
        for item in allowList.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            if let address = Self.parseIP(parts[0]) {
                let maximum = address.count * 8
                let prefix = parts.count == 2 ? Int(parts[1]) : maximum
                guard let prefix, (0...maximum).contains(prefix) else {
                    throw .validation([.init(field: "GALLEY_WEBHOOK_ALLOW", message: "\(item) has an invalid prefix length")])
                }
                networks.append(Network(address: address, prefix: prefix))
            } else if parts.count == 1 {
                hosts.insert(item)
            } else {
                throw .validation([.init(field: "GALLEY_WEBHOOK_ALLOW", message: "\(item) is not a host or CIDR")])
            }
        }
    }

    static let refused: [Network] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "::/128", "::1/128", "::ffff:0:0/96", "fc00::/7", "fe80::/10",
        "ff00::/8",
    ].map { text in
        let parts = text.split(separator: "/").map(String.init)
        return Network(address: parseIP(parts[0])!, prefix: Int(parts[1])!)
    }

    /// Whether a host name (before resolving) is allowed outright.
    public func allows(host: String) -> Bool {
        hosts.contains(host.lowercased())
    }

    /// Whether `address` (4 or 16 bytes) may be called.
    public func allows(address: [UInt8]) -> Bool {
        if networks.contains(where: { $0.contains(address) }) { return true }
        return !Self.refused.contains { $0.contains(address) }
    }

    /// The bytes of an IPv4 or IPv6 literal, or nil.
    public static func parseIP(_ text: String) -> [UInt8]? {
        let text = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            let bytes = parts.compactMap { UInt8($0) }
            return bytes.count == 4 ? bytes : nil
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            let values = items.compactMap { UInt16($0, radix: 16) }
            return values.count == items.count && items.allSatisfy({ $0.count <= 4 }) ? values : nil
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: halves.count == 2 ? missing : 0) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
