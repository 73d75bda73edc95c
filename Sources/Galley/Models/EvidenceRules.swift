import GalleyCore

extension Evidence {
    /// At most this many links back one verdict or claim.
    public static let maximumLinks = 20
    /// At most this many characters in a link's note.
    public static let maximumNoteLength = 2_000

    /// What is wrong with a list of evidence, by field: each link must be a web address, and
    /// each note short and free of NUL (it is stored in jsonb, which cannot hold U+0000).
    public static func problems(_ evidence: [Evidence]) -> [GalleyError.FieldProblem] {
        var problems: [GalleyError.FieldProblem] = []
        if evidence.count > maximumLinks {
            problems.append(.init(field: "evidence", message: "has \(evidence.count) links; give at most \(maximumLinks)"))
        }
        for (index, item) in evidence.prefix(maximumLinks).enumerated() {
            if !WebLink.isValid(item.url) { problems.append(.init(field: "evidence[\(index)].url", message: WebLink.requirement)) }
            if let problem = Validation.nulProblem("evidence[\(index)].note", item.note) { problems.append(problem) }
            if let note = item.note, note.count > maximumNoteLength {
                problems.append(.init(field: "evidence[\(index)].note", message: "has \(note.count) characters; keep it to \(maximumNoteLength)"))
            }
        }
        return problems
    }
}
