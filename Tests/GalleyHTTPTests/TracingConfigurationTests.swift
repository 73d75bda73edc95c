import GalleyTracing
import Testing

/// The `OTEL_*` variables an operator sets, and the `traceparent` a caller sends: what is
/// taken, and what is refused with the variable named.
@Suite struct TracingConfigurationTests {
    @Test func theStandardVariablesConfigureTheExport() throws {
        #expect(try TracingConfiguration(environment: [:]) == nil)
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"]) == nil)
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"]) == nil)

        let base = try #require(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"]))
        #expect(base.endpoint == "http://collector:4318/v1/traces")
        #expect(base.sampler == .parentBased(root: .alwaysOn))
        #expect(base.resource.first { $0.key == "service.name" }?.value == "galley")
        #expect(base.maxQueueSize == 2048 && base.maxExportBatchSize == 512 && base.scheduleDelay == .seconds(5))

        let full = try #require(
            try TracingConfiguration(environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://ignored:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector.example/otlp/traces",
                "OTEL_EXPORTER_OTLP_HEADERS": "api-key=s%3Dcret, tenant = newsroom",
                "OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored,deployment.environment=staging",
                "OTEL_SERVICE_NAME": "galley-eu",
                "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1",
            ]))
        #expect(full.endpoint == "https://collector.example/otlp/traces")
        #expect(full.headers.map { "\($0.name)=\($0.value)" } == ["api-key=s=cret", "tenant=newsroom"])
        #expect(full.resource.first { $0.key == "service.name" }?.value == "galley-eu")
        #expect(full.resource.contains { $0.key == "deployment.environment" && $0.value == "staging" })
        #expect(full.sampler == .parentBased(root: .traceIDRatio(0.1)))
    }

    @Test func aValueThatCannotBeUsedIsRefusedNamingItsVariable() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        let refusals: [(set: [String: String], variable: String)] = [
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"], "OTEL_EXPORTER_OTLP_ENDPOINT"),
            (endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]) { $1 }, "OTEL_EXPORTER_OTLP_PROTOCOL"),
            (endpoint.merging(["OTEL_TRACES_SAMPLER": "jaeger_remote"]) { $1 }, "OTEL_TRACES_SAMPLER"),
            (endpoint.merging(["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "10%"]) { $1 }, "OTEL_TRACES_SAMPLER_ARG"),
            (endpoint.merging(["OTEL_EXPORTER_OTLP_HEADERS": "no-value"]) { $1 }, "OTEL_EXPORTER_OTLP_HEADERS"),
            (endpoint.merging(["OTEL_BSP_MAX_QUEUE_SIZE": "0"]) { $1 }, "OTEL_BSP_MAX_QUEUE_SIZE"),
            (endpoint.merging(["OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "4096"]) { $1 }, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
            (endpoint.merging(["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "soon"]) { $1 }, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"),
        ]
        for refusal in refusals {
            let error = #expect(throws: TracingConfigurationError.self) { try TracingConfiguration(environment: refusal.set) }
            #expect(error?.variable == refusal.variable, "\(refusal.set)")
            #expect(error?.expected.isEmpty == false)
        }
    }

    @Test func aTraceparentIsReadAsW3CTraceContextSaysAndWrittenBack() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let identity = try #require(SpanIdentity(traceparent: header))
        #expect(identity.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(identity.spanID.hex == "00f067aa0ba902b7")
        #expect(identity.isSampled)
        #expect(identity.traceparent == header)
        #expect(SpanIdentity(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.isSampled == false)
        // A later version is read by its first four fields.
        #expect(SpanIdentity(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later")?.isSampled == true)
        for refused in [
            "", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        ] {
            #expect(SpanIdentity(traceparent: refused) == nil, "\(refused)")
        }
    }
}
