import Galley
import Logging
import ServiceLifecycle
import Tracing

/// Work `galley serve` does besides answering requests: publishing scheduled articles as
/// they fall due (checked every second) and sealing the audit log (every 10 seconds: a seal
/// lists the chains that moved since the last one, so sealing often keeps each seal, and the
/// burst of database work it is, small; an idle newsroom seals nothing), and pruning what is
/// past its time (every minute, in small batches: `RetentionService`). Several servers can
/// run it at once: the scheduler claims articles with `FOR UPDATE SKIP LOCKED`; sealing and
/// pruning take an advisory lock, so one server at a time does each, and a server seals only
/// when no seal is younger than the interval, so that several servers seal once per interval.
struct BackgroundWork: Service {
    let services: GalleyServices
    let metrics: HTTPMetrics
    let logger: Logger
    var schedulerInterval: Duration = .seconds(1)
    var sealInterval: Duration = .seconds(10)
    var pruneInterval: Duration = .seconds(60)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await every(schedulerInterval, "scheduler", span: "scheduler.publish_due") { try await publishDue() } }
                group.addTask {
                    await every(sealInterval, "audit seal", span: "audit.seal") { try await services.audit.seal(unlessSealedWithin: sealInterval) }
                }
                group.addTask { await every(pruneInterval, "pruning", span: "retention.prune") { try await prune() } }
            }
        }
    }

    private func publishDue() async throws {
        let run = try await services.publishing.publishDue()
        if run.published > 0 { logger.info("published scheduled articles", metadata: ["count": "\(run.published)"]) }
        for failure in run.failures {
            logger.warning(
                "a scheduled article could not be published",
                metadata: [
                    "article_id": "\(failure.articleID.uuidString.lowercased())", "error": "\(failure.error)",
                    "returned_to_approved": "\(failure.returnedToApproved)",
                ])
        }
    }

    private func prune() async throws {
        let report = try await services.retention.prune()
        metrics.pruned(report, at: services.environment.now())
        let removed = report.byTable.filter { $0.rows > 0 }
        if !removed.isEmpty {
            logger.info("pruned rows past their retention", metadata: .init(uniqueKeysWithValues: removed.map { ($0.table, "\($0.rows)") }))
        }
    }

    /// Runs `work` every `interval`, each run a trace of its own (`span`) when tracing is on.
    private func every(_ interval: Duration, _ name: String, span: String, _ work: () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await withSpan(span, context: .topLevel, ofKind: .internal) { span in
                    try await TraceRecording.$isOn.withValue(span.isRecording) { try await work() }
                }
            } catch {
                logger.warning("\(name) failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
