/// Many values of one type as a single `text[]` parameter, each in the text form it would
/// have as a parameter of its own (nil elements as NULL), for statements that write a whole
/// set of rows at once:
///
///     INSERT INTO tags (article_id, tag)
///     SELECT * FROM unnest(\(TextArray(ids))::uuid[], \(TextArray(names))::text[])
///
/// Casting the array to the column's type reads each element with that type's input
/// function, just as the server reads a parameter of that type.
public struct TextArray: PostgresEncodable {
    public static var postgresType: PostgresType { .textArray }
    public let postgresText: String?

    public init<Value: PostgresEncodable>(_ values: [Value]) {
        postgresText = TextArrayFormat.format(values.map { $0.postgresText })
    }
}
