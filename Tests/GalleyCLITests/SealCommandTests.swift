import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// `galley keys …`, `galley audit seals --export` and the offline `galley audit verify`, and the
/// Python verifier of docs/audit.md run on the same files (scripts/verify-audit.py).
@Suite struct SealCommandTests {
    static let pythonVerifier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/verify-audit.py").path

    @Test func theKeyFileIsCreatedOwnerOnlyAndNeverOverwritten() async throws {
        try await CLIRoom.with(actors: false) { room in
            let path = room.folder + "/seal-key.json"
            let created = try await room.run(["keys", "init"], environment: ["GALLEY_SEAL_KEY": path])
            #expect(created.status == 0, "\(created.stderr)")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let original = try #require(FileManager.default.contents(atPath: path))
            #expect(String(decoding: original, as: UTF8.self).contains("\"d\""))

            let again = try await room.run(["keys", "init", "--file", path])
            #expect(again.status == 5)
            #expect(again.stderr.contains("already exists") && again.stderr.contains("keys rotate"))
            #expect(FileManager.default.contents(atPath: path) == original)

            let shown = try await room.run(["keys", "show"], environment: ["GALLEY_SEAL_KEY": path])
            #expect(shown.status == 0)
            #expect(!shown.stdout.contains("\"d\""))
            let first = try #require(SealKeyRing.parse(Data(shown.stdout.utf8))?.keys.first)
            #expect(created.stdout.contains(first.kid))

            let rotated = try await room.run(["keys", "rotate", "--file", path])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let contents = try #require(FileManager.default.contents(atPath: path))
            let ring = try #require(SealKeyRing.parse(contents))
            #expect(ring.keys.count == 2 && ring.keys[1].kid == first.kid && ring.keys[1].d == nil && ring.keys[1].not_after != nil)

            let unnamed = try await room.run(["keys", "show"])
            #expect(unnamed.status == 2 && unnamed.stderr.contains("GALLEY_SEAL_KEY"))
        }
    }

    @Test func aKeyFileOthersMayReadIsRefusedAndRotationKeepsOwnerAndMode() async throws {
        try await CLIRoom.with(actors: false) { room in
            let path = room.folder + "/seal-key.json"
            let signing = ["GALLEY_SEAL_KEY": path]
            #expect(try await room.run(["keys", "init"], environment: signing).status == 0)
            chmod(path, 0o644)
            for command in [["keys", "show"], ["keys", "rotate"], ["audit", "seal"], ["serve", "--port", "1"]] {
                let refused = try await room.run(command, environment: signing)
                #expect(refused.status == 2, "\(command): \(refused.stderr)")
                #expect(
                    refused.stderr.contains("\(path) has mode 0644") && refused.stderr.contains("`chmod 600 \(path)`"),
                    "\(command): \(refused.stderr)")
            }
            #expect(try await room.pool.query("SELECT 1 FROM audit_seals").isEmpty)

            // Stricter than 0600 is fine; the rotated file keeps the mode and the owner.
            chmod(path, 0o400)
            chown(path, 4321, 4321)
            let rotated = try await room.run(["keys", "rotate"], environment: signing)
            #expect(rotated.status == 0, "\(rotated.stderr)")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o400)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 4321 && (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == 4321)
            #expect(SealKeyRing.parse(try #require(FileManager.default.contents(atPath: path)))?.keys.count == 2)
        }
    }

    @Test func anExportIsVerifiedOfflineAndRefusedWhenTruncatedOrTampered() async throws {
        try await CLIRoom.with { room in
            let key = room.folder + "/seal-key.json"
            let signing = ["GALLEY_SEAL_KEY": key]
            #expect(try await room.run(["keys", "init"], environment: signing).status == 0)
            let id = try await room.inReview()
            #expect(try await room.run(["audit", "seal"], environment: signing).status == 0)
            _ = try await room.draft("Another story")
            #expect(try await room.run(["audit", "seal"], environment: signing).status == 0)

            let export = room.folder + "/export.jsonl"
            let seals = room.folder + "/seals.jsonl"
            let publicKey = room.folder + "/key.json"
            #expect(try await room.run(["audit", "export", "--format", "jsonl", "--out", export]).status == 0)
            #expect(try await room.run(["audit", "seals", "--export", "--out", seals]).status == 0)
            let shown = try await room.run(["keys", "show"], environment: signing)
            try Data(shown.stdout.utf8).write(to: URL(fileURLWithPath: publicKey))
            let first = try #require(SealKeyRing.parse(Data(shown.stdout.utf8))?.keys.first)
            let listed = try await room.run(["audit", "seals"])
            #expect(listed.status == 0)
            #expect(listed.stdout.split(separator: "\n").filter { $0.contains(first.kid) }.count == 2, "\(listed.stdout)")
            let offline = ["audit", "verify", "--export", export, "--seals", seals, "--public-key", publicKey]

            // No database at all: a connection string that leads nowhere.
            let nowhere = ["DATABASE_URL": "host=/nonexistent dbname=none"]
            let intact = try await GalleyBinary.run(offline, environment: nowhere)
            #expect(intact.status == 0, "\(intact.stderr)")
            #expect(intact.stdout.contains("The export is intact") && intact.stdout.contains("2 seals (2 signed)"))
            #expect(try await python(export, seals, publicKey).status == 0)

            // Cut short: the newest events, which the last seal vouches for, are missing.
            let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
            let truncated = room.folder + "/truncated.jsonl"
            try (lines.dropLast(1).joined(separator: "\n") + "\n").write(toFile: truncated, atomically: true, encoding: .utf8)
            let cut = try await GalleyBinary.run(["audit", "verify", "--export", truncated, "--seals", seals, "--public-key", publicKey])
            #expect(cut.status == 1)
            #expect(cut.stderr.contains("truncated"), "\(cut.stderr)")
            let cutByPython = try await python(truncated, seals, publicKey)
            #expect(cutByPython.status == 1 && cutByPython.stderr.contains("lacks"), "\(cutByPython.stderr)")

            // One changed byte in an event's reason.
            let chain = "article:" + id.uuidString.lowercased()
            let tamperedLines = lines.map { line in
                line.contains("\"chain\":\"\(chain)\"") && line.contains("\"seq\":1,")
                    ? line.replacingOccurrences(of: "\"action\":\"article.created\"", with: "\"action\":\"article.createD\"") : String(line)
            }
            #expect(tamperedLines != lines.map(String.init))
            let tampered = room.folder + "/tampered.jsonl"
            try (tamperedLines.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
            let altered = try await GalleyBinary.run(["audit", "verify", "--export", tampered, "--seals", seals, "--public-key", publicKey, "--json"])
            #expect(altered.status == 1)
            #expect(altered.stderr.contains("(chain \(chain), position 1)") && altered.stderr.contains("altered"), "\(altered.stderr)")
            #expect(try await python(tampered, seals, publicKey).status == 1)

            let missing = try await GalleyBinary.run(["audit", "verify", "--export", export])
            #expect(missing.status == 2 && missing.stderr.contains("--seals"))
        }
    }

    @Test func docsAuditShowsThePythonVerifierThatIsTested() throws {
        let script = try String(contentsOfFile: Self.pythonVerifier, encoding: .utf8)
        let docs = try String(
            contentsOfFile: Self.pythonVerifier.replacingOccurrences(of: "scripts/verify-audit.py", with: "docs/audit.md"), encoding: .utf8)
        #expect(docs.contains("```python\n" + script + "```\n"))
    }

    private func python(_ arguments: String...) async throws -> GalleyBinary.Outcome {
        try await GalleyBinary.start(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.pythonVerifier] + arguments).finish()
    }
}
