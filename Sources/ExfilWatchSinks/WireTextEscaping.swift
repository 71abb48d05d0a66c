import ExfilWatchEvent

/// How one wire format escapes text that comes from the logs (user names, app names, object
/// names): the format's own special characters get a backslash, and characters that would
/// break a line-oriented frame or fool a person reading it (controls such as newline and
/// escape, format characters such as bidirectional overrides, Unicode line breaks) are written
/// as visible escapes (`\n`, `\u{1B}`), so a crafted user name can neither end a syslog frame
/// early nor forge a second one.
///
/// The visible escapes are text, so their backslash is itself escaped where the format escapes
/// backslashes: a receiver that unescapes the format sees `\n` (two characters), never a raw
/// newline, and the wire never holds an escape sequence the format does not define.
struct WireTextEscaping: Sendable {
  /// Characters written with a backslash before them (RFC 5424 PARAM-VALUE: `"`, `\`, `]`).
  var backslashed: Set<Unicode.Scalar>
  /// Characters the format has its own escape for (CEF extension values: newline as `\n`),
  /// written exactly as given here.
  var named: [Unicode.Scalar: String] = [:]

  /// RFC 5424 PARAM-VALUE.
  static let structuredDataValue = WireTextEscaping(backslashed: ["\"", "\\", "]"])
  /// Free text such as a syslog MSG: nothing is special but the invisible characters.
  static let freeText = WireTextEscaping(backslashed: [])

  func callAsFunction(_ text: String) -> String {
    var escaped = ""
    for scalar in text.unicodeScalars {
      if let name = named[scalar] {
        escaped += name
      } else if DisplayText.isInvisible(scalar) {
        for part in scalar.escaped(asASCII: true).unicodeScalars {
          append(part, to: &escaped)
        }
      } else {
        append(scalar, to: &escaped)
      }
    }
    return escaped
  }

  private func append(_ scalar: Unicode.Scalar, to text: inout String) {
    if backslashed.contains(scalar) { text += "\\" }
    text.unicodeScalars.append(scalar)
  }
}
