import Foundation
import GalleyCore

/// The demo newsroom: its people and services, and a few stories written for the demo.
/// Every place, person and figure in these stories is invented.
enum DemoContent {
    struct Person {
        let name: String
        let displayName: String
        let kind: ActorKind
        let roles: [Role]
    }

    static let people: [Person] = [
        Person(name: "ada", displayName: "Ada Okafor (admin)", kind: .person, roles: [.admin]),
        Person(name: "eli", displayName: "Eli Brandt (editor)", kind: .person, roles: [.editor]),
        Person(name: "fay", displayName: "Fay Moreau (fact checker)", kind: .person, roles: [.factChecker]),
        Person(name: "lee", displayName: "Lee Santos (legal)", kind: .person, roles: [.legal]),
        Person(name: "wren", displayName: "Wren Halloway (writer)", kind: .person, roles: [.writer]),
        Person(name: "drafter", displayName: "Drafting model (AI agent)", kind: .service, roles: [.aiAgent]),
        Person(name: "press", displayName: "Publishing script", kind: .service, roles: [.publisher]),
    ]

    static let adminName = "ada"

    struct Story {
        let section: String
        let tags: [String]
        let title: String
        let dek: String
        let body: String
        let insight: String?
        let disclosure: String?
        let source: (url: String, outlet: String, title: String)

        func content() throws -> ArticleContent {
            try ArticleContent(
                title: title, dek: dek, body: body, insight: insight, disclosure: disclosure,
                sources: [Source(url: source.url, outlet: source.outlet, title: source.title)])
        }
    }

    static let draft = Story(
        section: "local", tags: ["transport", "cycling"],
        title: "Riverside council sketches a bike lane along the old tram line",
        dek: "A first draft of the route is due before the winter session",
        body: """
            Riverside's transport committee asked its planners on Monday to draw up a protected bike lane \
            along the disused tram line between the market hall and the ferry pier.

            The plan is at an early stage: no budget has been set and the committee will hear residents \
            in a public session before any vote.
            """,
        insight: nil, disclosure: nil,
        source: ("https://example.org/riverside/committee-minutes", "Riverside Council", "Transport committee minutes"))

    static let inReview = Story(
        section: "culture", tags: ["libraries"],
        title: "Northgate library opens on Sundays from next month",
        dek: "Volunteers and a small grant keep the reading rooms open seven days a week",
        body: """
            The Northgate public library will open from 10:00 to 16:00 on Sundays starting next month, \
            the library board said in a statement.

            A grant from the regional arts fund pays for one librarian; a rota of twelve volunteers covers \
            the rest of the day.
            """,
        insight: nil, disclosure: nil,
        source: ("https://example.org/northgate/library-board", "Northgate Library Board", "Sunday opening statement"))

    static let approved = Story(
        section: "weather", tags: ["heat", "health"],
        title: "Heat advisory issued for the valley through Thursday",
        dek: "Temperatures are expected to stay above 34 °C in the afternoons",
        body: """
            The regional weather office issued a heat advisory for the valley on Tuesday, lasting through \
            Thursday evening.

            Officials advise people to avoid strenuous activity at midday and to check on elderly neighbours. \
            Cooling rooms open at the town hall and the sports centre.
            """,
        insight: nil, disclosure: nil,
        source: ("https://example.org/weather/advisories", "Regional Weather Office", "Heat advisory for the valley"))

    static let published = Story(
        section: "business", tags: ["ferries", "jobs"],
        title: "Harbour ferry operator hires forty crew for the summer timetable",
        dek: "The extra sailings start in June and run until the end of September",
        body: """
            The harbour ferry operator said on Wednesday it would hire forty seasonal crew members to run \
            additional sailings on the island route this summer.

            The summer timetable adds an early crossing at 06:30 and a late one at 22:15 on weekdays.
            """,
        insight: nil, disclosure: nil,
        source: ("https://example.org/harbour/press/summer-timetable", "Harbour Ferries", "Summer timetable announced"))

    static let aiDraft = Story(
        section: "politics", tags: ["parliament", "water"],
        title: "AI Analysis: what the water-rights reform changes for farmers",
        dek: "The reform caps seasonal withdrawals and creates a public register of permits",
        body: """
            The regional parliament passed the water-rights reform on Thursday by 61 votes to 40.

            The law caps seasonal withdrawals from the river at 80 percent of the ten-year average and \
            requires every irrigation permit to be listed in a public register within two years.

            Farm associations say the cap will hit late-season crops hardest; environmental groups call \
            the register the most important change.
            """,
        insight: "Public registers of permits have, elsewhere, preceded stricter enforcement rather than followed it.",
        disclosure: "This text was drafted by an AI system from the sources listed and may contain errors.",
        source: ("https://example.org/parliament/water-reform-vote", "Regional Parliament Press Office", "Water-rights reform adopted"))

    static let aiClaims: [(text: String, verified: Bool)] = [
        ("The reform passed by 61 votes to 40.", true),
        ("Seasonal withdrawals are capped at 80 percent of the ten-year average.", false),
    ]

    static let model = (name: "demo-drafter", version: "2026-01", prompt: "analysis-v1")
}
