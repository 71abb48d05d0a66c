import Foundation

/// An OCSF schema directory compiled the way the OCSF server compiles it, for validation:
/// every class and object with its `extends` chain resolved and each attribute's dictionary
/// definition merged in.
///
/// Rules followed (from ocsf/ocsf-server `lib/schema`): a file's `$include`d profile
/// attributes are merged under its own (its own win) and tagged with the profile's name, so
/// they count only when the event lists the profile in `metadata.profiles`; an attribute the
/// file redefines with `"profile": null` becomes a core attribute. A child's attributes are
/// deep-merged over its parent's (a `null` attribute removes the parent's); its other keys,
/// such as `constraints`, replace the parent's. Enums merge with the dictionary's. The
/// generated enums are rebuilt: `class_uid` (category uid × 1000 + class uid), `category_uid`,
/// `type_uid` (class uid × 100 + each activity), and `observable.type_id` (gathered from every
/// type, attribute and object that declares an `observable` number). Not handled: the
/// `datetime` profile's generated `*_dt` attributes, extensions, and attribute-level enum
/// `$include`s (none in 1.8.0).
struct OCSFSchema: Sendable {
  var version: String
  var types: [String: OCSFDataType]
  /// Concrete classes by `class_uid`.
  var classes: [Int64: OCSFItem]
  var objects: [String: OCSFItem]
  var profileNames: Set<String>

  init(directory: String) throws {
    let files = SchemaFiles(directory: URL(fileURLWithPath: directory, isDirectory: true))
    version = try files.json("version.json")["version"] as? String ?? ""
    let dictionary = try files.json("dictionary.json")
    let dictionaryAttributes = dictionary["attributes"] as? [String: Any] ?? [:]
    let typeDefinitions = (dictionary["types"] as? [String: Any])?["attributes"] as? [String: Any] ?? [:]
    types = typeDefinitions.compactMapValues { ($0 as? [String: Any]).map(OCSFDataType.init) }
    let categories = try files.json("categories.json")["attributes"] as? [String: Any] ?? [:]
    profileNames = Set(try files.items(in: "profiles").keys)

    // Observable type ids and their captions (nil where the server makes one up).
    var observableCaptions: [String: String?] = [:]
    func addObservable(_ id: Any?, caption: String?) {
      guard let id = id as? Int, observableCaptions[String(id)] ?? nil == nil else { return }
      observableCaptions[String(id)] = .some(caption)
    }
    for case let type as [String: Any] in typeDefinitions.values {
      addObservable(type["observable"], caption: type["caption"] as? String)
    }
    func compile(_ name: String, _ resolved: [String: Any]) throws -> OCSFItem {
      var attributes: [String: OCSFAttribute] = [:]
      let rawAttributes = resolved["attributes"] as? [String: Any] ?? [:]
      for case let (attributeName, raw as [String: Any]) in rawAttributes {
        guard let definition = dictionaryAttributes[attributeName] as? [String: Any] else {
          throw OCSFSchemaError(description: "\(name).\(attributeName) is not in dictionary.json")
        }
        let merged = deepMerge(definition, raw)
        // The server captions an observable number only where the dictionary declares it.
        let caption = raw["observable"] == nil ? definition["caption"] as? String : nil
        addObservable(merged["observable"], caption: caption)
        attributes[attributeName] = OCSFAttribute(merged)
      }
      return OCSFItem(name: name, attributes: attributes, constraints: constraints(resolved["constraints"]))
    }

    var objectResolver = ExtendsResolver(files: files, raw: try files.items(in: "objects"))
    var objects: [String: OCSFItem] = [:]
    for (name, raw) in objectResolver.raw {
      objects[name] = try compile(name, try objectResolver.resolve(name))
      addObservable(raw["observable"], caption: raw["caption"] as? String)  // not an inherited one
    }

    var classResolver = ExtendsResolver(files: files, raw: try files.items(in: "events"))
    var classes: [Int64: OCSFItem] = [:]
    for (name, raw) in classResolver.raw {
      guard let ownUID = raw["uid"] as? Int else { continue }  // abstract: finding, base_event
      let resolved = try classResolver.resolve(name)
      let categoryName = resolved["category"] as? String ?? ""
      guard let category = categories[categoryName] as? [String: Any],
        let categoryUID = category["uid"] as? Int
      else { throw OCSFSchemaError(description: "class \(name) has unknown category '\(categoryName)'") }
      var item = try compile(name, resolved)
      let classUID = Int64(categoryUID * 1000 + ownUID)
      let caption = resolved["caption"] as? String ?? name
      item.attributes["class_uid"]?.enumeration = [String(classUID): caption]
      item.attributes["category_uid"]?.enumeration = [String(categoryUID): category["caption"] as? String]
      var typeUIDs: [String: String?] = [:]
      for (activity, activityCaption) in item.attributes["activity_id"]?.enumeration ?? [:] {
        guard let activityID = Int64(activity) else { continue }
        typeUIDs[String(classUID * 100 + activityID)] = activityCaption.map { "\(caption): \($0)" }
      }
      item.attributes["type_uid"]?.enumeration = typeUIDs
      classes[classUID] = item
    }
    for (id, caption) in observableCaptions {
      objects["observable"]?.attributes["type_id"]?.enumeration?[id] = caption
    }
    self.objects = objects
    self.classes = classes
  }
}

