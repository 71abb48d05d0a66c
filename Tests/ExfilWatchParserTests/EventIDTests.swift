import ExfilWatchEvent
import Testing

@Suite("EventID")
struct EventIDTests {
  @Test("ids up to 48 bytes inline and longer ones whole keep their text, equality and hash", arguments: [
    "", "1", "0c58d779-57d5-402b-aa9a-c44a93a31c9c", String(repeating: "x", count: 48),
    String(repeating: "y", count: 49) + "é", "josé-ñ-😀",
  ])
  func roundTrip(text: String) {
    let id = EventID(text)
    #expect(id.description == text)
    #expect(id == EventID(text))
    #expect(id.hashValue == EventID(text).hashValue)
    #expect(id != EventID(text + "z"))
  }
}
