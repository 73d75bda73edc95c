import Foundation
import Galley
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import GalleyHTTP

/// What the contract test (schemathesis) found and the server now does.
@Suite struct ContractFixTests {
    @Test func otherMethodsOnAKnownPathAre405WithAllow() async throws {
        let pool = OpenAPITests.idlePool()
        let app = buildApplication(
            configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger(), backgroundWork: false)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/articles/3f1c2b7e-0000-4000-8000-000000000000/claims", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, POST")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/healthz", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/v1/no-such-thing", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        await pool.close()
    }

    @Test func escapedNULIsFoundAndEscapedBackslashesAreNot() {
        func check(_ json: String) -> Bool { JSONText.containsEscapedNUL(Data(json.utf8)) }
        #expect(check(#"{"a":"x\u0000y"}"#))
        #expect(check(#"{"a":"\\\u0000"}"#))
        #expect(!check(#"{"a":"\\u0000"}"#))
        #expect(check(#"{"a":"\u00001"}"#))
        #expect(!check(#"{"a":"\u0001","b":"\""}"#))
        #expect(!check(#"{"a":"x\"#))
    }
}
