import Foundation

/// Where the desk may send a browser back to after signing in: a desk page, never another
/// site (an open redirect would lend the desk's address to a phishing link).
enum DeskPaths {
    static func returnPath(_ path: String) -> String? {
        guard path.hasPrefix("/desk"), !path.hasPrefix("//"), path.utf8.count <= 300,
            path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-_".contains($0)) })
        else { return nil }
        return path
    }
}
