/// The random-looking identifiers Salesforce puts in its logs, made from the simulator's
/// random numbers so they are the same for the same seed.
enum Identifiers {
  static let alphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
  /// Session and login keys are base64-like.
  static let keyAlphabet = alphanumerics + Array("+/".utf8)
  private static let checksumAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".utf8)
  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// An 18-character Salesforce id such as `003Hs00000NLiMSIA1`: key prefix (`003` Contact,
  /// `005` User, `0H4` connected app, ...), the pod's `Hs00000`, five random characters, and
  /// the real case-checksum suffix, so ids look exactly like an org's.
  static func salesforceID(prefix: StaticString, random: inout SimulationRandom) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: 18) { id, count in
      writeSalesforceID(prefix: prefix, random: &random, into: id.baseAddress!)
      count = 18
    }
  }

  /// Appends a fresh id of the same shape (record ids inside `Records`, a case's contact).
  static func appendSalesforceID(
    prefix: StaticString, random: inout SimulationRandom, to buffer: RecordBuffer
  ) {
    buffer.appendUninitialized(count: 18) { writeSalesforceID(prefix: prefix, random: &random, into: $0) }
  }

  private static func writeSalesforceID(
    prefix: StaticString, random: inout SimulationRandom, into id: UnsafeMutablePointer<UInt8>
  ) {
    precondition(prefix.utf8CodeUnitCount == 3)
    let pod: StaticString = "Hs00000"
    for index in 0..<3 { id[index] = prefix.utf8Start[index] }
    for index in 0..<7 { id[3 + index] = pod.utf8Start[index] }
    var bits = random.next()
    for index in 10..<15 {
      id[index] = alphanumerics[Int(bits % 62)]
      bits /= 62
    }
    for chunk in 0..<3 {
      var mask = 0
      for position in 0..<5 where isUppercase(id[chunk * 5 + position]) { mask |= 1 << position }
      id[15 + chunk] = checksumAlphabet[mask]
    }
  }

  /// `count` characters of `alphabet`.
  static func randomText(count: Int, alphabet: [UInt8], random: inout SimulationRandom) -> [UInt8] {
    (0..<count).map { _ in alphabet[random.int(0...alphabet.count - 1)] }
  }

  /// Appends a version-4 UUID (`0c58d779-57d5-402b-aa9a-c44a93a31c9c`): `EventIdentifier`,
  /// `ExecutionIdentifier`.
  static func appendUUID(random: inout SimulationRandom, to buffer: RecordBuffer) {
    let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
    let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    appendHex(high >> 32, digits: 8, to: buffer)
    buffer.append(UInt8(ascii: "-"))
    appendHex(high >> 16, digits: 4, to: buffer)
    buffer.append(UInt8(ascii: "-"))
    appendHex(high, digits: 4, to: buffer)
    buffer.append(UInt8(ascii: "-"))
    appendHex(low >> 48, digits: 4, to: buffer)
    buffer.append(UInt8(ascii: "-"))
    appendHex(low, digits: 12, to: buffer)
  }

  /// Appends an ELF `REQUEST_ID`: `4` and 21 alphanumerics (`4l5QKiPQmcPVaN1kSahaGQ`).
  static func appendRequestID(random: inout SimulationRandom, to buffer: RecordBuffer) {
    buffer.append(UInt8(ascii: "4"))
    var bits = random.next()
    for index in 0..<21 {
      if index == 10 { bits = random.next() }
      buffer.append(alphanumerics[Int(bits % 62)])
      bits /= 62
    }
  }

  private static func appendHex(_ value: UInt64, digits: Int, to buffer: RecordBuffer) {
    for index in (0..<digits).reversed() {
      buffer.append(hexDigits[Int((value >> (UInt64(index) * 4)) & 0xF)])
    }
  }

  private static func isUppercase(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
  }
}

/// The keys of one login session: `SessionKey`, `LoginKey` and `LoginHistoryId` in RTEM,
/// `SESSION_KEY` and `LOGIN_KEY` in ELF. They are made from one seed, so any part of the
/// simulator that knows the seed (an attack riding an agent's session) writes the same keys.
/// A class, so a record takes one reference to the three keys.
final class SessionKeys: Sendable {
  let sessionKey: [UInt8]
  let loginKey: [UInt8]
  let loginHistoryID: [UInt8]

  /// No session: empty keys.
  init() {
    sessionKey = []
    loginKey = []
    loginHistoryID = []
  }

  init(seed: UInt64) {
    var random = SimulationRandom(noise: seed)
    sessionKey = Identifiers.randomText(count: 16, alphabet: Identifiers.keyAlphabet, random: &random)
    loginKey = Identifiers.randomText(count: 16, alphabet: Identifiers.keyAlphabet, random: &random)
    loginHistoryID = Identifiers.salesforceID(prefix: "0Ya", random: &random)
  }
}
