/// Which traces are recorded: OpenTelemetry's built-in samplers, named as
/// `OTEL_TRACES_SAMPLER` names them.
public indirect enum TraceSampler: Sendable, Equatable {
    case alwaysOn
    case alwaysOff
    /// A fixed share of traces, decided from the trace id so that every service agrees.
    case traceIDRatio(Double)
    /// The caller's decision when there is a caller, else `root`'s.
    case parentBased(root: TraceSampler)

    func samples(_ traceID: TraceID, parent: SpanIdentity?) -> Bool {
        switch self {
        case .alwaysOn: true
        case .alwaysOff: false
        case .traceIDRatio(let ratio):
            // The low 63 bits against the ratio's share of them, as OpenTelemetry's SDKs compare.
            ratio >= 1 || Double(traceID.low >> 1) < ratio * 0x1p63
        case .parentBased(let root):
            parent.map(\.isSampled) ?? root.samples(traceID, parent: nil)
        }
    }

    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`; the default is `parentbased_always_on`.
    init(name: String?, argument: String?) throws(TracingConfigurationError) {
        func ratio() throws(TracingConfigurationError) -> Double {
            guard let argument, !argument.isEmpty else { return 1 }
            guard let ratio = Double(argument), (0...1).contains(ratio) else {
                throw TracingConfigurationError(variable: "OTEL_TRACES_SAMPLER_ARG", value: argument, expected: "a ratio from 0 to 1, such as 0.1")
            }
            return ratio
        }
        switch (name ?? "").lowercased() {
        case "", "parentbased_always_on": self = .parentBased(root: .alwaysOn)
        case "parentbased_always_off": self = .parentBased(root: .alwaysOff)
        case "parentbased_traceidratio": self = .parentBased(root: .traceIDRatio(try ratio()))
        case "always_on": self = .alwaysOn
        case "always_off": self = .alwaysOff
        case "traceidratio": self = .traceIDRatio(try ratio())
        default:
            throw TracingConfigurationError(
                variable: "OTEL_TRACES_SAMPLER", value: name ?? "",
                expected:
                    "one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio")
        }
    }
}

/// An `OTEL_*` variable that cannot be used, what it holds and what would do.
public struct TracingConfigurationError: Error, Sendable {
    public let variable: String
    public let value: String
    public let expected: String
}
