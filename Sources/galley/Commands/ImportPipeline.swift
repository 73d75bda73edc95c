import Galley

/// Imports chunks of parsed lines in three overlapping steps: while this process parses a
/// chunk, the database computes the search vectors of the chunk before it (on one
/// connection) and writes the chunk before that (on the other). Chunks are still written,
/// committed and printed one after another, in order.
struct ImportPipeline {
    let session: Session
    let caller: Caller
    let printer: ImportPrinter
    let progress: Progress
    private var preparing: (task: Task<ImportService.PreparedDrafts, any Error>, chunk: [Import.Parsed], lines: Int)?
    private var importing: (task: Task<[ImportResultView], any Error>, lines: Int)?

    init(session: Session, caller: Caller, printer: ImportPrinter, progress: Progress) {
        self.session = session
        self.caller = caller
        self.printer = printer
        self.progress = progress
    }

    /// Queues a chunk that ends at line `lines`; returns once the chunks before it are on their way.
    mutating func add(_ chunk: [Import.Parsed], lines: Int) async throws {
        try await advance()
        let (imports, caller) = (session.services.imports, caller)
        let drafts = Import.drafts(chunk)
        preparing = (Task { try await imports.prepare(drafts, by: caller) }, chunk, lines)
    }

    /// Writes and prints every chunk queued.
    mutating func finish() async throws {
        try await advance()
        try await advance()
    }

    /// Waits for the chunk being written and prints it, then starts writing the prepared one.
    private mutating func advance() async throws {
        let prepared = preparing
        preparing = nil
        let ready = try await prepared?.task.value
        if let (task, lines) = importing {
            importing = nil
            try printer.print(try await task.value)
            progress.update(lines)
        }
        if let prepared, let ready {
            let (imports, caller, chunk) = (session.services.imports, caller, prepared.chunk)
            let task = Task {
                let imported = try await imports.importDrafts(ready, atomic: false, by: caller).map(ImportResultView.init)
                return (imported + Import.invalid(chunk)).sorted { $0.line < $1.line }
            }
            importing = (task, prepared.lines)
        }
    }
}
