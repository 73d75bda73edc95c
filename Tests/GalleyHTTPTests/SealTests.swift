import Crypto
import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Logging
import Postgres
import TestSupport
import Testing

@testable import GalleyHTTP

/// Signed audit seals, their public keys and the offline check (docs/audit.md, "Signed seals").
@Suite struct SealTests {
    /// A key file in a fresh folder, removed afterwards.
    static func withKeyFile(_ body: (SealKeyFile) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "galley-seal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = SealKeyFile(path: folder + "/seal-key.json")
        _ = try file.create(now: Date().addingTimeInterval(-60))
        try await body(file)
    }

    /// The export and the seals as an auditor downloads them, checked with the served keys.
    static func offlineCheck(_ api: APIHarness) async throws -> OfflineAuditVerifier.Report {
        let export = try await api.call(.get, "/v1/audit-events/export?format=jsonl", as: "ada")
        #expect(export.status == .ok)
        var seals = ""
        for try await batch in try api.services.audit.sealExport(by: Caller(principal: .operator(osUser: "test"))) {
            seals += try batch.map(SealDTO.jsonLine).joined()
        }
        let keys = try #require(SealKeyRing.parse(try await api.call(.get, "/.well-known/galley-seal-key", as: nil).body))
        return try OfflineAuditVerifier.verify(export: export.body, seals: Data(seals.utf8), keys: keys)
    }

