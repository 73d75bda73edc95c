/// A line diff of two texts, from Swift's own (Myers) collection difference.
public enum LineDiff {
    public struct Line: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Codable {
            case context, added, removed
        }
        public var kind: Kind
        public var text: String
    }

    public static func lines(from old: String, to new: String) -> [Line] {
        let oldLines = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let newLines = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let difference = newLines.difference(from: oldLines)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var result: [Line] = []
        var o = 0
        var n = 0
        while o < oldLines.count || n < newLines.count {
            if o < oldLines.count, removed.contains(o) {
                result.append(Line(kind: .removed, text: oldLines[o]))
                o += 1
            } else if n < newLines.count, inserted.contains(n) {
                result.append(Line(kind: .added, text: newLines[n]))
                n += 1
            } else {
                if n < newLines.count { result.append(Line(kind: .context, text: newLines[n])) }
                o += 1
                n += 1
            }
        }
        return result
    }
}
