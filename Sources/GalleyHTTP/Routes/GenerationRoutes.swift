import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// `/v1/generations` and `/v1/publish-batches`: the AI system's and the scripts' side.
struct GenerationRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("generations", use: create)
        group.get("generations", use: list)
        group.get("generations/:id", use: show)
        group.patch("generations/:id", use: update)
        group.post("generations/:id/retry", use: retry)
        group.post("publish-batches", use: publishBatch)
        group.get("publish-batches/:id", use: showBatch)
    }

    @Sendable func create(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(NewGenerationInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let generation = try await services.generations.register(
                .init(
                    articleID: input.article_id,
                    brief: input.brief.map { Generation.Brief(section: $0.section, tags: $0.tags ?? [], title: $0.title) },
                    model: input.model, modelVersion: input.model_version, promptVersion: input.prompt_version,
                    parameters: input.parameters ?? [:], sources: (input.sources ?? []).map(\.source),
                    maxAttempts: input.max_attempts ?? GenerationLifecycle.defaultMaxAttempts),
                by: caller)
            return try Reply(.created, GenerationDTO(generation))
        }
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let page = try await services.generations.list(
            status: try request.query("status", as: GenerationStatus.self), model: request.query("model"),
            limit: try request.limit(), cursor: request.query("cursor"), by: try context.requireCaller())
        return try Reply(.ok, ListDTO(items: page.items.map(GenerationDTO.init), next_cursor: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context, kind: "generation")
        return try Reply(.ok, GenerationDTO(try await services.generations.get(id, by: try context.requireCaller())))
    }

    @Sendable func update(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "generation")
        let (input, _) = try await request.decodeJSON(GenerationPatch.self, context: context)
        guard let status = GenerationStatus(rawValue: input.status) else {
            throw Problem.invalid("status", "must be running, succeeded, failed or cancelled")
        }
        let output = try input.output.map { GenerationService.Output(content: try $0.content()) }
        let generation = try await services.generations.update(
            id,
            .init(
                status: status, output: output, error: input.error, inputTokens: input.usage?.input_tokens, outputTokens: input.usage?.output_tokens),
            by: caller)
        return try Reply(.ok, GenerationDTO(generation))
    }

    @Sendable func retry(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "generation")
        return try await idempotent(request, context: context, body: Data(), services: services) {
            try Reply(.ok, GenerationDTO(try await services.generations.retry(id, by: caller)))
        }
    }

    @Sendable func publishBatch(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(PublishBatchInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let atomic = input.atomic ?? false
            let result = try await services.publishing.publish(input.article_ids, atomic: atomic, correctionNote: input.correction_note, by: caller)
            let dto = PublishBatchDTO(
                id: result.id.wire, atomic: atomic,
                results: result.results.map { .init(article_id: $0.articleID.wire, status: $0.status.rawValue, error: $0.error?.message) })
            if atomic && result.failed > 0 {
                let failures = result.results.compactMap { item in
                    item.error.map { GalleyError.FieldProblem(field: item.articleID.uuidString.lowercased(), message: $0.message) }
                }
                throw Problem(
                    status: .conflict, type: "batch-refused", title: "Batch not published",
                    detail: "\(failures.count) of \(result.results.count) articles cannot be published, so none was (atomic batch).",
                    errors: failures)
            }
            return try Reply(.ok, dto)
        }
    }

    @Sendable func showBatch(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let batch = try await services.publishing.batch(
            try request.id("id", context: context, kind: "publish batch"), by: try context.requireCaller())
        let json: JSONValue = ["id": .string(batch.id.uuidString.lowercased()), "atomic": .bool(batch.atomic), "results": batch.results]
        return try Reply(.ok, json)
    }
}
