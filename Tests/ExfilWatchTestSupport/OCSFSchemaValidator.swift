import Foundation

/// One way an event breaks the OCSF schema, at a JSON path such as `evidences[0].actor.user`.
public struct OCSFViolation: Equatable, Sendable, CustomStringConvertible {
  /// Where: attribute names joined by `.`, array elements as `[index]`; empty for the event.
  public var path: String
  public var message: String

  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  public var description: String {
    "\(path.isEmpty ? "(event)" : path): \(message)"
  }
}

/// Checks OCSF events against a copy of the schema, as the OCSF server's validator does, so
/// tests can prove that what ExfilWatch emits is what SIEMs expect, and can see it fail.
///
/// Checked: the class exists for `class_uid`; every required attribute is present (profile
/// attributes only when `metadata.profiles` lists the profile); every present attribute is
/// defined in its class or object (anything goes inside `unmapped` and other open `object`
/// attributes) and has the JSON type its dictionary type asks for (strings for `string_t` and
/// its subtypes, with their `regex`, `max_len`; integers for `integer_t`, `long_t`,
/// `timestamp_t`; any number for `float_t`; booleans; anything for `json_t`; objects checked
/// recursively; arrays where `is_array`); enum values are among the enum's keys and their
/// caption siblings match; object `constraints` (`at_least_one`, `just_one`) hold; `type_uid`
/// is `class_uid` × 100 + `activity_id`; `metadata.version` is the schema's version; and each
/// observable's `name` points at an attribute of the class (`evidences[0].actor.user.name`).
/// Not checked: deprecation (warnings on the server) and the `datetime` profile's `*_dt`.
/// How the schema is compiled is described on `OCSFSchema`.
public struct OCSFSchemaValidator: Sendable {
  let schema: OCSFSchema

  /// The OCSF 1.8.0 subset vendored beside this file (see its PROVENANCE.md), so tests need
  /// nothing outside the repository.
  public static var bundledSchemaDirectory: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("OCSFSchema").path
  }

  public init(schemaDirectory: String = OCSFSchemaValidator.bundledSchemaDirectory) throws {
    schema = try OCSFSchema(directory: schemaDirectory)
  }

  /// The schema's version (`version.json`).
  public var version: String { schema.version }

  /// Validates one JSON text holding one event.
  public func validate(jsonLine: [UInt8]) -> [OCSFViolation] {
    guard let object = try? JSONSerialization.jsonObject(with: Data(jsonLine)),
      let event = object as? [String: Any]
    else { return [OCSFViolation(path: "", message: "not a JSON object")] }
    return validate(event)
  }

  /// Validates a decoded event (as `JSONSerialization` gives it); empty when it conforms.
  public func validate(_ event: [String: Any]) -> [OCSFViolation] {
    var walk = ValidationWalk(schema: schema)
    walk.validateEvent(event)
    return walk.violations
  }
}

/// One validation: the schema, the event's profiles, and the violations found so far.
private struct ValidationWalk {
  let schema: OCSFSchema
  var profiles: Set<String> = []
  var violations: [OCSFViolation] = []

  init(schema: OCSFSchema) {
    self.schema = schema
  }

  mutating func validateEvent(_ event: [String: Any]) {
    guard let classUID = event["class_uid"], !(classUID is NSNull) else {
      return report("class_uid", "required attribute is missing")
    }
    guard JSONKind(classUID) == .integer, let uid = (classUID as? NSNumber)?.int64Value else {
      return report("class_uid", "expected integer_t, got \(JSONKind(classUID))")
    }
    guard let eventClass = schema.classes[uid] else {
      return report("class_uid", "no class has uid \(uid)")
    }
    let metadata = event["metadata"] as? [String: Any]
    for (index, profile) in (metadata?["profiles"] as? [Any] ?? []).enumerated() {
      guard let profile = profile as? String else { continue }  // a type violation, found later
      if schema.profileNames.contains(profile) {
        profiles.insert(profile)
      } else {
        report("metadata.profiles[\(index)]", "no profile is named '\(profile)'")
      }
    }
    validateObject(event, against: eventClass, at: "")
    if let activity = event["activity_id"] as? NSNumber, let typeUID = event["type_uid"] as? NSNumber,
      JSONKind(activity) == .integer, JSONKind(typeUID) == .integer
    {
      let expected = uid * 100 + activity.int64Value
      if typeUID.int64Value != expected {
        report("type_uid", "\(typeUID) is not class_uid × 100 + activity_id = \(expected)")
      }
    }
    if let version = metadata?["version"] as? String, version != schema.version {
      report("metadata.version", "'\(version)' is not the schema's version \(schema.version)")
    }
    for (index, observable) in (event["observables"] as? [Any] ?? []).enumerated() {
      if let name = (observable as? [String: Any])?["name"] as? String {
        validateReference(name, from: eventClass, at: "observables[\(index)].name")
      }
    }
  }

