import ExfilWatchTestSupport
import Foundation

/// The bundled OCSF schema, loaded once for all tests (it is 1.2 MB of JSON).
let bundledValidator = Result { try OCSFSchemaValidator() }

struct NotAJSONObject: Error {}

/// An encoded event as `JSONSerialization` reads it, as a SIEM's parser would.
func decodedEvent(_ line: [UInt8]) throws -> [String: Any] {
  guard let event = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
    throw NotAJSONObject()
  }
  return event
}

/// The value at a dotted path (`evidences.0.actor.user.name`; numbers index arrays), or nil.
func value(at path: String, in event: [String: Any]) -> Any? {
  var current: Any? = event
  for component in path.split(separator: ".") {
    if let index = Int(component) {
      guard let array = current as? [Any], array.indices.contains(index) else { return nil }
      current = array[index]
    } else {
      current = (current as? [String: Any])?[String(component)]
    }
  }
  return current
}

/// Sets (or, with nil, removes) the value at a dotted path, creating nothing on the way.
func setValue(_ newValue: Any?, at path: String, in event: inout [String: Any]) {
  var components = path.split(separator: ".").map(String.init)
  let last = components.removeLast()
  func update(_ container: Any, _ remaining: ArraySlice<String>) -> Any {
    guard let key = remaining.first else {
      if var object = container as? [String: Any] {
        object[last] = newValue
        return object
      }
      guard var array = container as? [Any], let index = Int(last) else { return container }
      if let newValue { array[index] = newValue } else { array.remove(at: index) }
      return array
    }
    if var object = container as? [String: Any], let child = object[key] {
      object[key] = update(child, remaining.dropFirst())
      return object
    }
    if var array = container as? [Any], let index = Int(key), array.indices.contains(index) {
      array[index] = update(array[index], remaining.dropFirst())
      return array
    }
    return container
  }
  event = update(event, components[...]) as? [String: Any] ?? event
}

/// A decoded or expected value as canonical JSON text, so `612` read back (an `NSNumber`)
/// compares equal to the `Int64` it was written from.
func canonicalJSON(_ value: Any?) -> String {
  guard let value,
    let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
  else { return "(absent)" }
  return String(decoding: data, as: UTF8.self)
}