    @Test func theKeySetIsServedWithoutATokenAndHoldsNoPrivateKey() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                let reply = try await api.call(.get, "/.well-known/galley-seal-key", as: nil)
                #expect(reply.status == .ok)
                #expect(reply.headers[.contentType] == "application/jwk-set+json")
                #expect(!reply.text.contains("\"d\""))
                let key = try #require(SealKeyRing.parse(reply.body)?.keys.first)
                #expect(key.kty == "OKP" && key.crv == "Ed25519" && key.alg == "EdDSA" && key.not_after == nil)
                #expect(key.kid == (try file.ring().signingKey?.id))
                // RFC 7638's thumbprint of the public key, as anyone can recompute it.
                let thumbprint = Secrets.base64url(SHA256.hash(data: Data("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"\(key.x)\"}".utf8)))
                #expect(key.kid == thumbprint)
            }
        }
        try await APIHarness.with { api in
            let reply = try await api.call(.get, "/.well-known/galley-seal-key", as: nil)
            #expect(reply.status == .notFound)
            #expect(reply.text.contains("GALLEY_SEAL_KEY"))
        }
    }

    @Test func aSealsSignatureVerifiesWithTheServedKey() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                #expect(try await api.call(.get, "/content/v1/seals/latest", as: nil).status == .notFound)
                _ = try await api.createArticle()
                let sealed = try #require(try await api.services.audit.seal())
                let reply = try await api.call(.get, "/content/v1/seals/latest", as: nil)
                #expect(reply.status == .ok)
                let seal = try WireTestJSON.decode(SealDTO.self, reply.body)
                #expect(seal.id == sealed.seal.id && seal.prev_hash == "" && (seal.chains ?? 0) >= 2)
                #expect(
                    try WireTestJSON.decode(SealDTO.self, try await api.call(.get, "/content/v1/seals/\(seal.id)", as: nil).body).root == seal.root)
                #expect(try await api.call(.get, "/content/v1/seals/\(seal.id + 1)", as: nil).status == .notFound)
                #expect(try await api.call(.get, "/content/v1/seals/one", as: nil).status == .notFound)

                let key = try #require(SealKeyRing.parse(try await api.call(.get, "/.well-known/galley-seal-key", as: nil).body)?.keys.first)
                #expect(seal.key_id == key.kid)
                let signed = SealSignature.signedBytes(
                    id: seal.id, at: seal.at, chains: try #require(seal.chains), root: seal.root, prevHash: seal.prev_hash)
                let signature = try #require(seal.signature)
                #expect(SealSignature.verify(signature, of: signed, with: try #require(key.publicKey)))
                var changed = signed
                changed[changed.count - 70] ^= 1
                #expect(!SealSignature.verify(signature, of: changed, with: try #require(key.publicKey)))
            }
        }
    }

    @Test func theOfflineCheckCatchesOneChangedByteEvenWithItsHashRecomputed() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                let id = try await api.createArticle()
                _ = try await api.transition(id, "submit", as: "wendy")
                try await api.services.audit.seal()
                let untouched = try await Self.offlineCheck(api)
                #expect(untouched.ok, "\(String(describing: untouched.firstBroken))")
                #expect(untouched.signedSeals == 1 && untouched.eventsChecked > 2)

                // A superuser changes one byte of the article's newest event and recomputes its
                // hash and its chain head: only the signed seal still knows the old hash.
                let chain = "article:" + id
                try await api.ownerPool.transaction { conn in
                    try conn.runScript("ALTER TABLE audit_events DISABLE TRIGGER USER")
                    try conn.execute(
                        """
                        UPDATE audit_events SET action = 'article.submiT' WHERE chain = \(chain) AND seq = 2
                        """)
                    try conn.execute(
                        """
                        UPDATE audit_events e SET hash = encode(sha256(convert_to(galley_audit_canonical(e), 'UTF8')), 'hex')
                        WHERE chain = \(chain) AND seq = 2
                        """)
                    try conn.execute(
                        "UPDATE audit_chain_heads h SET hash = e.hash FROM audit_events e WHERE e.chain = h.chain AND h.chain = \(chain) AND e.seq = 2"
                    )
                    try conn.runScript("ALTER TABLE audit_events ENABLE TRIGGER USER")
                }
                let tampered = try await Self.offlineCheck(api)
                #expect(!tampered.ok)
                #expect(tampered.firstBroken?.chain == chain && tampered.firstBroken?.seq == 2)
                #expect(tampered.firstBroken?.problem.contains("a seal vouches for different content") == true)

                // Rewriting the seal to match breaks its signature.
                try await api.ownerPool.transaction { conn in
                    try conn.runScript("ALTER TABLE audit_seals DISABLE TRIGGER USER")
                    let newHash: String = try #require(
                        try conn.query("SELECT hash FROM audit_chain_heads WHERE chain = \(chain)").single?.decode("hash"))
                    try conn.execute(
                        """
                        UPDATE audit_seals SET heads = (
                            SELECT jsonb_agg(CASE WHEN h->>0 = \(chain) THEN jsonb_build_array(h->0, h->1, \(newHash)) ELSE h END ORDER BY h->>0)
                            FROM jsonb_array_elements(heads) h)
                        """)
                    try conn.execute(
                        """
                        UPDATE audit_seals SET hash = encode(sha256(convert_to('galley-seal/1' || chr(10) || prev_hash || chr(10)
                            || (SELECT string_agg((h->>0) || ' ' || (h->>1) || ' ' || (h->>2) || chr(10), '' ORDER BY h->>0)
                                FROM jsonb_array_elements(heads) h), 'UTF8')), 'hex')
                        """)
                    try conn.runScript("ALTER TABLE audit_seals ENABLE TRIGGER USER")
                }
                let resealed = try await Self.offlineCheck(api)
                #expect(resealed.firstBroken?.chain == "seal")
                #expect(resealed.firstBroken?.problem.contains("signature does not match") == true)
            }
        }
    }

    /// The log notice is written when the application is built, once, not at every seal.
    @Test func aServerWithoutAKeySaysOnceThatItsSealsAreUnsigned() async throws {
        func notices(_ environment: [String: String]) async throws -> [Substring] {
            let pipe = Pipe()
            let descriptor = pipe.fileHandleForWriting.fileDescriptor
            let logger = Logger(label: "test") { LogLineHandler(label: $0, descriptor: descriptor) }
            let pool = PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1))
            _ = buildApplication(configuration: try .init(environment: environment), pool: pool, logger: logger)
            try pipe.fileHandleForWriting.close()
            return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
                .filter { $0.contains("unsigned") }
        }
        let unsigned = try await notices([:])
        #expect(unsigned.count == 1 && unsigned.first?.contains("GALLEY_SEAL_KEY is not set") == true, "\(unsigned)")
        #expect(try await notices(["GALLEY_SEAL_KEY": "/nonexistent/seal-key.json"]).isEmpty)
    }

    /// A seal dated before its key began signing cannot be signed, and with a key no seal is
    /// recorded unsigned: it is not recorded, and the next seal, signed, seals what moved.
    @Test func aSealOutsideItsKeysValidityIsNotRecorded() async throws {
        let folder = NSTemporaryDirectory() + "galley-seal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = SealKeyFile(path: folder + "/seal-key.json")
        _ = try file.create(now: Date().addingTimeInterval(3600))
        try await APIHarness.with(sealKey: file) { api in
            _ = try await api.createArticle()
            let refused = await #expect(throws: GalleyError.self) { try await api.services.audit.seal() }
            #expect(refused?.message.contains("outside its signing key") == true, "\(String(describing: refused))")
            #expect(try await api.call(.get, "/content/v1/seals/latest", as: nil).status == .notFound)
            _ = try file.rotate(now: Date().addingTimeInterval(-60))
            let sealed = try #require(try await api.services.audit.seal()).seal
            #expect(sealed.signature != nil)
            let report = try await Self.offlineCheck(api)
            #expect(report.ok && report.sealsChecked == 1, "\(String(describing: report.firstBroken))")
        }
    }

    /// Seals made before signing began (no key then) stay acceptable unsigned.
    @Test func sealsOlderThanTheFirstKeyMayBeUnsigned() async throws {
        let folder = NSTemporaryDirectory() + "galley-seal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = SealKeyFile(path: folder + "/seal-key.json")
        try await APIHarness.with(sealKey: file) { api in
            _ = try await api.createArticle()
            let unkeyed = GalleyServices(environment: GalleyEnvironment(pool: api.pool))
            #expect(try #require(try await unkeyed.audit.seal()).seal.signature == nil)
            _ = try file.create(now: Date())
            _ = try await api.createArticle()
            #expect(try #require(try await api.services.audit.seal()).seal.signature != nil)
            let report = try await Self.offlineCheck(api)
            #expect(report.ok && report.sealsChecked == 2 && report.signedSeals == 1, "\(String(describing: report.firstBroken))")
        }
    }

    /// A superuser rewrites an event a signed seal vouches for, recomputes that seal and every
    /// later one, and deletes their signatures, keeping the earlier seals signed; then dates
    /// the stripped seals before the key existed. Both verifiers refuse both.
    @Test func sealsStrippedOfTheirSignaturesAreRefused() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                let id = try await api.createArticle()
                try await api.services.audit.seal()
                _ = try await api.transition(id, "submit", as: "wendy")
                let rewritten = try #require(try await api.services.audit.seal()).seal.id
                _ = try await api.createArticle()
                try await api.services.audit.seal()
                #expect(try await Self.offlineCheck(api).ok)

                let chain = "article:" + id
                try await api.ownerPool.transaction { conn in
                    try conn.runScript(
                        "ALTER TABLE audit_events DISABLE TRIGGER USER; ALTER TABLE audit_seals DISABLE TRIGGER USER; "
                            + "ALTER TABLE audit_seal_signatures DISABLE TRIGGER USER")
                    try conn.execute("UPDATE audit_events SET action = 'article.submiT' WHERE chain = \(chain) AND seq = 2")
                    try conn.execute(
                        """
                        UPDATE audit_events e SET hash = encode(sha256(convert_to(galley_audit_canonical(e), 'UTF8')), 'hex')
                        WHERE chain = \(chain) AND seq = 2
                        """)
                    let newHash: String = try #require(
                        try conn.query("SELECT hash FROM audit_events WHERE chain = \(chain) AND seq = 2").single?.decode("hash"))
                    try conn.execute("UPDATE audit_chain_heads SET hash = \(newHash) WHERE chain = \(chain)")
                    try conn.execute(
                        """
                        UPDATE audit_seals SET heads = (
                            SELECT jsonb_agg(CASE WHEN h->>0 = \(chain) THEN jsonb_build_array(h->0, h->1, \(newHash)) ELSE h END ORDER BY h->>0)
                            FROM jsonb_array_elements(heads) h)
                        WHERE id = \(rewritten)
                        """)
                    let later: [Int] = try conn.query("SELECT id FROM audit_seals WHERE id >= \(rewritten) ORDER BY id").map { try $0.decode("id") }
                    for seal in later {
                        try conn.execute(
                            """
                            UPDATE audit_seals s SET prev_hash = (SELECT p.hash FROM audit_seals p WHERE p.id < s.id ORDER BY p.id DESC LIMIT 1)
                            WHERE id = \(seal)
                            """)
                        try conn.execute(
                            """
                            UPDATE audit_seals SET hash = encode(sha256(convert_to('galley-seal/1' || chr(10) || prev_hash || chr(10)
                                || (SELECT string_agg((h->>0) || ' ' || (h->>1) || ' ' || (h->>2) || chr(10), '' ORDER BY h->>0)
                                    FROM jsonb_array_elements(heads) h), 'UTF8')), 'hex')
                            WHERE id = \(seal)
                            """)
                    }
                    try conn.execute("DELETE FROM audit_seal_signatures WHERE seal_id >= \(rewritten)")
                }
                try await Self.expectStripped(api, seal: rewritten)

                // Dated before the key existed, they are still after a signed seal.
                try await api.ownerPool.transaction { conn in
                    try conn.execute("UPDATE audit_seals SET sealed_at = '2000-01-01T00:00:00Z' WHERE id >= \(rewritten)")
                }
                try await Self.expectStripped(api, seal: rewritten)
            }
        }
    }

    static func expectStripped(_ api: APIHarness, seal: Int) async throws {
        let report = try await offlineCheck(api)
        #expect(!report.ok && report.firstBroken?.chain == "seal" && report.firstBroken?.seq == seal)
        #expect(report.firstBroken?.problem.contains("unsigned") == true, "\(String(describing: report.firstBroken))")
        let folder = NSTemporaryDirectory() + "galley-seal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await downloads(api).write(to: folder)
        let python = try await GalleyBinary.start(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", pythonVerifier, folder + "/export.jsonl", folder + "/seals.jsonl", folder + "/keys.json"]
        ).finish()
        #expect(python.status == 1 && python.stderr.contains("seal \(seal) is unsigned"), "\(python.stderr)")
    }

    static let pythonVerifier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/verify-audit.py").path

    /// What an auditor downloads: the export, the seals and the served public keys.
    struct Downloads {
        let export: Data
        let seals: Data
        let keys: Data

        func write(to folder: String) throws {
            try export.write(to: URL(fileURLWithPath: folder + "/export.jsonl"))
            try seals.write(to: URL(fileURLWithPath: folder + "/seals.jsonl"))
            try keys.write(to: URL(fileURLWithPath: folder + "/keys.json"))
        }
    }

    static func downloads(_ api: APIHarness) async throws -> Downloads {
        let export = try await api.call(.get, "/v1/audit-events/export?format=jsonl", as: "ada")
        #expect(export.status == .ok)
        var seals = ""
        for try await batch in try api.services.audit.sealExport(by: Caller(principal: .operator(osUser: "test"))) {
            seals += try batch.map(SealDTO.jsonLine).joined()
        }
        return Downloads(export: export.body, seals: Data(seals.utf8), keys: try await api.call(.get, "/.well-known/galley-seal-key", as: nil).body)
    }

    /// The public keys are served from memory: a request never reads the file.
    @Test func theKeySetIsServedFromMemory() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                let kid = try file.ring().signingKey?.id
                try FileManager.default.removeItem(atPath: file.path)
                let reply = try await api.call(.get, "/.well-known/galley-seal-key", as: nil)
                #expect(reply.status == .ok && SealKeyRing.parse(reply.body)?.keys.first?.kid == kid)
            }
        }
    }

    /// Crafted files are refused in words, never a crash: numbers out of an Int's range,
    /// positions at its end, a nested document, an oversized key file.
    @Test func craftedFilesAreRefusedWithoutACrash() throws {
        let keys = SealKeyRing.new(now: Date()).publicSet
        let seal = #"{"at":"2026-12-01T09:00:00.000000Z","heads":[["system",1e300,"x"]],"id":1,"prev_hash":"","root":"x"}"#
        let huge = try OfflineAuditVerifier.verify(export: Data(), seals: Data((seal + "\n").utf8), keys: keys)
        #expect(!huge.ok && huge.firstBroken?.problem.contains("seal 1 was altered") == true)

        func event(seq: String, details: String = "{}") -> String {
            #"{"action":"a","actor":"b","at":"2026-12-01T09:00:00.000000Z","chain":"system","details":"#
                + details + #","details_text":"{}","hash":"h","id":1,"prev_hash":"","seq":"# + seq + "}\n"
        }
        // One signed seal of no heads, so that the events are walked.
        let signer = SealKeyRing.new(now: Date(timeIntervalSince1970: 0))
        let root = SHA256.hash(data: Data("galley-seal/1\n\n".utf8)).map { String(format: "%02x", $0) }.joined()
        let at = "2026-12-01T09:00:00.000000Z"
        let signature = try SealSignature.sign(
            SealSignature.signedBytes(id: 1, at: at, chains: 0, root: root, prevHash: ""), with: try #require(signer.signingKey).key)
        let signedSeal =
            #"{"at":"\#(at)","chains":0,"heads":[],"id":1,"key_id":"\#(signer.keys[0].kid)","prev_hash":"","root":"\#(root)","signature":"\#(signature)"}"#
        let ends = event(seq: String(Int.max)) + event(seq: String(Int.max))
        let atTheEnd = try OfflineAuditVerifier.verify(export: Data(ends.utf8), seals: Data((signedSeal + "\n").utf8), keys: signer.publicSet)
        #expect(!atTheEnd.ok && atTheEnd.firstBroken?.problem.contains("expected event 1") == true)
        #expect(throws: GalleyError.self) { try OfflineAuditVerifier.verify(export: Data(event(seq: "1e300").utf8), seals: Data(), keys: keys) }
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: GalleyError.self) {
            try OfflineAuditVerifier.verify(export: Data(event(seq: "1", details: nested).utf8), seals: Data(), keys: keys)
        }

        let folder = NSTemporaryDirectory() + "galley-seal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/seal-key.json"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 32, count: 2 << 20), attributes: [.posixPermissions: 0o600])
        let oversized = #expect(throws: GalleyError.self) { try SealKeyFile(path: path).ring() }
        #expect(oversized?.message.contains("is not a seal key file") == true)
    }

    @Test func aSealSignedBeforeARotationStaysVerifiable() async throws {
        try await Self.withKeyFile { file in
            try await APIHarness.with(sealKey: file) { api in
                _ = try await api.createArticle()
                let first = try #require(try await api.services.audit.seal()).seal
                let rotated = try file.rotate(now: Date())
                _ = try await api.createArticle()
                let second = try #require(try await api.services.audit.seal()).seal
                #expect(second.keyID == rotated.keys[0].kid && first.keyID == rotated.keys[1].kid && first.keyID != second.keyID)

                let served = try #require(SealKeyRing.parse(try await api.call(.get, "/.well-known/galley-seal-key", as: nil).body))
                #expect(served.keys.map(\.kid) == rotated.keys.map(\.kid))
                #expect(served.keys[1].not_after != nil && served.keys[0].not_after == nil)
                #expect(served.keys.allSatisfy { $0.d == nil })
                let report = try await Self.offlineCheck(api)
                #expect(report.ok, "\(String(describing: report.firstBroken))")
                #expect(report.signedSeals == 2)

                // Without the old key, the old seal cannot be checked.
                let newOnly = SealKeyRing(keys: [served.keys[0]])
                let export = try await api.call(.get, "/v1/audit-events/export?format=jsonl", as: "ada").body
                var seals = ""
                for try await batch in try api.services.audit.sealExport(by: Caller(principal: .operator(osUser: "test"))) {
                    seals += try batch.map(SealDTO.jsonLine).joined()
                }
                let withoutOld = try OfflineAuditVerifier.verify(export: export, seals: Data(seals.utf8), keys: newOnly)
                #expect(withoutOld.firstBroken?.problem.contains("does not list") == true)
            }
        }
    }
}
