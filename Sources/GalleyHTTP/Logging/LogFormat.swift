import Galley

/// How log lines are written (`GALLEY_LOG_FORMAT`): `text`, the key=value line people read
/// on a terminal, or `json`, one object a line for log pipelines. Unset, it is `text` when
/// standard error is a terminal and `json` otherwise (a service manager, a container).
public enum LogFormat: String, Sendable {
    case text
    case json

    public init(environment: [String: String], standardErrorIsTerminal: Bool) throws {
        guard let value = environment["GALLEY_LOG_FORMAT"], !value.isEmpty else {
            self = standardErrorIsTerminal ? .text : .json
            return
        }
        guard let format = LogFormat(rawValue: value.lowercased()) else {
            throw ConfigurationError(variable: "GALLEY_LOG_FORMAT", value: value, expected: "json or text")
        }
        self = format
    }
}
