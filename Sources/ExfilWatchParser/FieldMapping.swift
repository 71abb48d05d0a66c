/// Where the canonical fields are in a platform ExfilWatch does not know: a JSON path
/// (`user.email`, `targets.0.id`) or a CSV column name for each field, from
/// `--field NAME=PATH` or the config file.
public struct FieldMapping: Sendable, Equatable {
  /// The canonical fields a mapping can name.
  public enum Field: String, CaseIterable, Sendable {
    case time, actor, actorId, client, sourceIP, action, object, records, bytes, session, eventID,
      tenant
  }

  public private(set) var paths: [Field: String] = [:]

  public init() {}

  /// Parses `NAME=PATH` specifications.
  ///
  /// - Throws: `FieldMappingError` naming the bad specification.
  public init(specifications: [String]) throws(FieldMappingError) {
    for specification in specifications {
      guard let equals = specification.firstIndex(of: "="),
        let field = Field(rawValue: String(specification[..<equals])),
        specification.index(after: equals) < specification.endIndex
      else { throw FieldMappingError(specification: specification) }
      paths[field] = String(specification[specification.index(after: equals)...])
    }
  }

  public var isEmpty: Bool { paths.isEmpty }
}

public struct FieldMappingError: Error, CustomStringConvertible {
  public var specification: String

  public var description: String {
    let names = FieldMapping.Field.allCases.map(\.rawValue).joined(separator: ", ")
    return "bad field mapping '\(specification)': expected NAME=PATH with NAME one of \(names)"
  }
}