/// A dictionary data type (`string_t`, `ip_t`, `timestamp_t`, ...) reduced to what a value
/// is checked against.
struct OCSFDataType: Sendable {
  /// The primitive a subtype refines (`string_t` for `ip_t`); nil for the primitives.
  var supertype: String?
  var regex: String?
  var maxLength: Int?
  var range: ClosedRange<Double>?

  init(_ definition: [String: Any]) {
    supertype = definition["type"] as? String
    regex = definition["regex"] as? String
    maxLength = definition["max_len"] as? Int
    if let bounds = definition["range"] as? [Any], bounds.count == 2,
      let low = (bounds[0] as? NSNumber)?.doubleValue, let high = (bounds[1] as? NSNumber)?.doubleValue
    {
      range = low...high
    }
  }
}

/// A class or object after compilation.
struct OCSFItem: Sendable {
  var name: String
  var attributes: [String: OCSFAttribute]
  /// `at_least_one` / `just_one` → attribute names.
  var constraints: [String: [String]]
}

struct OCSFAttribute: Sendable {
  /// A dictionary type (`string_t`) or an object name (`user`).
  var type: String
  var isArray: Bool
  var isRequired: Bool
  /// Allowed values (as strings) and their captions, where known.
  var enumeration: [String: String?]?
  /// The attribute that holds the enum value's caption (`severity` for `severity_id`).
  var sibling: String?
  /// The profile that brings the attribute; nil for core attributes.
  var profile: String?

  init(_ merged: [String: Any]) {
    type = merged["type"] as? String ?? "string_t"
    isArray = merged["is_array"] as? Bool ?? false
    isRequired = merged["requirement"] as? String == "required"
    enumeration = (merged["enum"] as? [String: Any])?.mapValues {
      ($0 as? [String: Any])?["caption"] as? String
    }
    sibling = merged["sibling"] as? String
    profile = merged["profile"] as? String
  }
}

struct OCSFSchemaError: Error, CustomStringConvertible {
  var description: String
}

/// Reads the schema's JSON files, relative to its directory.
private struct SchemaFiles {
  let directory: URL

  func json(_ relativePath: String) throws -> [String: Any] {
    let url = directory.appendingPathComponent(relativePath)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    guard let object = object as? [String: Any] else {
      throw OCSFSchemaError(description: "\(url.path) is not a JSON object")
    }
    return object
  }

  /// Every `.json` file under `folder`, by its `name`.
  func items(in folder: String) throws -> [String: [String: Any]] {
    let root = directory.appendingPathComponent(folder)
    guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
      throw OCSFSchemaError(description: "no folder \(root.path)")
    }
    var items: [String: [String: Any]] = [:]
    for case let path as String in enumerator where path.hasSuffix(".json") {
      let item = try json("\(folder)/\(path)")
      if let name = item["name"] as? String { items[name] = item }
    }
    return items
  }

  /// A file's attributes with its `$include`d files merged under them.
  func attributesWithIncludes(_ file: [String: Any]) throws -> [String: Any] {
    var own = file["attributes"] as? [String: Any] ?? [:]
    let includes = own.removeValue(forKey: "$include")
    let paths = includes as? [String] ?? (includes as? String).map { [$0] } ?? []
    var merged = own
    for path in paths {
      let included = try json(path)
      var attributes = try attributesWithIncludes(included)
      if included["meta"] as? String == "profile", let profile = included["name"] as? String {
        attributes = attributes.mapValues { attribute in
          var tagged = attribute as? [String: Any] ?? [:]
          tagged["profile"] = profile
          return tagged
        }
      }
      merged = deepMerge(attributes, merged)
    }
    return merged
  }
}

/// Resolves `extends` chains over one kind of item (classes or objects), remembering results.
private struct ExtendsResolver {
  let files: SchemaFiles
  let raw: [String: [String: Any]]
  private var resolved: [String: [String: Any]] = [:]

  init(files: SchemaFiles, raw: [String: [String: Any]]) {
    self.files = files
    self.raw = raw
  }

  mutating func resolve(_ name: String) throws -> [String: Any] {
    if let done = resolved[name] { return done }
    guard var item = raw[name] else { throw OCSFSchemaError(description: "undefined item '\(name)'") }
    item["attributes"] = try files.attributesWithIncludes(item)
    if let parentName = item["extends"] as? String {
      let parent = try resolve(parentName)
      let attributes = deepMerge(
        parent["attributes"] as? [String: Any] ?? [:], item["attributes"] as? [String: Any] ?? [:])
      item = parent.merging(item) { $1 }
      item["attributes"] = attributes.filter { !($0.value is NSNull) }
    }
    resolved[name] = item
    return item
  }
}

/// The OCSF server's merge: nested objects merge key by key (an empty one gives way to the
/// other), anything else on the right replaces the left.
private func deepMerge(_ left: [String: Any], _ right: [String: Any]) -> [String: Any] {
  var result = left
  for (key, value) in right {
    if let leftObject = left[key] as? [String: Any], let rightObject = value as? [String: Any] {
      result[key] =
        leftObject.isEmpty
        ? rightObject : rightObject.isEmpty ? leftObject : deepMerge(leftObject, rightObject)
    } else {
      result[key] = value
    }
  }
  return result
}

private func constraints(_ value: Any?) -> [String: [String]] {
  (value as? [String: Any] ?? [:]).compactMapValues { ($0 as? [Any])?.compactMap { $0 as? String } }
}