  /// An object against its class or object definition: attributes, then constraints.
  private mutating func validateObject(_ object: [String: Any], against item: OCSFItem, at path: String) {
    let attributes = item.attributes.filter { $0.value.profile.map(profiles.contains) ?? true }
    // An item with no attributes (the `object` type behind `unmapped`) takes anything.
    guard !attributes.isEmpty else { return }
    for (name, attribute) in attributes.sorted(by: { $0.key < $1.key }) {
      let attributePath = path.isEmpty ? name : "\(path).\(name)"
      guard let value = object[name], !(value is NSNull) else {
        if attribute.isRequired { report(attributePath, "required attribute is missing") }
        continue
      }
      if attribute.isArray {
        guard let elements = value as? [Any] else {
          report(attributePath, "expected an array of \(attribute.type), got \(JSONKind(value))")
          continue
        }
        for (index, element) in elements.enumerated() {
          validateValue(element, of: attribute, at: "\(attributePath)[\(index)]")
          validateEnum(element, of: attribute, named: name, in: object, at: "\(attributePath)[\(index)]")
        }
      } else {
        validateValue(value, of: attribute, at: attributePath)
        validateEnum(value, of: attribute, named: name, in: object, at: attributePath)
      }
    }
    for key in object.keys.sorted() where attributes[key] == nil {
      report(path.isEmpty ? key : "\(path).\(key)", "attribute is not defined in \(item.name)")
    }
    let present = Set(object.filter { !($0.value is NSNull) }.keys)
    for (kind, names) in item.constraints.sorted(by: { $0.key < $1.key }) {
      let count = names.filter(present.contains).count
      switch kind {
      case "at_least_one" where count == 0:
        report(path, "\(item.name) needs at least one of \(names.joined(separator: ", "))")
      case "just_one" where count != 1:
        report(path, "\(item.name) needs exactly one of \(names.joined(separator: ", ")), has \(count)")
      case "at_least_one", "just_one":
        break
      default:
        report(path, "unknown constraint '\(kind)' in \(item.name)")
      }
    }
  }

  private mutating func validateValue(_ value: Any, of attribute: OCSFAttribute, at path: String) {
    if let object = schema.objects[attribute.type] {
      guard let value = value as? [String: Any] else {
        return report(path, "expected object \(attribute.type), got \(JSONKind(value))")
      }
      return validateObject(value, against: object, at: path)
    }
    guard let type = schema.types[attribute.type] else {
      return report(path, "schema defines no type or object '\(attribute.type)'")
    }
    let primitive = type.supertype ?? attribute.type
    let kind = JSONKind(value)
    let expected: Set<JSONKind> =
      switch primitive {
      case "string_t": [.string]
      case "integer_t", "long_t": [.integer]
      case "float_t": [.integer, .float]
      case "boolean_t": [.boolean]
      case "json_t": Set(JSONKind.allCases)
      default: []
      }
    guard expected.contains(kind) else {
      let shown = primitive == attribute.type ? primitive : "\(attribute.type) (\(primitive))"
      return report(path, "expected \(shown), got \(kind)")
    }
    if let text = value as? String {
      if let maxLength = type.maxLength, text.count > maxLength {
        report(path, "longer than \(attribute.type)'s \(maxLength) characters")
      }
      if let pattern = type.regex, text.range(of: pattern, options: .regularExpression) == nil {
        report(path, "'\(text)' is not a valid \(attribute.type)")
      }
    }
    if let range = type.range, let number = (value as? NSNumber)?.doubleValue, !range.contains(number) {
      report(path, "\(number) is outside \(attribute.type)'s range \(range)")
    }
  }

  private mutating func validateEnum(
    _ value: Any, of attribute: OCSFAttribute, named name: String, in object: [String: Any], at path: String
  ) {
    guard let enumeration = attribute.enumeration else { return }
    let key: String
    switch JSONKind(value) {
    case .integer: key = String((value as? NSNumber)?.int64Value ?? 0)
    case .string: key = value as? String ?? ""
    default: return  // already reported as the wrong type
    }
    guard let caption = enumeration[key] else {
      let allowed = enumeration.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
      return report(path, "\(key) is not a value of \(name) (\(allowed.joined(separator: ", ")))")
    }
    // Other (99) carries the source's own word in the sibling; arrays pair by index.
    guard key != "99", let caption, let siblingName = attribute.sibling, !attribute.isArray,
      let sibling = object[siblingName] as? String, sibling != caption
    else { return }
    report(path, "\(siblingName) '\(sibling)' is not the caption '\(caption)' of \(name) \(key)")
  }

  /// An observable's `name` must name an attribute of the class, through objects, with array
  /// indexes (`[0]`, `[]`) allowed.
  private mutating func validateReference(_ reference: String, from eventClass: OCSFItem, at path: String) {
    var item = eventClass
    let names = reference.split(separator: ".", omittingEmptySubsequences: false).map {
      $0.split(separator: "[", maxSplits: 1, omittingEmptySubsequences: false)[0]
    }
    for (index, name) in names.enumerated() {
      guard let attribute = item.attributes[String(name)], attribute.profile.map(profiles.contains) ?? true
      else {
        return report(path, "'\(reference)' names no attribute (no '\(name)' in \(item.name))")
      }
      guard index < names.count - 1 else { return }
      guard let next = schema.objects[attribute.type] else {
        return report(path, "'\(reference)' goes past \(name), which is not an object")
      }
      item = next
    }
  }

  private mutating func report(_ path: String, _ message: String) {
    violations.append(OCSFViolation(path: path, message: message))
  }
}

/// A decoded JSON value's type. `JSONSerialization` gives `NSNumber` for numbers and booleans;
/// its Objective-C type code tells them apart (`c` for booleans, `d`/`f` for literals with a
/// fraction or exponent). Native Swift values, as tests put into events, are told apart by
/// their type.
enum JSONKind: String, CaseIterable, CustomStringConvertible {
  case object, array, string, integer, float, boolean, null

  init(_ value: Any) {
    if let number = value as? NSNumber, type(of: value) is NSNumber.Type {
      switch String(cString: number.objCType) {
      case "c", "B": self = .boolean
      case "d", "f": self = .float
      default: self = .integer
      }
      return
    }
    switch value {
    case is NSNull: self = .null
    case is [String: Any]: self = .object
    case is [Any]: self = .array
    case is String: self = .string
    case is Bool: self = .boolean
    case is Double, is Float: self = .float
    default: self = value is any BinaryInteger ? .integer : .null
    }
  }

  var description: String { rawValue }
}
