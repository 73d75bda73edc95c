import Foundation

/// What the standard `OTEL_*` variables say about traces: whether and where to export them,
/// how to sample, and how to batch. Variables for other signals are not read.
public struct TracingConfiguration: Sendable {
    /// Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` after it.
    public var endpoint: String
    public var headers: [(name: String, value: String)]
    public var timeout: Duration
    /// The resource's attributes: `service.name` first, then `OTEL_RESOURCE_ATTRIBUTES`'.
    public var resource: [(key: String, value: String)]
    public var sampler: TraceSampler
    public var scheduleDelay: Duration
    public var maxQueueSize: Int
    public var maxExportBatchSize: Int

    /// Nil when traces are not exported: no endpoint, `OTEL_SDK_DISABLED=true` or
    /// `OTEL_TRACES_EXPORTER=none`.
    public init?(environment: [String: String]) throws(TracingConfigurationError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func traces(_ name: String) -> (variable: String, value: String)? {
            let specific = "OTEL_EXPORTER_OTLP_TRACES_" + name
            let general = "OTEL_EXPORTER_OTLP_" + name
            return value(specific).map { (specific, $0) } ?? value(general).map { (general, $0) }
        }
        func wholeNumber(_ variable: String, _ text: String?, default fallback: Int, in range: ClosedRange<Int>) throws(TracingConfigurationError)
            -> Int
        {
            guard let text else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw TracingConfigurationError(
                    variable: variable, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }

        guard value("OTEL_SDK_DISABLED")?.lowercased() != "true" else { return nil }
        switch value("OTEL_TRACES_EXPORTER")?.lowercased() {
        case nil, "otlp": break
        case "none": return nil
        case let other?: throw TracingConfigurationError(variable: "OTEL_TRACES_EXPORTER", value: other, expected: "otlp or none")
        }
        if let specific = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = specific
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        } else {
            return nil
        }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            let variable = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == nil ? "OTEL_EXPORTER_OTLP_ENDPOINT" : "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
            throw TracingConfigurationError(variable: variable, value: environment[variable] ?? "", expected: "an http:// or https:// URL")
        }
        if let (variable, text) = traces("PROTOCOL"), text != "http/protobuf" {
            throw TracingConfigurationError(
                variable: variable, value: text, expected: "http/protobuf (Galley sends OTLP over HTTP in protobuf, which every OTLP receiver takes)")
        }
        let headerVariable = traces("HEADERS")
        headers = try Self.pairs(headerVariable?.value, variable: headerVariable?.variable ?? "")
        let timeoutVariable = traces("TIMEOUT")
        timeout = .milliseconds(try wholeNumber(timeoutVariable?.variable ?? "", timeoutVariable?.value, default: 10_000, in: 1...600_000))

        let attributes = try Self.pairs(value("OTEL_RESOURCE_ATTRIBUTES"), variable: "OTEL_RESOURCE_ATTRIBUTES")
        let serviceName = value("OTEL_SERVICE_NAME") ?? attributes.last { $0.name == "service.name" }?.value ?? "galley"
        resource =
            [("service.name", serviceName), ("telemetry.sdk.name", "galley"), ("telemetry.sdk.language", "swift")]
            + attributes.filter { $0.name != "service.name" }.map { ($0.name, $0.value) }
        sampler = try TraceSampler(name: value("OTEL_TRACES_SAMPLER"), argument: value("OTEL_TRACES_SAMPLER_ARG"))
        scheduleDelay = .milliseconds(
            try wholeNumber("OTEL_BSP_SCHEDULE_DELAY", value("OTEL_BSP_SCHEDULE_DELAY"), default: 5_000, in: 1...600_000))
        maxQueueSize = try wholeNumber("OTEL_BSP_MAX_QUEUE_SIZE", value("OTEL_BSP_MAX_QUEUE_SIZE"), default: 2_048, in: 1...1_000_000)
        maxExportBatchSize = try wholeNumber(
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), default: 512, in: 1...maxQueueSize)
    }

    /// `key=value` pairs separated by commas, values percent-encoded (W3C Baggage's form, which
    /// `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES` use).
    private static func pairs(_ text: String?, variable: String) throws(TracingConfigurationError) -> [(name: String, value: String)] {
        guard let text else { return [] }
        var pairs: [(name: String, value: String)] = []
        for member in text.split(separator: ",") {
            let parts = member.split(separator: "=", maxSplits: 1)
            let name = parts.first.map { $0.trimmingSpaces } ?? ""
            guard parts.count == 2, !name.isEmpty, let value = parts[1].trimmingSpaces.removingPercentEncoding else {
                throw TracingConfigurationError(
                    variable: variable, value: text, expected: "key=value pairs separated by commas, values percent-encoded")
            }
            pairs.append((name, value))
        }
        return pairs
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
