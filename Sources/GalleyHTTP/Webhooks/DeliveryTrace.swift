import Galley
import Tracing

/// The trace a delivery attempt's span joins.
enum DeliveryTrace {
    /// The trace of the change that caused the event, when that change was traced (its span
    /// becomes the attempt's parent); else a trace of the attempt's own.
    static func context(of claimed: WebhookOutbox.Claimed) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceparent = claimed.traceparent {
            InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        }
        return context
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
