import Foundation
import GalleyCore
import Postgres
import Testing

@testable import Galley

/// A text search's pages are the same whichever way they are found: among the newest
/// articles of the list (its window), from the index of words for the older ones, or both on
/// one page; through cursors and with the list's other filters.
@Suite struct SearchListTests {
    /// Nine articles, oldest first: `harbour` in all but two, `ferry` in three, `lighthouse`
    /// only in the oldest; every other one in `local`.
    static let bodies = [
        "The lighthouse keeper retired after forty years at the harbour.",
        "The harbour dredging starts in spring.",
        "A storm closed the harbour for a day.",
        "Night buses will run on weekends.",
        "The ferry timetable changes in May, and the harbour fees rise.",
        "A second ferry joins the harbour route.",
        "The harbour market opens on Sundays.",
        "Parking fees rise in the centre.",
        "The ferry company was sold, and the harbour office moved.",
    ]

    @Test func pagesAreTheSameWhicheverWayTheyAreFound() async throws {
        try await Newsroom.with { room in
            var slugs: [String] = []
            for (n, body) in Self.bodies.enumerated() {
                let created = try await room.services.articles.create(
                    .init(content: try Newsroom.content("Story \(n)", body: body), section: n % 2 == 0 ? "local" : "world", tags: []),
                    by: room.writer)
                slugs.append(created.article.slug)
            }
            let newestFirst = Array(slugs.reversed())
            func expected(_ word: String, section: String? = nil) -> [String] {
                newestFirst.filter { slug in
                    let n = slugs.firstIndex(of: slug)!
                    return Self.bodies[n].contains(word) && (section == nil || section == (n % 2 == 0 ? "local" : "world"))
                }
            }

            /// Every page of `word`'s list, `size` a page, following cursors.
            func pages(_ word: String, section: String?, window: Int, size: Int) async throws -> [[String]] {
                var filter = ArticleStore.ListFilter(section: section, query: word)
                filter.searchWindow = window
                var cursor: (Date, UUID)?
                var pages: [[String]] = []
                while pages.count <= Self.bodies.count {
                    let read = ArticleStore.list(filter, after: cursor, limit: size + 1)
                    let articles = try await room.pool.withConnection { conn in try conn.read(read) }
                    let page = Array(articles.prefix(size))
                    pages.append(page.map(\.slug))
                    guard articles.count > size, let last = page.last else { break }
                    cursor = (last.updatedAt, last.id)
                }
                return pages
            }

            for (word, section) in [
                ("harbour", nil), ("ferry", nil), ("lighthouse", nil), ("zeppelin", nil), ("harbour", "local"), ("ferry", "world"),
            ] {
                let all = expected(word, section: section)
                for window in [1, 2, 3, 5, 100] {
                    for size in [1, 2, 4] {
                        let found = try await pages(word, section: section, window: window, size: size)
                        let context = "\(word) in \(section ?? "any section"), window \(window), \(size) a page"
                        #expect(found.flatMap { $0 } == all, "\(context)")
                        #expect(found.dropLast().allSatisfy { $0.count == size }, "\(context): \(found)")
                        #expect(found.count == max(1, (all.count + size - 1) / size), "\(context): \(found)")
                    }
                }
            }
        }
    }
}
